import { Cartesian2, Cartesian3, Color, ConstantProperty, DistanceDisplayCondition, Entity, HorizontalOrigin, LabelStyle, VerticalOrigin, type CustomDataSource } from 'cesium';
import type { DeviceState } from '../devices/DeviceStore.js';
import { deviceFrame, partId, STATE_COLORS, type StateColor } from './overlayBase.js';

/**
 * A device marker: a coloured point on a short stalk and a label box beside it, the common drawing of devices that
 * are read rather than posed (dust monitors, pit gauges, gates). Labels hide beyond 3 km, where a site is a dot.
 */
export class Marker {
  readonly entity: Entity;
  readonly position: Cartesian3;
  private state: StateColor | null = null;

  constructor(entities: CustomDataSource, s: DeviceState, opts: { heightM?: number; pixelSize?: number } = {}) {
    const frame = deviceFrame(s)!;
    const up = opts.heightM ?? 4;
    this.position = Cartesian3.fromDegrees(s.device.location!.lon, s.device.location!.lat, (s.device.location!.height ?? 0) + up);
    this.entity = entities.entities.add({
      id: partId(s.device.id, 'marker'),
      position: this.position,
      point: { pixelSize: opts.pixelSize ?? 13, color: STATE_COLORS.normal, outlineColor: Color.WHITE, outlineWidth: 2 },
      polyline: { positions: [frame.base, this.position], width: 2, material: Color.WHITE.withAlpha(0.6) },
      label: {
        text: s.device.name, font: '12px sans-serif', fillColor: Color.WHITE, style: LabelStyle.FILL_AND_OUTLINE, outlineColor: Color.BLACK, outlineWidth: 2,
        showBackground: true, backgroundColor: Color.fromCssColorString('#0e1523').withAlpha(0.82), horizontalOrigin: HorizontalOrigin.LEFT,
        verticalOrigin: VerticalOrigin.CENTER, pixelOffset: new Cartesian2(12, 0), distanceDisplayCondition: new DistanceDisplayCondition(0, 3000),
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
