import {
  BoxGeometry,
  Cartesian3,
  Color,
  ColorGeometryInstanceAttribute,
  ConstantPositionProperty,
  ConstantProperty,
  type Entity,
  GeometryInstance,
  LabelStyle,
  Matrix3,
  Matrix4,
  PerInstanceColorAppearance,
  PolylineGlowMaterialProperty,
  Primitive,
  SceneTransforms,
  VerticalOrigin,
  Cartesian2,
  ColorMaterialProperty,
  Material,
  PolylineCollection,
} from 'cesium';
import type { CraneClearanceInfo } from '../../models/craneClearance.js';
import { TowerCraneParams } from '../../models/TowerCrane.js';
import type { DeviceState } from '../devices/DeviceStore.js';
import type { LabelObstacle } from '../map/LabelPlacer.js';
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

const YELLOW = Color.fromCssColorString('#f2c230');
const STEEL = Color.fromCssColorString('#5b6577');
const LOAD = Color.fromCssColorString('#d9822b');
/** Track fields: slew (angle), trolley radius, hook height. */
const F_SLEW = 0;
const F_RADIUS = 1;
const F_HOOK = 2;

/** Scratch objects: the frame loop allocates nothing. */
const scratchVals = new Float64Array(3);
const scratchRot = new Matrix3();
const scratchRot4 = new Matrix4();
const scratchT = new Cartesian3();
const scratchScale = new Cartesian3(1, 1, 1);
const scratchTip = new Cartesian3();

/** Outline width in CSS px: a 1.8 m mast is under a pixel at the default project view (600+ m away); a line is not. */
export const CRANE_LINE_PX = 4;
const outlineMaterial = (color: Color) =>
  Material.fromType('PolylineOutline', { color, outlineColor: Color.fromCssColorString('#101418'), outlineWidth: 1.5 });

interface Crane {
  id: string;
  params: TowerCraneParams;
  enuTop: Matrix4;
  parts: { base: Primitive; head: Primitive; trolley: Primitive; hook: Primitive; load: Primitive };
  /** Screen-width outlines of the same parts (mast; jib and counter-jib; trolley and hook line), posed with them. */
  lines: { base: PolylineCollection; head: PolylineCollection; hook: PolylineCollection };
  circle: Entity;
  label: Entity;
  track: SampleTrack;
  state: StateColor;
  pendingJibColor: StateColor | null;
  /** The pose drawn by the last frame (for the page probe and tests). */
  posed: { slewDeg: number; radiusM: number; hookHeightM: number } | null;
  loaded: boolean;
}

const box = (id: string, dx: number, dy: number, dz: number, at: Cartesian3, color: Color) =>
  new GeometryInstance({
    id,
    geometry: BoxGeometry.fromDimensions({
      dimensions: new Cartesian3(dx, dy, dz),
      vertexFormat: PerInstanceColorAppearance.VERTEX_FORMAT,
    }),
    modelMatrix: Matrix4.fromTranslation(at),
    attributes: { color: ColorGeometryInstanceAttribute.fromColor(color) },
  });

const primitive = (instances: GeometryInstance[], modelMatrix: Matrix4) =>
  new Primitive({
    geometryInstances: instances,
    appearance: new PerInstanceColorAppearance({ flat: false, translucent: false }),
    modelMatrix,
    // Boxes are tiny: building them on the main thread is cheaper than a worker round trip, and the crane is
    // complete in the first frame it appears in.
    asynchronous: false,
  });

/**
 * Tower cranes: a parametric crane per device (mast, jib, counter-jib with ballast, trolley, hook line, load) built
 * from its static params and posed by live slew, trolley radius and hook height. Poses are interpolated between
 * readings by a SampleTrack evaluated each frame, so the jib turns smoothly instead of jumping once a second. The
 * jib's colour and the jib circle on the ground follow the load-moment state; a line joins two cranes while a
 * `crane.clearance` risk lasts.
 */
export class CraneOverlay extends KindOverlay {
  readonly kind = 'tower_crane' as const;
  private readonly cranes = new Map<string, Crane>();
  private readonly clearanceLines = new Map<string, Entity>();

