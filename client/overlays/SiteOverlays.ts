import { BoundingSphere, Color, ColorMaterialProperty, CustomDataSource, HeadingPitchRange, Math as CesiumMath, PrimitiveCollection, SceneTransforms, type Cartesian2, type Cartesian3 } from 'cesium';
import { levelRank, type Alarm, type AlarmLevel } from '../../models/Alarm.js';
import type { DeviceKind } from '../../models/Device.js';
import type { LiveServerMessage } from '../../models/protocol.js';
import { AlarmFeed } from '../alarms/AlarmFeed.js';
import { AlarmGlow } from '../alarms/AlarmGlow.js';
import { AlarmStore } from '../alarms/AlarmStore.js';
import type { Tool } from '../core/Tool.js';
import { fetchAlarms, fetchDevice } from '../devices/deviceApi.js';
import { DevicePanel } from '../devices/DevicePanel.js';
import { DevicePlacer } from '../devices/DevicePlacer.js';
import { DeviceStore, type DeviceChange } from '../devices/DeviceStore.js';
import type { LiveClient } from '../live/LiveClient.js';
import type { MapView } from '../map/MapView.js';
import { ReplayBar } from '../replay/ReplayBar.js';
import { ReplayController } from '../replay/ReplayController.js';
import { CameraOverlay } from './CameraOverlay.js';
import { CraneOverlay } from './CraneOverlay.js';
import { EnvOverlay } from './EnvOverlay.js';
import { GateOverlay } from './GateOverlay.js';
import { HoistOverlay } from './HoistOverlay.js';
import { deviceIdOfPick, type KindOverlay, type OverlayContext } from './overlayBase.js';
import { PitOverlay } from './PitOverlay.js';
import { SensorOverlay } from './SensorOverlay.js';
import { LivePlaybackClock } from './SampleTrack.js';
import { siteProbe } from '../probes/siteProbe.js';

/** The opened project's footprint while its site shows: a faint glass block. */
/** A click this close to a device's marker (CSS px) means that device, whatever is drawn over it. */
const MARKER_HIT_PX = 8;
const GHOST = Color.fromCssColorString('#8fb3ff').withAlpha(0.1);

/** Where SiteOverlays puts its panels. */
export interface SiteDom {
  /** Over the map: the alarm feed, device panel and replay bar go here when no dock is given for them. */
  overlay: HTMLElement;
  /** The docked layout's places: alarm feed, device panel, replay bar (the time bar). */
  alarms?: HTMLElement;
  device?: HTMLElement;
  time?: HTMLElement;
}

/**
 * The live site on the city map: when a project is opened, its devices are drawn by one overlay per kind (cranes,
 * hoists, dust and noise with the heat map, pit gauges, cameras, gates) from a DeviceStore fed by the project's
 * `/live` room; the alarm feed (city-wide) with the glow under alarmed devices; the device panel; and the replay bar.
 */
export class SiteOverlays implements Tool {
  enabled = true;
  readonly devices = new DeviceStore();
  readonly alarms = new AlarmStore();
  readonly feed: AlarmFeed;
  readonly panel: DevicePanel;
  readonly replay: ReplayController;
  private readonly replayBar: ReplayBar;
  private readonly entities = new CustomDataSource('site');
  private readonly primitives = new PrimitiveCollection();
  private readonly overlays: Record<DeviceKind, KindOverlay>;
  /** Places the devices bound to an IFC element at their element. */
  readonly placer: DevicePlacer;
  private readonly glow: AlarmGlow;
  private readonly clock = new LivePlaybackClock();
  private replayAlarms: Alarm[] | null = null;
  private readonly offs: (() => void)[] = [];
  private pendingFocus: string | null = null;
  /** The last map click hit one of this site's devices (the project selection then ignores it). */
  lastClickHitDevice = false;
  private renderQueued = 0;
  private ghosted: { restore(): void } | null = null;
  private ghostTarget: { poly: { material: unknown }; previous: unknown } | null = null;
  private readonly ghostMaterial = new ColorMaterialProperty(GHOST);

