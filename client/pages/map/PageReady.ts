import { Event } from '../../core/Event.js';
import type { Tool } from '../../core/Tool.js';
import type { LiveClient, LiveStatus } from '../../live/LiveClient.js';
import type { MapView } from '../../map/MapView.js';
import type { ProjectLayer } from '../../map/ProjectLayer.js';
import type { ProjectStore } from '../../state/ProjectStore.js';
import type { SelectionState } from '../../state/SelectionState.js';
import { frameTimes } from '../../probes/frameTimes.js';

/** What the page tells tests and monitoring about itself, as `window.__siteTwin`. */
export interface SiteTwinProbe {
  /** The globe's first tiles rendered and the project load settled (drawn, empty or failed). Latches true. */
  ready: boolean;
  /** What the overview shows: still loading, projects, an empty city, or a load error. */
  state: 'loading' | 'ready' | 'empty' | 'error';
  projectsListed: number;
  /** Projects whose footprint geometry is built and on screen. */
  projectsDrawn: number;
  selectedProjectId: string | null;
  liveStatus: LiveStatus | 'off';
  /** Frames rendered so far (request-render mode: only when something changed). */
  frames: number;
  error: string | null;
  /** Milliseconds from navigation start to ready (performance.now()), for start-up measurements. */
  readyAtMs: number | null;
  /** Camera at rest, globe tiles and entity geometry all loaded: what is on screen is complete. */
  idle: boolean;
  /**
   * What `ready` (until it latches) and `idle` still wait for, e.g. ['globe tiles', 'entities']: a page that never
   * gets ready says why (monitoring, bench/pageReady.ts).
   */
  waiting: string[];
  /** Renders the current view `n` times; each frame's time in ms (bench/pageReady.ts). */
  frameTimes(n: number): Promise<number[]>;
  /** Page position (CSS px) of a project's footprint, or null when off screen. */
  projectPagePosition(id: string): { x: number; y: number } | null;
  /** Page position (CSS px) of a WGS84 point on the ground, or null when off screen. */
  geoPagePosition(lon: number, lat: number): { x: number; y: number } | null;
  /** Points the camera at a place from `rangeM` away (city, district, site scale), at once. */
  lookAt(lon: number, lat: number, rangeM: number): void;
}

declare global {
  interface Window {
    __siteTwin: SiteTwinProbe;
  }
}

/**
 * The page-ready flag (not the smart-site readiness score of client/readiness/): publishes `window.__siteTwin` and sets `document.body.dataset.ready = '1'` once the globe has rendered its
 * first tiles and the projects are drawn, so e2e tests wait on a fact instead of a sleep.
 */
export class PageReady implements Tool {
  enabled = true;
  /** Fired once, when the page first becomes ready. */
  readonly onReady = new Event<SiteTwinProbe>();
  readonly probe: SiteTwinProbe = {
    ready: false,
    state: 'loading',
    projectsListed: 0,
    projectsDrawn: 0,
    selectedProjectId: null,
    liveStatus: 'off',
    frames: 0,
    error: null,
    idle: false,
    waiting: ['projects'],
    frameTimes: (n) => frameTimes(this.map.viewer.scene, n),
    readyAtMs: null,
    projectPagePosition: (id) => this.layer.pagePositionOf(id),
    geoPagePosition: (lon, lat) => this.map.pagePositionOf(lon, lat),
    lookAt: (lon, lat, rangeM) => this.map.lookAt(lon, lat, rangeM),
  };
  private cameraMoving = false;
  private readonly offs: (() => void)[] = [];
  /** Set by the app once the first camera view (overview or deep link) was chosen. */
  initialViewSet = false;

  constructor(
    private readonly map: MapView,
    private readonly layer: ProjectLayer,
    private readonly store: ProjectStore,
    private readonly selection: SelectionState,
    private readonly live: LiveClient | null,
  ) {
    window.__siteTwin = this.probe;
    const scene = map.viewer.scene;
    this.offs.push(
      scene.postRender.addEventListener(() => {
        this.probe.frames++;
        this.check();
      }),
      // Geometry finishes on clock ticks, which run even when no frame is rendered.
      map.viewer.clock.onTick.addEventListener(() => this.check()),
      map.viewer.camera.moveStart.addEventListener(() => {
        this.cameraMoving = true;
        this.check();
      }),
      map.viewer.camera.moveEnd.addEventListener(() => {
        this.cameraMoving = false;
        this.check();
      }),
      selection.onChanged.add(() => this.check()),
      store.onChanged.add(() => this.check()),
      store.onStatus.add(() => this.check()),
    );
    if (live) this.offs.push(live.onStatus.add(() => this.check()));
  }

  /** Recomputes the probe; cheap enough for every tick (a handful of comparisons). */
  check(): void {
    const p = this.probe;
    const s = this.store.status;
    p.projectsListed = this.store.size;
    const drawn = this.layer.drawnCount();
    // Keep the last full count while a change is being built: it is what is on screen.
    if (drawn > 0 || this.store.size === 0) p.projectsDrawn = drawn;
    p.selectedProjectId = this.selection.selectedId;
    p.liveStatus = this.live?.status ?? 'off';
    p.error = this.store.error ? `${this.store.error.code}: ${this.store.error.message}` : null;
    p.state =
      s === 'error' && this.store.size === 0
        ? 'error'
        : s === 'loaded' || s === 'error'
          ? this.store.size
            ? 'ready'
            : 'empty'
          : 'loading';
    p.idle = !this.cameraMoving && this.map.tilesLoaded && this.map.entitiesReady;
    const settled = p.state !== 'loading' && (this.store.size === 0 || drawn === this.store.size);
    const w: string[] = [];
    if (!p.ready) {
      if (p.state === 'loading') w.push('projects');
      else if (!settled) w.push(`footprints ${drawn}/${this.store.size}`);
      if (!this.initialViewSet) w.push('initial view');
      if (p.frames === 0) w.push('first frame');
    }
    if (!this.map.viewer.scene.globe.tilesLoaded) w.push('globe tiles');
    if (!this.map.basemap.loaded) w.push('base map');
    if (this.cameraMoving) w.push('camera');
    if (!this.map.entitiesReady) w.push('entities');
    if (w.join() !== p.waiting.join()) p.waiting = w;
    if (p.ready || !this.enabled) return;
    if (settled && this.initialViewSet && p.frames > 0 && this.map.tilesLoaded) {
      p.ready = true;
      p.readyAtMs = Math.round(performance.now());
      document.body.dataset.ready = '1';
      this.onReady.trigger(p);
    }
  }

  dispose(): void {
    for (const off of this.offs) off();
    this.onReady.reset();
  }
}