  add(s: DeviceState): void {
    const frame = deviceFrame(s);
    const p = TowerCraneParams.safeParse(s.device.params);
    if (!frame || !p.success) return;
    const params = p.data;
    const id = s.device.id;
    const H = params.mastHeightM;
    const L = params.jibLengthM;
    const CL = Math.max(params.counterJibLengthM, 4);
    const enuTop = Matrix4.multiplyByTranslation(frame.enu, new Cartesian3(0, 0, H), new Matrix4());
    const pid = (part: string) => partId(id, part);
    const parts = {
      base: primitive(
        [
          box(pid('mast'), 1.8, 1.8, H, new Cartesian3(0, 0, H / 2), YELLOW),
          box(pid('footing'), 6, 6, 1, new Cartesian3(0, 0, 0.5), STEEL),
        ],
        frame.enu,
      ),
      head: primitive(
        [
          box(pid('jib'), 1.4, L, 1.4, new Cartesian3(0, L / 2, 1.2), STATE_COLORS.normal),
          box(pid('counterjib'), 1.6, CL, 1.2, new Cartesian3(0, -CL / 2, 1.1), YELLOW),
          box(pid('ballast'), 3.2, 3, 2.6, new Cartesian3(0, -CL + 1.8, 0), STEEL),
          box(pid('apex'), 1.2, 1.2, 7, new Cartesian3(0, 0, 4.5), YELLOW),
          box(pid('cab'), 2.2, 2.4, 2.2, new Cartesian3(1.8, 1.2, -0.6), STEEL),
        ],
        Matrix4.clone(enuTop),
      ),
      trolley: primitive([box(pid('trolley'), 1.9, 1.9, 0.9, new Cartesian3(0, 0, 0.2), STEEL)], Matrix4.clone(enuTop)),
      hook: primitive(
        [box(pid('hookline'), 0.18, 0.18, 1, new Cartesian3(0, 0, -0.5), Color.fromCssColorString('#c9d1d9'))],
        Matrix4.clone(enuTop),
      ),
      load: primitive(
        [
          box(pid('hookblock'), 0.7, 0.7, 0.9, new Cartesian3(0, 0, -0.45), YELLOW),
          box(pid('load'), 3, 2.2, 1.6, new Cartesian3(0, 0, -1.8), LOAD),
        ],
        Matrix4.clone(enuTop),
      ),
    };
    for (const prim of Object.values(parts)) this.ctx.primitives.add(prim);
    // The same crane as lines of a fixed pixel width with a dark outline: it reads at the default project view, on a
    // wall and at 1 fps, where the true-scale boxes above are a pixel or less.
    const lines = {
      base: new PolylineCollection({ modelMatrix: frame.enu }),
      head: new PolylineCollection({ modelMatrix: Matrix4.clone(enuTop) }),
      hook: new PolylineCollection({ modelMatrix: Matrix4.clone(enuTop) }),
    };
    const line = (
      c: PolylineCollection,
      a: Cartesian3,
      b: Cartesian3,
      color: Color,
      part: string,
      width = CRANE_LINE_PX,
    ) => c.add({ positions: [a, b], width, material: outlineMaterial(color), id: pid(part) });
    line(lines.base, new Cartesian3(0, 0, 0), new Cartesian3(0, 0, H + 8), YELLOW, 'mast-line');
    line(lines.head, new Cartesian3(0, 0, 1.2), new Cartesian3(0, L, 1.2), YELLOW, 'jib-line');
    line(lines.head, new Cartesian3(0, 0, 1.1), new Cartesian3(0, -CL, 1.1), YELLOW, 'counterjib-line');
    line(
      lines.head,
      new Cartesian3(0, -CL + 1.8, 0),
      new Cartesian3(0, -CL + 1.8, -1.3),
      STEEL,
      'ballast-line',
      CRANE_LINE_PX * 2,
    );
    // Tie bars from the apex to the jib and counter-jib: the silhouette that says "tower crane".
    line(lines.head, new Cartesian3(0, 0, 8), new Cartesian3(0, L * 0.6, 1.2), YELLOW, 'tie-line', 2);
    line(lines.head, new Cartesian3(0, 0, 8), new Cartesian3(0, -CL, 1.1), YELLOW, 'tie2-line', 2);
    // In the trolley's frame with the hook's z scale: (0,0,0) is the trolley, (0,0,-1) the hook.
    line(lines.hook, new Cartesian3(-1.5, 0, 0), new Cartesian3(1.5, 0, 0), STEEL, 'trolley-line', CRANE_LINE_PX + 2);
    line(
      lines.hook,
      new Cartesian3(0, 0, 0),
      new Cartesian3(0, 0, -1),
      Color.fromCssColorString('#e6edf3'),
      'hook-line',
      2,
    );
    for (const l of Object.values(lines)) this.ctx.primitives.add(l);
    const circle = this.ctx.entities.entities.add({
      id: pid('circle'),
      position: frame.base,
      ellipse: {
        semiMajorAxis: L,
        semiMinorAxis: L,
        height: (s.device.location?.height ?? 0) + 0.4,
        material: STATE_COLORS.normal.withAlpha(0.1),
        outline: true,
        outlineColor: STATE_COLORS.normal,
        outlineWidth: 2,
      },
    });
    const label = this.ctx.entities.entities.add({
      id: pid('label'),
      position: Matrix4.multiplyByPoint(frame.enu, new Cartesian3(0, 0, H + 12), new Cartesian3()),
      label: {
        text: s.device.name,
        font: '13px sans-serif',
        // Over the building and the crane's own steel: a device's name is read, not hidden by what stands in front. The
        // label placer keeps it off the crane's lines; a jib turning under it between two placements is hidden by the
        // opaque plate.
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
        fillColor: Color.WHITE,
        outlineColor: Color.BLACK,
        outlineWidth: 3,
        style: LabelStyle.FILL_AND_OUTLINE,
        verticalOrigin: VerticalOrigin.BOTTOM,
        showBackground: true,
        backgroundColor: LABEL_PLATE,
        pixelOffset: new Cartesian2(0, -4),
      },
    });
    const crane: Crane = {
      id,
      params,
      enuTop,
      parts,
      lines,
      circle,
      label,
      track: new SampleTrack(3, [true, false, false]),
      state: 'normal',
      pendingJibColor: null,
      posed: null,
      loaded: false,
    };
    this.cranes.set(id, crane);
    if (s.time !== null) this.update(s, s.time, s.values);
  }