  constructor(
    private readonly map: MapView,
    private readonly live: LiveClient,
    dom: SiteDom,
    /** Opens another project (an alarm of a device elsewhere was clicked). */
    private readonly selectProject: (projectId: string) => void,
    /** A project's name, for the alarm rows (the app's project list). */
    projectName: (projectId: string) => string | undefined = () => undefined,
  ) {
    void map.viewer.dataSources.add(this.entities);
    map.viewer.scene.primitives.add(this.primitives);
    const ctx: OverlayContext = { map, devices: this.devices, alarms: this.alarms, entities: this.entities, primitives: this.primitives };
    this.overlays = {
      tower_crane: new CraneOverlay(ctx), hoist: new HoistOverlay(ctx), env_monitor: new EnvOverlay(ctx),
      pit_gauge: new PitOverlay(ctx), camera: new CameraOverlay(ctx), gate: new GateOverlay(ctx), sensor: new SensorOverlay(ctx),
    };
    this.placer = new DevicePlacer(this.devices);
    this.glow = new AlarmGlow(this.primitives);
    const side = document.createElement('div');
    side.className = 'site-side';
    if (!dom.alarms || !dom.device) dom.overlay.append(side);
    this.feed = new AlarmFeed(dom.alarms ?? side, this.alarms, { projectName, localDeviceName: (id) => this.devices.get(id)?.device.name });
    this.panel = new DevicePanel(dom.device ?? side, this.devices);
    this.replay = new ReplayController(this.devices);
    this.replayBar = new ReplayBar(dom.time ?? dom.overlay, this.replay);
    this.replayBar.visible = false;
    this.offs.push(
      () => side.remove(),
      live.onMessage.add((m) => this.onMessage(m)),
      live.onSubscribed.add(() => void this.resubscribe()),
      this.devices.onChanged.add((c) => this.onDevices(c)),
      // The opened site's snapshot names its devices in the alarm rows.
      this.devices.onChanged.add((c) => c.kind === 'reset' && this.feed.renderSoon()),
      this.alarms.onChanged.add(() => this.updateGlows()),
      this.feed.onFocus.add((a) => void this.focusDevice(a.deviceId, a.projectId)),
      // A seek: poses restart from the new instant's state instead of gliding (or refusing to go back) from the old.
      this.replay.onSeek.add(() => {
        for (const o of Object.values(this.overlays)) o.resetMotion();
        this.map.requestRender();
      }),
      this.replay.onAlarms.add((list) => {
        this.replayAlarms = list;
        this.feed.showReplay(list);
        this.updateGlows();
      }),
      map.viewer.scene.preRender.addEventListener(() => this.frame()),
    );
    siteProbe(this);
    if (live.status === 'connected') void this.loadAlarms();
  }

  get projectId(): string | null {
    return this.devices.projectId;
  }

  /** The crane overlay (for the page probe). */
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

  /** Shows a project's site (devices from its live room); null closes it. */
  open(projectId: string | null): void {
    const previous = this.devices.projectId;
    if (projectId === previous) return;
    if (this.replay.status.active) this.replay.exit();
    this.panel.close();
    // Not a room the page watches anyway (a project account's map watches its project rooms).
    const left = previous ? ({ kind: 'project', projectId: previous } as const) : null;
    if (left && !this.live.holds(left)) void this.live.send({ type: 'unsubscribe', scope: left });
    this.ghosted?.restore();
    this.ghosted = null;
    this.ghostTarget = null;
    this.devices.reset(projectId);
    this.replayBar.visible = projectId !== null;
    if (projectId) {
      // After ProjectLayer has styled the selection (it listens to the same change, after us).
      queueMicrotask(() => this.devices.projectId === projectId && this.ghostFootprint(projectId));
      // The server answers a subscribe with the room's snapshot (devices + latest), which resets the store.
      void this.live.send({ type: 'subscribe', scope: { kind: 'project', projectId } });
    }
    this.map.requestRender();
  }

