import {
  Cartesian2,
  Color,
  ColorMaterialProperty,
  ConstantProperty,
  CustomDataSource,
  type Entity,
  PrimitiveCollection,
  SceneTransforms,
  type Cartesian3,
  type DistanceDisplayCondition,
} from 'cesium';
import { PulseFrames } from '../map/PulseFrames.js';
import { levelRank, type Alarm, type AlarmLevel } from '../../models/Alarm.js';
import type { DeviceKind } from '../../models/Device.js';
import { AlarmGlow } from '../alarms/AlarmGlow.js';
import type { AlarmStore } from '../alarms/AlarmStore.js';
import type { Tool } from '../core/Tool.js';
import { DevicePlacer } from '../devices/DevicePlacer.js';
import type { DeviceChange, DeviceStore } from '../devices/DeviceStore.js';
import type { LabelItem, LabelObstacle, LabelSource } from '../map/LabelPlacer.js';
import { OTHER_SIDES, type LabelSide } from '../map/labelPlacement.js';
import { SIDE_STYLE } from '../map/labelSides.js';
import type { MapView } from '../map/MapView.js';
import { CameraOverlay } from './CameraOverlay.js';
import { CraneOverlay } from './CraneOverlay.js';
import { EnvOverlay } from './EnvOverlay.js';
import { GateOverlay } from './GateOverlay.js';
import { HoistOverlay } from './HoistOverlay.js';
import { deviceIdOfPick, type KindOverlay, type OverlayContext } from './overlayBase.js';
import { PitOverlay } from './PitOverlay.js';
import { SensorOverlay } from './SensorOverlay.js';
import { LabelScale } from './labelScale.js';
import { LivePlaybackClock } from './SampleTrack.js';

/** A click this close to a device's marker (CSS px) means that device, whatever is drawn over it. */
const MARKER_HIT_PX = 8;
/** The opened project's footprint while its site shows: a faint glass block. */
const GHOST = Color.fromCssColorString('#8fb3ff').withAlpha(0.1);
/**
 * Label priorities of a site's devices: above every project label (a selected one is 1000+), so at site scale the
 * devices are named first; cranes before hoists before the rest, an alarmed device before a quiet one.
 */
const DEVICE_LABEL_PRIORITY: Partial<Record<DeviceKind, number>> = { tower_crane: 1600, hoist: 1550 };
const DEVICE_LABEL_BASE = 1500;
const DEVICE_LABEL_ALARM = 300;
/** Prefix of the label ids this source gives the placer (project ids are bare UUIDs). */
const LABEL_ID = 'site:';

/**
 * The drawing of the opened site (the page part that feeds it is `pages/map/SitePage.ts`): one renderer per device
 * kind (cranes, hoists, dust and noise with the heat map, pit gauges, cameras, gates, sensors) over a DeviceStore, the
 * glow under alarmed devices, the opened project's see-through footprint, the frame loop that poses what moves, and
 * where each device is on the globe and on the page (for picking).
 */
export class SiteOverlays implements Tool, LabelSource {
  enabled = true;
  /** Set by the page: a label appeared, went or changed its text (the label placer places again). */
  onLabelsChanged: () => void = () => {};
  private readonly entities = new CustomDataSource('site');
  private readonly primitives = new PrimitiveCollection();
  private readonly overlays: Record<DeviceKind, KindOverlay>;
  /** Places the devices bound to an IFC element at their element. */
  readonly placer: DevicePlacer;
  private readonly glow: AlarmGlow;
  private readonly clock = new LivePlaybackClock();
  private replayAlarms: Alarm[] | null = null;
  private readonly offs: (() => void)[] = [];
  private renderQueued = 0;
  /** The alarm glow's frames: up to 30 a second, at most a quarter of the renderer's time. */
  private readonly pulse: PulseFrames;
  private ghosted: { restore(): void } | null = null;
  private ghostTarget: { poly: { material: unknown }; previous: unknown } | null = null;
  private readonly ghostMaterial = new ColorMaterialProperty(GHOST);
  /** Device label size (the wall sets it with its scale; 1 on the map page). */
  private readonly labelScale = new LabelScale(this.entities.entities);
  /** Px between each label and its anchor as its overlay set it (the label hangs above it), and its side now. */
  private readonly labelGap = new WeakMap<Entity, number>();
  private readonly labelSide = new WeakMap<Entity, LabelSide>();

