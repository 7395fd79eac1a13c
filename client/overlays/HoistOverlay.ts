import {
  BoxGeometry,
  Cartesian2,
  Cartesian3,
  Color,
  ColorGeometryInstanceAttribute,
  type ConstantProperty,
  type Entity,
  GeometryInstance,
  LabelStyle,
  Matrix4,
  PerInstanceColorAppearance,
  Primitive,
  VerticalOrigin,
} from 'cesium';
import { HoistParams } from '../../models/Hoist.js';
import type { DeviceState } from '../devices/DeviceStore.js';
import { SampleTrack } from './SampleTrack.js';
import {
  deviceFrame,
  KindOverlay,
  LABEL_PLATE,
  num,
  partId,
  pctState,
  STATE_COLORS,
  type StateColor,
} from './overlayBase.js';
import { t } from '../i18n/i18n.js';

const scratch = new Float64Array(1);
const scratchT = new Cartesian3();

interface Hoist {
  id: string;
  params: HoistParams;
  enu: Matrix4;
  mast: Primitive;
  cage: Primitive;
  label: Entity;
  track: SampleTrack;
  state: StateColor | null;
  height: number;
}

const instance = (id: string, d: Cartesian3, at: Cartesian3, color: Color) =>
  new GeometryInstance({
    id,
    geometry: BoxGeometry.fromDimensions({ dimensions: d, vertexFormat: PerInstanceColorAppearance.VERTEX_FORMAT }),
    modelMatrix: Matrix4.fromTranslation(at),
    attributes: { color: ColorGeometryInstanceAttribute.fromColor(color) },
  });

/**
 * Construction hoists: the mast to the hoist's top height and the cage riding it by the reported height
 * (interpolated between readings), coloured by load of rated; the label carries persons and load.
 */
export class HoistOverlay extends KindOverlay {
  readonly kind = 'hoist' as const;
  private readonly hoists = new Map<string, Hoist>();

  add(s: DeviceState): void {
    const frame = deviceFrame(s);
    const p = HoistParams.safeParse(s.device.params);
    if (!frame || !p.success) return;
    const H = p.data.maxHeightM;
    const id = s.device.id;
    const mast = new Primitive({
      geometryInstances: [
        instance(
          partId(id, 'mast'),
          new Cartesian3(1.2, 1.2, H + 3),
          new Cartesian3(0, 0, (H + 3) / 2),
          Color.fromCssColorString('#9aa7bb'),
        ),
      ],
      appearance: new PerInstanceColorAppearance({ translucent: false }),
      modelMatrix: frame.enu,
      asynchronous: false,
    });
    const cage = new Primitive({
      geometryInstances: [
        instance(partId(id, 'cage'), new Cartesian3(3, 4, 2.6), new Cartesian3(2.2, 0, 1.3), Color.WHITE),
      ],
      appearance: new PerInstanceColorAppearance({ translucent: false }),
      modelMatrix: Matrix4.clone(frame.enu),
      asynchronous: false,
    });
    this.ctx.primitives.add(mast);
    this.ctx.primitives.add(cage);
    const label = this.ctx.entities.entities.add({
      id: partId(id, 'label'),
      position: Matrix4.multiplyByPoint(frame.enu, new Cartesian3(0, 0, H + 8), new Cartesian3()),
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
        verticalOrigin: VerticalOrigin.BOTTOM,
        pixelOffset: new Cartesian2(0, -4),
      },
    });
    this.hoists.set(id, {
      id,
      params: p.data,
      enu: frame.enu,
      mast,
      cage,
      label,
      track: new SampleTrack(1),
      state: null,
      height: 0,
    });
    if (s.time !== null) this.update(s, s.time, s.values);
  }

  update(s: DeviceState, time: number, values: Record<string, unknown>): void {
    const h = this.hoists.get(s.device.id);
    if (!h) return;
    const height = num(values.heightM);
    if (height !== undefined) {
      scratch[0] = height;
      h.track.push(time, scratch);
    }
    const v = s.values;
    const loadPct =
      num(v.loadPct) ?? (num(v.loadKg) !== undefined ? (num(v.loadKg)! / h.params.ratedLoadKg) * 100 : undefined);
    const persons = num(v.persons);
    const stale = this.ctx.devices.isStale(s.device.id, Date.now());
    const state: StateColor = stale
      ? 'stale'
      : persons !== undefined && persons > h.params.maxPersons
        ? 'alarm'
        : pctState(loadPct, h.params.preWarnPct, h.params.alarmPct);
    if (state !== h.state && h.cage.ready) {
      const attrs = h.cage.getGeometryInstanceAttributes(partId(h.id, 'cage'));
      attrs.color = ColorGeometryInstanceAttribute.toValue(
        state === 'normal' ? Color.WHITE : STATE_COLORS[state],
        attrs.color,
      );
      h.state = state;
    }
    const load = num(v.loadKg);
    (h.label.label!.text as ConstantProperty).setValue(
      `${s.device.name}\n${t('site.persons', { n: persons ?? '—' })} · ${load !== undefined ? `${load.toFixed(0)} kg` : '—'}${loadPct !== undefined ? ` (${loadPct.toFixed(0)} %)` : ''}${num(v.floor) !== undefined ? ` · F${v.floor}` : ''}${stale ? ` · ${t('site.stale')}` : ''}`,
    );
  }

  override frame(t: number): boolean {
    let moving = false;
    for (const h of this.hoists.values()) {
      if (!h.track.evaluate(t, scratch)) continue;
      if (t < h.track.lastTime) moving = true;
      h.height = scratch[0]!;
      Matrix4.multiplyByTranslation(
        h.enu,
        Cartesian3.fromElements(0, 0, Math.max(0, h.height), scratchT),
        h.cage.modelMatrix,
      );
    }
    return moving;
  }

  override resetMotion(): void {
    for (const h of this.hoists.values()) h.track.clear();
  }

  remove(id: string): void {
    const h = this.hoists.get(id);
    if (!h) return;
    this.ctx.primitives.remove(h.mast);
    this.ctx.primitives.remove(h.cage);
    this.ctx.entities.entities.remove(h.label);
    this.hoists.delete(id);
  }

  positionOf(id: string): Cartesian3 | undefined {
    const h = this.hoists.get(id);
    return h ? Matrix4.getTranslation(h.enu, new Cartesian3()) : undefined;
  }

  dispose(): void {
    for (const id of [...this.hoists.keys()]) this.remove(id);
  }
}
