import {
  Cartesian2,
  Cartesian3,
  Color,
  ConstantProperty,
  DistanceDisplayCondition,
  type Entity,
  HorizontalOrigin,
  LabelStyle,
  VerticalOrigin,
  type CustomDataSource,
} from 'cesium';
import type { DeviceState } from '../devices/DeviceStore.js';
import {
  deviceFrame,
  KindOverlay,
  LABEL_PLATE,
  partId,
  STATE_COLORS,
  type OverlayContext,
  type StateColor,
} from './overlayBase.js';

export interface MarkerOptions {
  /** Height of the point above the device's location, in m. */
  heightM?: number;
  pixelSize?: number;
}

/**
 * A device marker: a coloured point on a short stalk and a label box above it, the common drawing of devices that
 * are read rather than posed (dust monitors, pit gauges, gates). Labels hide beyond 3 km, where a site is a dot.
 */
export class Marker {
  readonly entity: Entity;
  readonly position: Cartesian3;
  private state: StateColor | null = null;

  constructor(entities: CustomDataSource, s: DeviceState, opts: MarkerOptions = {}) {
    const frame = deviceFrame(s)!;
    const up = opts.heightM ?? 4;
    this.position = Cartesian3.fromDegrees(
      s.device.location!.lon,
      s.device.location!.lat,
      (s.device.location!.height ?? 0) + up,
    );
    this.entity = entities.entities.add({
      id: partId(s.device.id, 'marker'),
      position: this.position,
      point: {
        pixelSize: opts.pixelSize ?? 13,
        color: STATE_COLORS.normal,
        outlineColor: Color.WHITE,
        outlineWidth: 2,
      },
      polyline: { positions: [frame.base, this.position], width: 2, material: Color.WHITE.withAlpha(0.6) },
      label: {
        text: s.device.name,
        font: '12px sans-serif',
        // Over the building and the crane's own steel: a device's name is read, not hidden by what stands in front.
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
        fillColor: Color.WHITE,
        style: LabelStyle.FILL_AND_OUTLINE,
        outlineColor: Color.BLACK,
        outlineWidth: 2,
        showBackground: true,
        backgroundColor: LABEL_PLATE,
        // Above the point (the label placer keeps labels apart as boxes hanging over their anchors).
        horizontalOrigin: HorizontalOrigin.CENTER,
        verticalOrigin: VerticalOrigin.BOTTOM,
        pixelOffset: new Cartesian2(0, -10),
        distanceDisplayCondition: new DistanceDisplayCondition(0, 3000),
      },
    });
  }

  setText(text: string): void {
    (this.entity.label!.text as ConstantProperty).setValue(text);
  }

  /** The label text now. */
  get text(): string {
    return (this.entity.label!.text as ConstantProperty).getValue(undefined) as string;
  }

  setState(state: StateColor): void {
    if (state === this.state) return;
    this.state = state;
    this.entity.point!.color = new ConstantProperty(STATE_COLORS[state]);
  }

  remove(entities: CustomDataSource): void {
    entities.entities.remove(this.entity);
  }
}

/**
 * A kind drawn as one labelled marker per device (env monitors, pit gauges, gates, generic sensors): keeps the markers,
 * adds one when a located device appears, removes, positions and disposes them. Subclasses style and label them in
 * `update`; `added` / `removed` are hooks for what depends on the set of markers (a heat map, a fetch).
 */
export abstract class MarkerOverlay extends KindOverlay {
  protected readonly markers = new Map<string, Marker>();

  constructor(
    ctx: OverlayContext,
    private readonly markerOpts: MarkerOptions,
  ) {
    super(ctx);
  }

  add(s: DeviceState): void {
    if (!s.device.location || this.markers.has(s.device.id)) return;
    this.markers.set(s.device.id, new Marker(this.ctx.entities, s, this.markerOpts));
    this.added(s);
  }

  /** After a marker was added: by default, style it from the device's current state. */
  protected added(s: DeviceState): void {
    this.update(s, s.time ?? 0, s.values);
  }

  protected removed(): void {}

  remove(id: string): void {
    const m = this.markers.get(id);
    if (!m) return;
    m.remove(this.ctx.entities);
    this.markers.delete(id);
    this.removed();
  }

  positionOf(id: string): Cartesian3 | undefined {
    return this.markers.get(id)?.position;
  }

  dispose(): void {
    for (const m of this.markers.values()) m.remove(this.ctx.entities);
    this.markers.clear();
  }
}