  constructor(
    private readonly map: MapView,
    private readonly devices: DeviceStore,
    private readonly alarms: AlarmStore,
    /** The instant replay shows (used while the store is in replay mode). */
    private readonly replayTime: () => number,
  ) {
    void map.viewer.dataSources.add(this.entities);
    map.viewer.scene.primitives.add(this.primitives);
    const ctx: OverlayContext = { map, devices, alarms, entities: this.entities, primitives: this.primitives };
    this.overlays = {
      tower_crane: new CraneOverlay(ctx),
      hoist: new HoistOverlay(ctx),
      env_monitor: new EnvOverlay(ctx),
      pit_gauge: new PitOverlay(ctx),
      camera: new CameraOverlay(ctx),
      gate: new GateOverlay(ctx),
      sensor: new SensorOverlay(ctx),
    };
    this.placer = new DevicePlacer(devices);
    this.glow = new AlarmGlow(this.primitives);
    this.pulse = new PulseFrames(map.viewer.scene, 1000 / 30);
    this.offs.push(
      devices.onChanged.add((c) => this.onDevices(c)),
      devices.onChanged.add(() => this.hiddenKinds.size > 0 && this.applyKinds()),
      alarms.onChanged.add(() => this.updateGlows()),
      map.viewer.scene.preRender.addEventListener(() => this.frame()),
    );
  }

  /** Scales the device labels' text (a wall read from across the room); the label placer sees the drawn size. */
  set textScale(s: number) {
    this.labelScale.scale = s;
    this.onLabelsChanged?.();
    this.map.requestRender();
  }

  get cranes(): CraneOverlay {
    return this.overlays.tower_crane as CraneOverlay;
  }
  get sensors(): SensorOverlay {
    return this.overlays.sensor as SensorOverlay;
  }
  get env(): EnvOverlay {
    return this.overlays.env_monitor as EnvOverlay;
  }
  get glowing(): number {
    return this.glow.count;
  }
  glowLevels(): Record<string, AlarmLevel> {
    return this.glow.levels();
  }

  /** A reading's time of the opened site, for the live playback clock. */
  observe(time: number, now: number): void {
    this.clock.observe(time, now);
  }

  /** Replay's alarms at the shown instant (null: back to the live ones) decide the glows. */
  showReplayAlarms(list: Alarm[] | null): void {
    this.replayAlarms = list;
    this.updateGlows();
  }

  /** Poses restart from the shown instant instead of gliding from the old one (a replay seek). */
  resetMotion(): void {
    for (const o of Object.values(this.overlays)) o.resetMotion();
    this.map.requestRender();
  }

  /**
   * The device a click at `position` means; devices come before anything else drawn there (one stands in front of,
   * inside or behind a building, while the building can be opened from anywhere else on it). The nearest device whose
   * marker is within MARKER_HIT_PX wins, even under another device's label or a roof; else the top pick when it is a
   * device; else the first device under the pointer with the models hidden by `seeThrough`, looking through the
   * see-through footprint too.
   */
  deviceAt(
    picked: unknown,
    position: Cartesian2,
    seeThrough: <T>(pick: () => T) => T = (pick) => pick(),
  ): string | null {
    if (!this.devices.size) return null;
    const r = this.map.viewer.scene.canvas.getBoundingClientRect();
    let nearest: string | null = null;
    let best = MARKER_HIT_PX;
    for (const s of this.devices.list()) {
      const at = this.pagePositionOf(s.device.id);
      const d = at ? Math.hypot(at.x - r.left - position.x, at.y - r.top - position.y) : Infinity;
      if (d <= best) [nearest, best] = [s.device.id, d];
    }
    if (nearest) return nearest;
    const first = this.deviceIdOf(picked);
    if (first) return first;
    return seeThrough(() => {
      for (const p of this.map.viewer.scene.drillPick(position, 6)) {
        const id = this.deviceIdOf(p);
        if (id) return id;
      }
      return null;
    });
  }

  /** The device a map pick hit, if it is one of this site's. */
  deviceIdOf(picked: unknown): string | null {
    const id = deviceIdOfPick(picked);
    return id && this.devices.get(id) ? id : null;
  }

  positionOf(id: string): Cartesian3 | undefined {
    const s = this.devices.get(id);
    if (!s) return undefined;
    return this.overlays[s.device.kind].positionOf(id);
  }

  private readonly hiddenKinds = new Set<DeviceKind>();
  /** The layer panel's device-kind switch: hides a kind's markers and parts (its alarms stay in the feed). */
  setKindShown(kind: DeviceKind, shown: boolean): void {
    if (shown) this.hiddenKinds.delete(kind);
    else this.hiddenKinds.add(kind);
    this.applyKinds();
  }
  kindShown(kind: DeviceKind): boolean {
    return !this.hiddenKinds.has(kind);
  }
  private applyKinds(): void {
    for (const e of this.entities.entities.values) {
      const id = deviceIdOfPick({ id: e });
      const kind = id ? this.devices.get(id)?.device.kind : undefined;
      if (kind) e.show = !this.hiddenKinds.has(kind);
    }
    this.cranes.shown = !this.hiddenKinds.has('tower_crane');
    this.map.requestRender();
  }