  update(s: DeviceState, time: number, values: Record<string, unknown>): void {
    const c = this.cranes.get(s.device.id);
    if (!c) return;
    const slew = num(values.slewDeg);
    const radius = num(values.radiusM);
    const hook = num(values.hookHeightM);
    if (slew !== undefined || radius !== undefined || hook !== undefined) {
      scratchVals[F_SLEW] = slew ?? NaN;
      scratchVals[F_RADIUS] = radius ?? NaN;
      scratchVals[F_HOOK] = hook ?? NaN;
      // The first sample of a field has nothing to hold: take what the merged state says.
      if (c.track.size === 0) {
        scratchVals[F_SLEW] = num(s.values.slewDeg) ?? 0;
        scratchVals[F_RADIUS] = num(s.values.radiusM) ?? c.params.maxRadiusM / 2;
        scratchVals[F_HOOK] = num(s.values.hookHeightM) ?? c.params.mastHeightM * 0.8;
      }
      c.track.push(time, scratchVals);
    }
    const v = s.values;
    const loadT = num(v.loadT);
    const rated = num(v.ratedLoadT) ?? c.params.maxLoadT;
    const loadPct = loadT !== undefined && rated > 0 ? (loadT / rated) * 100 : undefined;
    const moment = num(v.momentPct);
    const worst = Math.max(loadPct ?? 0, moment ?? 0);
    const stale = this.ctx.devices.isStale(s.device.id, Date.now());
    this.setState(c, stale ? 'stale' : pctState(worst, c.params.preWarnPct, c.params.alarmPct));
    c.loaded = (loadT ?? 0) > 0.05;
    c.parts.load.show = c.loaded;
    const text = `${s.device.name}\n${loadT !== undefined ? `${loadT.toFixed(2)} t` : '—'} · ${t('site.moment')} ${moment !== undefined ? `${moment.toFixed(0)} %` : '—'}${stale ? ` · ${t('site.stale')}` : ''}`;
    (c.label.label!.text as ConstantProperty).setValue(text);
  }

