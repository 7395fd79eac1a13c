import { Cartesian3, Color, ConstantProperty, Matrix3, Matrix4, type Entity } from 'cesium';
import { CameraParams } from '../../models/Camera.js';
import type { DeviceState } from '../devices/DeviceStore.js';
import { Marker } from './markers.js';
import { deviceFrame, KindOverlay, num, partId } from './overlayBase.js';
import { t } from '../i18n/i18n.js';

/** How far the drawn frustum reaches (metres): a site camera's useful range, not its optical one. */
const FRUSTUM_M = 45;

/** The frustum lines of a camera looking along heading (clockwise from north) and pitch, with a 16:9 field of view. */
export function frustumLocal(headingDeg: number, pitchDeg: number, fovDeg: number, rangeM = FRUSTUM_M): Cartesian3[] {
  const h = (fovDeg * Math.PI) / 360;
  const v = Math.atan(Math.tan(h) * (9 / 16));
  const rot = Matrix3.multiply(
    Matrix3.fromRotationZ((-headingDeg * Math.PI) / 180),
    Matrix3.fromRotationX((pitchDeg * Math.PI) / 180),
    new Matrix3(),
  );
  // Looking along +y (north) before rotation; corners at +-h, +-v.
  const corners = [
    [-1, 1],
    [1, 1],
    [1, -1],
    [-1, -1],
  ].map(([sx, sz]) =>
    Matrix3.multiplyByVector(
      rot,
      new Cartesian3(Math.tan(h) * sx! * rangeM, rangeM, Math.tan(v) * sz! * rangeM),
      new Cartesian3(),
    ),
  );
  const o = Cartesian3.ZERO;
  return [
    o,
    corners[0]!,
    corners[1]!,
    o,
    corners[2]!,
    corners[3]!,
    o,
    corners[0]!,
    corners[3]!,
    corners[2]!,
    corners[1]!,
  ];
}

/** Site cameras: a marker and the camera's view frustum on the map (heading from live PTZ reports when sent). */
export class CameraOverlay extends KindOverlay {
  readonly kind = 'camera' as const;
  private readonly cams = new Map<
    string,
    { marker: Marker; frustum: Entity; enu: Matrix4; params: CameraParams; key: string }
  >();

  add(s: DeviceState): void {
    const frame = deviceFrame(s);
    const p = CameraParams.safeParse(s.device.params);
    if (!frame || !p.success || this.cams.has(s.device.id)) return;
    const marker = new Marker(this.ctx.entities, s, { heightM: 0.5, pixelSize: 11 });
    const frustum = this.ctx.entities.entities.add({
      id: partId(s.device.id, 'frustum'),
      polyline: { positions: [], width: 2, material: Color.fromCssColorString('#7cc4ff').withAlpha(0.85) },
    });
    this.cams.set(s.device.id, { marker, frustum, enu: frame.enu, params: p.data, key: '' });
    this.update(s);
  }

  update(s: DeviceState, _time?: number, _values?: Record<string, unknown>): void {
    const c = this.cams.get(s.device.id);
    if (!c) return;
    const heading = num(s.values.headingDeg) ?? c.params.headingDeg;
    const pitch = num(s.values.pitchDeg) ?? c.params.pitchDeg;
    const key = `${heading.toFixed(0)}|${pitch.toFixed(0)}`;
    if (key !== c.key) {
      c.key = key;
      const pts = frustumLocal(heading, pitch, c.params.fovDeg).map((p) =>
        Matrix4.multiplyByPoint(
          c.enu,
          Cartesian3.add(p, new Cartesian3(0, 0, 0.5), new Cartesian3()),
          new Cartesian3(),
        ),
      );
      c.frustum.polyline!.positions = new ConstantProperty(pts);
    }
    const online = s.values.online !== false;
    const stale = this.ctx.devices.isStale(s.device.id, Date.now());
    c.marker.setState(stale ? 'stale' : online ? 'normal' : 'alarm');
    c.marker.setText(`${s.device.name} · ${t(stale ? 'site.stale' : online ? 'site.online' : 'site.offline')}`);
  }

  remove(id: string): void {
    const c = this.cams.get(id);
    if (!c) return;
    c.marker.remove(this.ctx.entities);
    this.ctx.entities.entities.remove(c.frustum);
    this.cams.delete(id);
  }

  positionOf(id: string): Cartesian3 | undefined {
    return this.cams.get(id)?.marker.position;
  }

  dispose(): void {
    for (const id of [...this.cams.keys()]) this.remove(id);
  }
}