  /**
   * The label placer's source: every device label of the site (names, readings, crane clearances) is placed with the
   * project and district labels, so no two overlap however close the devices stand on a small screen.
   */
  labelItems(out: LabelItem[]): void {
    const now = this.map.viewer.clock.currentTime;
    const alarmed = new Set((this.replayAlarms ?? this.alarms.active()).map((a) => a.deviceId));
    for (const e of this.entities.entities.values) {
      const l = e.label;
      if (!l || !e.isShowing) continue;
      const position = e.position?.getValue(now);
      const text = l.text?.getValue(now) as string | undefined;
      if (!position || !text) continue;
      const id = deviceIdOfPick({ id: e });
      const kind = id ? this.devices.get(id)?.device.kind : undefined;
      const ddc = l.distanceDisplayCondition?.getValue(now) as DistanceDisplayCondition | undefined;
      out.push({
        id: LABEL_ID + e.id,
        position,
        text,
        font: (l.font?.getValue(now) as string | undefined) ?? '30px sans-serif',
        // Cesium's default background padding (7, 5).
        padX: 7,
        padY: 5,
        priority:
          (kind ? (DEVICE_LABEL_PRIORITY[kind] ?? DEVICE_LABEL_BASE) : DEVICE_LABEL_BASE) +
          (id && alarmed.has(id) ? DEVICE_LABEL_ALARM : 0),
        // Every site label hangs above its anchor (vertical origin bottom), `-pixelOffset.y` px up; when that spot is
        // taken or a crane's line crosses it, it may stand at a corner or a side of its anchor, the same gap away.
        dy: this.gapOf(e),
        sides: OTHER_SIDES,
        ...(ddc ? { near: ddc.near, far: ddc.far } : {}),
      });
    }
  }

  /** The cranes' outlines: no label may be crossed by a jib. */
  labelObstacles(out: LabelObstacle[]): void {
    if (!this.hiddenKinds.has('tower_crane')) this.cranes.labelObstacles(out);
  }

  /** The gap between a label and its anchor, as its overlay set it (before any side was applied). */
  private gapOf(e: Entity): number {
    let gap = this.labelGap.get(e);
    if (gap === undefined) {
      const offset = e.label?.pixelOffset?.getValue(this.map.viewer.clock.currentTime) as Cartesian2 | undefined;
      gap = Math.max(1, -(offset?.y ?? 0));
      this.labelGap.set(e, gap);
    }
    return gap;
  }

  applyPlacement(
    shown: ReadonlySet<string>,
    _absorbed: ReadonlySet<string>,
    _clusters: ReadonlyMap<string, readonly string[]>,
    _moved: ReadonlyMap<string, number>,
    sides: ReadonlyMap<string, Exclude<LabelSide, 'above'>>,
  ): void {
    for (const e of this.entities.entities.values) {
      const l = e.label;
      if (!l) continue;
      const show = shown.has(LABEL_ID + e.id);
      if (l.show?.getValue(this.map.viewer.clock.currentTime) !== show) l.show = new ConstantProperty(show);
      if (!show) continue;
      const side = sides.get(LABEL_ID + e.id) ?? 'above';
      if ((this.labelSide.get(e) ?? 'above') === side) continue;
      // As the placer measured it: above, the overlay's own gap; beside or under, at least 4 px.
      const gap = side === 'above' ? this.gapOf(e) : Math.max(this.gapOf(e), 4);
      const st = SIDE_STYLE[side];
      this.labelSide.set(e, side);
      l.horizontalOrigin = new ConstantProperty(st.h);
      l.verticalOrigin = new ConstantProperty(st.v);
      l.pixelOffset = new ConstantProperty(new Cartesian2(st.dx * gap, st.dy * gap));
    }
  }

  /** Page position (CSS px) of a device's marker, or null when off screen. */
  pagePositionOf(id: string): { x: number; y: number } | null {
    const pos = this.positionOf(id);
    if (!pos) return null;
    const scene = this.map.viewer.scene;
    const w = SceneTransforms.worldToWindowCoordinates(scene, pos);
    if (!w) return null;
    const r = scene.canvas.getBoundingClientRect();
    if (w.x < 0 || w.y < 0 || w.x > r.width || w.y > r.height) return null;
    return { x: r.left + w.x, y: r.top + w.y };
  }