  private setState(c: Crane, state: StateColor): void {
    if (state === c.state) return;
    c.state = state;
    const color = STATE_COLORS[state];
    c.circle.ellipse!.material = new ColorMaterialProperty(color.withAlpha(state === 'normal' ? 0.1 : 0.22));
    c.circle.ellipse!.outlineColor = new ConstantProperty(color);
    c.pendingJibColor = state;
  }

  override frame(t: number): boolean {
    let moving = false;
    for (const c of this.cranes.values()) {
      if (c.pendingJibColor && c.parts.head.ready) {
        const attrs = c.parts.head.getGeometryInstanceAttributes(partId(c.id, 'jib'));
        attrs.color = ColorGeometryInstanceAttribute.toValue(STATE_COLORS[c.pendingJibColor], attrs.color);
        c.pendingJibColor = null;
      }
      if (!c.track.evaluate(t, scratchVals)) continue;
      if (t < c.track.lastTime) moving = true;
      const slew = scratchVals[F_SLEW]!;
      const radius = Math.min(Math.max(scratchVals[F_RADIUS]!, 2), c.params.jibLengthM);
      const drop = Math.max(c.params.mastHeightM - scratchVals[F_HOOK]!, 1);
      // Slew is clockwise from north; a rotation about up is counter-clockwise from east: turn by -slew.
      Matrix3.fromRotationZ((-slew * Math.PI) / 180, scratchRot);
      const head = c.parts.head.modelMatrix;
      Matrix4.multiply(c.enuTop, Matrix4.fromRotation(scratchRot, scratchRot4), head);
      Matrix4.multiplyByTranslation(head, Cartesian3.fromElements(0, radius, 0, scratchT), c.parts.trolley.modelMatrix);
      scratchScale.z = drop;
      Matrix4.multiplyByScale(c.parts.trolley.modelMatrix, scratchScale, c.parts.hook.modelMatrix);
      Matrix4.multiplyByTranslation(
        c.parts.trolley.modelMatrix,
        Cartesian3.fromElements(0, 0, -drop, scratchT),
        c.parts.load.modelMatrix,
      );
      Matrix4.clone(head, c.lines.head.modelMatrix);
      Matrix4.clone(c.parts.hook.modelMatrix, c.lines.hook.modelMatrix);
      if (c.posed) {
        c.posed.slewDeg = ((slew % 360) + 360) % 360;
        c.posed.radiusM = radius;
        c.posed.hookHeightM = c.params.mastHeightM - drop;
      } else
        c.posed = { slewDeg: ((slew % 360) + 360) % 360, radiusM: radius, hookHeightM: c.params.mastHeightM - drop };
    }
    return moving;
  }

  /**
   * Forgets every crane's motion (a replay seek, a switch of source): the next state poses it afresh. Until then it
   * stands at rest and reports no pose, rather than showing the pose of another instant as current.
   */
  override resetMotion(): void {
    for (const c of this.cranes.values()) {
      c.track.clear();
      c.posed = null;
      for (const p of [c.parts.head, c.parts.trolley, c.parts.hook, c.parts.load, c.lines.head, c.lines.hook])
        Matrix4.clone(c.enuTop, p.modelMatrix);
    }
  }