  /**
   * The device a click at `position` means; devices come before anything else drawn there (one stands in front of,
   * inside or behind a building, while the building can be opened from anywhere else on it). The nearest device whose
   * marker is within MARKER_HIT_PX wins, even under another device's label or a roof; else the top pick when it is a
   * device; else the first device under the pointer with the models hidden by `seeThrough`, looking through the
   * see-through footprint too.
   */
  deviceAt(picked: unknown, position: Cartesian2, seeThrough: <T>(pick: () => T) => T = (pick) => pick()): string | null {
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

  showDevice(id: string): void {
    this.panel.show(id);
  }

  /** Flies to a device and opens its panel; opens its project first when it is another one. */
  async focusDevice(deviceId: string, projectId?: string): Promise<void> {
    // The alarm's own project decides, not whether the device happens to be in the store (it may still hold the site
    // that is being left, or not hold the device yet).
    if (!this.devices.get(deviceId) || (projectId && projectId !== this.devices.projectId)) {
      const pid = projectId ?? (await fetchDevice(deviceId)).projectId;
      this.pendingFocus = deviceId;
      this.selectProject(pid);
      return;
    }
    const pos = this.positionOf(deviceId);
    if (pos) {
      this.map.viewer.camera.flyToBoundingSphere(new BoundingSphere(pos, 40), { offset: new HeadingPitchRange(CesiumMath.toRadians(20), CesiumMath.toRadians(-32), 260), duration: 1.5 });
      this.map.requestRender();
    }
    this.panel.show(deviceId);
  }

  positionOf(id: string): Cartesian3 | undefined {
    const s = this.devices.get(id);
    if (!s) return undefined;
    return this.overlays[s.device.kind].positionOf(id);
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

  private async resubscribe(): Promise<void> {
    const pid = this.devices.projectId;
    if (pid) await this.live.send({ type: 'subscribe', scope: { kind: 'project', projectId: pid } });
    await this.loadAlarms();
  }

  /** The active alarms at start and after each reconnect (raised or cleared while away were pushed to nobody). */
  private async loadAlarms(): Promise<void> {
    try {
      const [open, acked] = await Promise.all([fetchAlarms({ state: 'open', limit: 500 }), fetchAlarms({ state: 'acknowledged', limit: 500 })]);
      this.alarms.reset([...open, ...acked]);
    } catch (err) {
      console.warn('alarms: list unavailable', (err as Error).message);
    }
  }

  private onMessage(m: LiveServerMessage): void {
    if (this.alarms.apply(m)) return;
    if (m.type === 'crane.clearance') {
      if (m.clearance.projectId === this.devices.projectId) (this.overlays.tower_crane as CraneOverlay).clearance(m.clearance);
      return this.map.requestRender();
    }
    if (m.type === 'telemetry.batch') {
      const now = Date.now();
      for (const r of m.readings) if (r.projectId === this.devices.projectId) this.clock.observe(r.time, now);
    }
    if (this.devices.apply(m)) this.map.requestRender();
  }

  private onDevices(c: DeviceChange): void {
    if (c.kind === 'reset') {
      for (const o of Object.values(this.overlays)) o.dispose();
      this.clock.reset();
      for (const s of this.devices.list()) this.safely(s.device.id, () => this.overlays[s.device.kind].add(s));
      this.updateGlows();
      if (this.pendingFocus && this.devices.get(this.pendingFocus)) {
        const id = this.pendingFocus;
        this.pendingFocus = null;
        void this.focusDevice(id);
      }
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
    this.map.requestRender();
  }

  /** Runs one device's drawing step; a failure is reported and skipped so one bad device never hides the others. */
  private safely(deviceId: string, step: () => void): void {
    try {
      step();
    } catch (err) {
      console.error(`site overlay: device ${deviceId} (${this.devices.get(deviceId)?.device.kind}) could not be drawn: ${(err as Error).name}: ${(err as Error).message}`);
    }
  }

  private updateGlows(): void {
    const levels = new Map<string, AlarmLevel>();
    const active = this.replayAlarms ?? this.alarms.active();
    for (const a of active) if (levelRank(a.level) > levelRank(levels.get(a.deviceId))) levels.set(a.deviceId, a.level);
    for (const s of this.devices.list()) this.glow.set(s.device.id, this.positionOf(s.device.id), levels.get(s.device.id) ?? null);
    this.map.requestRender();
  }

  /** Before each render: pose what moves for the shown instant; keep rendering while something moves or glows. */
  private frame(): void {
    const t = this.devices.mode === 'replay' ? this.replay.displayTime() : this.clock.displayTime(Date.now());
    this.keepGhosted();
    let busy = this.glow.frame();
    for (const o of Object.values(this.overlays)) if (o.frame(t)) busy = true;
    if (busy && !this.renderQueued) {
      // requestRenderMode: ask for the next frame ourselves while there is motion, at the display's pace.
      this.renderQueued = requestAnimationFrame(() => {
        this.renderQueued = 0;
        this.map.requestRender();
      });
    }
  }

  /**
   * The opened project's footprint is drawn as a solid block by ProjectLayer; its devices stand inside it. Made
   * see-through while the site is shown, restored (restyled by ProjectLayer on the next selection) when closed.
   */
  private ghostFootprint(projectId: string): void {
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
    this.open(null);
    if (this.renderQueued) cancelAnimationFrame(this.renderQueued);
    for (const off of this.offs) off();
    for (const o of Object.values(this.overlays)) o.dispose();
    this.glow.clear();
    this.replayBar.dispose();
    this.replay.dispose();
    this.placer.dispose();
    this.panel.dispose();
    this.feed.dispose();
    if (!this.map.viewer.isDestroyed()) {
      void this.map.viewer.dataSources.remove(this.entities, true);
      this.map.viewer.scene.primitives.remove(this.primitives);
    }
  }
}