  private onDevices(c: DeviceChange): void {
    if (c.kind === 'reset') {
      for (const o of Object.values(this.overlays)) o.dispose();
      this.clock.reset();
      for (const s of this.devices.list()) this.safely(s.device.id, () => this.overlays[s.device.kind].add(s));
      this.updateGlows();
    } else {
      const s = this.devices.get(c.id);
      const kind = s?.device.kind;
      if (c.kind === 'removed') for (const o of Object.values(this.overlays)) o.remove(c.id);
      else if (s && kind) {
        const o = this.overlays[kind];
        this.safely(c.id, () => {
          if (c.kind === 'added') o.add(s);
          else if (c.kind === 'updated') {
            o.remove(c.id);
            o.add(s);
          } else if (c.kind === 'reading') o.update(s, c.time, c.values);
        });
      }
      if (c.kind !== 'reading') this.updateGlows();
    }
    // Added, removed and re-read devices change the labels (a reading changes a marker's text and width).
    this.onLabelsChanged();
    this.map.requestRender();
  }

  /** Runs one device's drawing step; a failure is reported and skipped so one bad device never hides the others. */
  private safely(deviceId: string, step: () => void): void {
    try {
      step();
    } catch (err) {
      console.error(
        `site overlay: device ${deviceId} (${this.devices.get(deviceId)?.device.kind}) could not be drawn: ${(err as Error).name}: ${(err as Error).message}`,
      );
    }
  }

  private updateGlows(): void {
    const levels = new Map<string, AlarmLevel>();
    const active = this.replayAlarms ?? this.alarms.active();
    for (const a of active)
      if (a.deviceId && levelRank(a.level) > levelRank(levels.get(a.deviceId))) levels.set(a.deviceId, a.level);
    for (const s of this.devices.list())
      this.glow.set(s.device.id, this.positionOf(s.device.id), levels.get(s.device.id) ?? null);
    // An alarmed device's label comes first.
    this.onLabelsChanged();
    this.map.requestRender();
  }

  /** Before each render: pose what moves for the shown instant; keep rendering while something moves or glows. */
  private frame(): void {
    const t = this.devices.mode === 'replay' ? this.replayTime() : this.clock.displayTime(Date.now());
    this.keepGhosted();
    const glowing = this.glow.frame();
    let moving = false;
    for (const o of Object.values(this.overlays)) if (o.frame(t)) moving = true;
    if (moving && !this.renderQueued) {
      // requestRenderMode: ask for the next frame ourselves while there is motion, at the display's pace.
      this.renderQueued = requestAnimationFrame(() => {
        this.renderQueued = 0;
        this.map.requestRender();
      });
    }
    // A glow pulses as long as its alarm stands: its frames within a share of the renderer's time (PulseFrames).
    if (glowing) this.pulse.request();
    else this.pulse.cancel();
  }

  /**
   * The opened project's footprint is drawn as a solid block by ProjectLayer; its devices stand inside it. Made
   * see-through while the site is shown, restored (restyled by ProjectLayer on the next selection) when closed (null).
   */
  ghost(projectId: string | null): void {
    this.ghosted?.restore();
    this.ghosted = null;
    this.ghostTarget = null;
    if (!projectId) return;
    const sources = this.map.viewer.dataSources;
    for (let i = 0; i < sources.length; i++) {
      const poly = sources.get(i).entities.getById(projectId)?.polygon;
      if (!poly) continue;
      const ghost = { poly, previous: poly.material };
      this.ghosted = { restore: () => void (ghost.poly.material = ghost.previous) };
      this.ghostTarget = ghost;
      this.keepGhosted();
      return;
    }
  }

  /** ProjectLayer restyles a project on every reload: put the glass back whenever its material was replaced. */
  private keepGhosted(): void {
    const g = this.ghostTarget;
    if (!g || g.poly.material === this.ghostMaterial) return;
    g.previous = g.poly.material;
    g.poly.material = this.ghostMaterial;
    this.map.requestRender();
  }

  dispose(): void {
    this.labelScale.dispose();
    this.ghost(null);
    if (this.renderQueued) cancelAnimationFrame(this.renderQueued);
    this.pulse.dispose();
    for (const off of this.offs) off();
    for (const o of Object.values(this.overlays)) o.dispose();
    this.glow.clear();
    this.placer.dispose();
    if (!this.map.viewer.isDestroyed()) {
      void this.map.viewer.dataSources.remove(this.entities, true);
      this.map.viewer.scene.primitives.remove(this.primitives);
    }
  }
}
