import { BoundingSphere, HeadingPitchRange, Math as CesiumMath, type Cartesian2, type Cartesian3 } from 'cesium';
import type { AlarmLevel } from '../../../models/Alarm.js';
import type { LiveServerMessage } from '../../../models/protocol.js';
import { AlarmFeed } from '../../alarms/AlarmFeed.js';
import { AlarmStore } from '../../alarms/AlarmStore.js';
import type { Tool } from '../../core/Tool.js';
import { fetchAlarms, fetchDevice } from '../../devices/deviceApi.js';
import { DevicePanel } from '../../devices/DevicePanel.js';
import { DeviceStore } from '../../devices/DeviceStore.js';
import type { LiveClient } from '../../live/LiveClient.js';
import type { MapView } from '../../map/MapView.js';
import type { CraneOverlay } from '../../overlays/CraneOverlay.js';
import type { EnvOverlay } from '../../overlays/EnvOverlay.js';
import type { SensorOverlay } from '../../overlays/SensorOverlay.js';
import { SiteOverlays } from '../../overlays/SiteOverlays.js';
import { siteProbe } from '../../probes/siteProbe.js';
import { ReplayBar } from '../../replay/ReplayBar.js';
import { ReplayController } from '../../replay/ReplayController.js';

/** Where the site's panels go. */
export interface SiteDom {
  /** Over the map: the alarm feed, device panel and replay bar go here when no dock is given for them. */
  overlay: HTMLElement;
  /** The docked layout's places: alarm feed, device panel, replay bar (the time bar). */
  alarms?: HTMLElement;
  device?: HTMLElement;
  time?: HTMLElement;
}

/**
 * The live site on the city map, as a page part: when a project is opened, its `/live` room feeds a DeviceStore that
 * the SiteOverlays renderers draw; the alarm feed (city-wide), the device panel, replay, and what a click on a device
 * or an alarm row opens. Drawing stays in `overlays/` (one renderer per device kind behind SiteOverlays).
 */
export class SitePage implements Tool {
  enabled = true;
  readonly devices = new DeviceStore();
  readonly alarms = new AlarmStore();
  readonly overlays: SiteOverlays;
  readonly feed: AlarmFeed;
  readonly panel: DevicePanel;
  readonly replay: ReplayController;
  private readonly replayBar: ReplayBar;
  private readonly side: HTMLElement;
  private readonly offs: (() => void)[] = [];
  private pendingFocus: string | null = null;
  /** The last map click hit one of this site's devices (the project selection then ignores it). */
  lastClickHitDevice = false;

  constructor(
    private readonly map: MapView,
    private readonly live: LiveClient,
    dom: SiteDom,
    /** Opens another project (an alarm of a device elsewhere was clicked). */
    private readonly selectProject: (projectId: string) => void,
    /** A project's name, for the alarm rows (the app's project list). */
    projectName: (projectId: string) => string | undefined = () => undefined,
  ) {
    this.replay = new ReplayController(this.devices);
    this.overlays = new SiteOverlays(map, this.devices, this.alarms, () => this.replay.displayTime());
    this.side = document.createElement('div');
    this.side.className = 'site-side';
    if (!dom.alarms || !dom.device) dom.overlay.append(this.side);
    this.feed = new AlarmFeed(dom.alarms ?? this.side, this.alarms, {
      projectName,
      localDeviceName: (id) => this.devices.get(id)?.device.name,
    });
    this.panel = new DevicePanel(dom.device ?? this.side, this.devices);
    this.replayBar = new ReplayBar(dom.time ?? dom.overlay, this.replay);
    this.replayBar.visible = false;
    this.offs.push(
      live.onMessage.add((m) => this.onMessage(m)),
      live.onSubscribed.add(() => void this.resubscribe()),
      // After the renderers drew the new site (they listen first): a device asked for before its site loaded.
      this.devices.onChanged.add((c) => c.kind === 'reset' && this.focusPending()),
      // The opened site's snapshot names its devices in the alarm rows.
      this.devices.onChanged.add((c) => c.kind === 'reset' && this.feed.renderSoon()),
      // An alarm about no device (an overdue notice) opens its project.
      this.feed.onFocus.add((a) =>
        a.deviceId ? void this.focusDevice(a.deviceId, a.projectId) : this.selectProject(a.projectId),
      ),
      // A seek: poses restart from the new instant's state instead of gliding (or refusing to go back) from the old.
      this.replay.onSeek.add(() => this.overlays.resetMotion()),
      this.replay.onAlarms.add((list) => {
        this.feed.showReplay(list);
        this.overlays.showReplayAlarms(list);
      }),
    );
    siteProbe(this);
    if (live.status === 'connected') void this.loadAlarms();
  }