  /** A clearance message: draws the line between the two closest points while the risk lasts, removes it after. */
  clearance(info: CraneClearanceInfo): void {
    const key = [info.a, info.b].sort().join('|');
    const existing = this.clearanceLines.get(key);
    if (!info.level || !info.closest) {
      if (existing) this.ctx.entities.entities.remove(existing);
      this.clearanceLines.delete(key);
      return;
    }
    const { a, b } = info.closest;
    const positions = [Cartesian3.fromDegrees(a.lon, a.lat, a.height), Cartesian3.fromDegrees(b.lon, b.lat, b.height)];
    const color = STATE_COLORS[info.level];
    if (existing) {
      existing.polyline!.positions = new ConstantProperty(positions);
      existing.polyline!.material = new PolylineGlowMaterialProperty({ color, glowPower: 0.3 });
      return;
    }
    this.clearanceLines.set(
      key,
      this.ctx.entities.entities.add({
        id: partId(info.a, `clearance-${info.b}`),
        polyline: { positions, width: 10, material: new PolylineGlowMaterialProperty({ color, glowPower: 0.3 }) },
        position: new ConstantPositionProperty(positions[0]),
        label: {
          text: `${info.clearanceM?.toFixed(1) ?? '?'} m`,
          font: '12px sans-serif',
          fillColor: color,
          showBackground: true,
          verticalOrigin: VerticalOrigin.BOTTOM,
          pixelOffset: new Cartesian2(0, -8),
        },
      }),
    );
  }

  /** The layer panel's crane switch: parts and outlines of every crane. */
  set shown(v: boolean) {
    for (const c of this.cranes.values()) {
      for (const p of Object.values(c.parts)) p.show = v && (p !== c.parts.load || c.loaded);
      for (const l of Object.values(c.lines)) l.show = v;
    }
  }

  /**
   * The crane outlines as drawn now (mast, jib, counter-jib, ties, trolley, hook line), in world positions: the label
   * placer keeps every label off them, so no jib strikes out a label's text (its own crane's load and moment first).
   */
  labelObstacles(out: LabelObstacle[]): void {
    for (const c of this.cranes.values())
      for (const coll of Object.values(c.lines)) {
        if (!coll.show) continue;
        for (let i = 0; i < coll.length; i++) {
          const l = coll.get(i);
          if (!l.show) continue;
          const [a, b] = l.positions as Cartesian3[];
          if (!a || !b) continue;
          out.push({
            a: Matrix4.multiplyByPoint(coll.modelMatrix, a, new Cartesian3()),
            b: Matrix4.multiplyByPoint(coll.modelMatrix, b, new Cartesian3()),
            widthPx: l.width,
          });
        }
      }
  }

  /** Pairs with a clearance line on the map now. */
  get clearanceCount(): number {
    return this.clearanceLines.size;
  }

  remove(id: string): void {
    const c = this.cranes.get(id);
    if (!c) return;
    for (const p of Object.values(c.parts)) this.ctx.primitives.remove(p);
    for (const l of Object.values(c.lines)) this.ctx.primitives.remove(l);
    this.ctx.entities.entities.remove(c.circle);
    this.ctx.entities.entities.remove(c.label);
    this.cranes.delete(id);
  }

  positionOf(id: string): Cartesian3 | undefined {
    return this.cranes.get(id)?.circle.position?.getValue(this.ctx.map.viewer.clock.currentTime);
  }

  /** Each crane's drawn pose and where its jib tip is on the page (CSS px), for the page probe. */
  poses(): {
    id: string;
    slewDeg: number | null;
    radiusM: number | null;
    state: StateColor;
    tip: { x: number; y: number } | null;
    mast: { x: number; y: number } | null;
  }[] {
    const scene = this.ctx.map.viewer.scene;
    const rect = scene.canvas.getBoundingClientRect();
    const toPage = (world: Cartesian3) => {
      const w = SceneTransforms.worldToWindowCoordinates(scene, world);
      return w ? { x: rect.left + w.x, y: rect.top + w.y } : null;
    };
    return [...this.cranes.values()].map((c) => {
      Matrix4.multiplyByPoint(
        c.parts.head.modelMatrix,
        Cartesian3.fromElements(0, c.params.jibLengthM, 1.2, scratchTip),
        scratchTip,
      );
      const tip = c.posed ? toPage(scratchTip) : null;
      const mast = toPage(Matrix4.getTranslation(c.enuTop, new Cartesian3()));
      return {
        id: c.id,
        slewDeg: c.posed?.slewDeg ?? null,
        radiusM: c.posed?.radiusM ?? null,
        state: c.state,
        tip,
        mast,
      };
    });
  }

  dispose(): void {
    for (const id of [...this.cranes.keys()]) this.remove(id);
    for (const e of this.clearanceLines.values()) this.ctx.entities.entities.remove(e);
    this.clearanceLines.clear();
  }
}