  get projectId(): string | null {
    return this.devices.projectId;
  }
  get cranes(): CraneOverlay {
    return this.overlays.cranes;
  }
  get sensors(): SensorOverlay {
    return this.overlays.sensors;
  }
  get env(): EnvOverlay {
    return this.overlays.env;
  }
  get glowing(): number {
    return this.overlays.glowing;
  }
  glowLevels(): Record<string, AlarmLevel> {
    return this.overlays.glowLevels();
  }
  positionOf(id: string): Cartesian3 | undefined {
    return this.overlays.positionOf(id);
  }
  pagePositionOf(id: string): { x: number; y: number } | null {
    return this.overlays.pagePositionOf(id);
  }
  /** The device a map click means (devices before anything else drawn there): see SiteOverlays.deviceAt. */
  deviceAt(picked: unknown, position: Cartesian2, seeThrough?: <T>(pick: () => T) => T): string | null {
    return this.overlays.deviceAt(picked, position, seeThrough);
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
    this.overlays.ghost(null);
    this.devices.reset(projectId);
    this.replayBar.visible = projectId !== null;
    if (projectId) {
      // After ProjectLayer has styled the selection (it listens to the same change, after us).
      queueMicrotask(() => this.devices.projectId === projectId && this.overlays.ghost(projectId));
      // The server answers a subscribe with the room's snapshot (devices + latest), which resets the store.
      void this.live.send({ type: 'subscribe', scope: { kind: 'project', projectId } });
    }
    this.map.requestRender();
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
      this.map.viewer.camera.flyToBoundingSphere(new BoundingSphere(pos, 40), {
        offset: new HeadingPitchRange(CesiumMath.toRadians(20), CesiumMath.toRadians(-32), 260),
        duration: 1.5,
      });
      this.map.requestRender();
    }
    this.panel.show(deviceId);
  }

  private focusPending(): void {
    if (this.pendingFocus && this.devices.get(this.pendingFocus)) {
      const id = this.pendingFocus;
      this.pendingFocus = null;
      void this.focusDevice(id);
    }
  }

  private async resubscribe(): Promise<void> {
    const pid = this.devices.projectId;
    if (pid) await this.live.send({ type: 'subscribe', scope: { kind: 'project', projectId: pid } });
    await this.loadAlarms();
  }

  /** The active alarms at start and after each reconnect (raised or cleared while away were pushed to nobody). */
  private async loadAlarms(): Promise<void> {
    try {
      const [open, acked] = await Promise.all([
        fetchAlarms({ state: 'open', limit: 500 }),
        fetchAlarms({ state: 'acknowledged', limit: 500 }),
      ]);
      this.alarms.reset([...open, ...acked]);
    } catch (err) {
      console.warn('alarms: list unavailable', (err as Error).message);
    }
  }

  private onMessage(m: LiveServerMessage): void {
    if (this.alarms.apply(m)) return;
    if (m.type === 'crane.clearance') {
      if (m.clearance.projectId === this.devices.projectId) this.overlays.cranes.clearance(m.clearance);
      return this.map.requestRender();
    }
    if (m.type === 'telemetry.batch') {
      const now = Date.now();
      for (const r of m.readings) if (r.projectId === this.devices.projectId) this.overlays.observe(r.time, now);
    }
    if (this.devices.apply(m)) this.map.requestRender();
  }

  dispose(): void {
    this.open(null);
    for (const off of this.offs) off();
    this.replayBar.dispose();
    this.replay.dispose();
    this.panel.dispose();
    this.feed.dispose();
    this.side.remove();
    this.overlays.dispose();
  }
}
