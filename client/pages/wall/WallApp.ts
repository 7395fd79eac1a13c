import type { ClientConfig } from '../../../models/ClientConfig.js';
import type { Kpis } from '../../../models/Kpis.js';
import { regionPrefix } from '../../../models/Kpis.js';
import type { Project } from '../../../models/Project.js';
import type { LiveScope, LiveServerMessage } from '../../../models/protocol.js';
import { defaultCityTour, defaultProjectTour, type Tour } from '../../../models/Tour.js';
import { type ApiError } from '../../api/ApiError.js';
import { fetchKpis, fetchOpenAlarms } from '../../api/opsApi.js';
import { fetchProjects } from '../../api/projectsApi.js';
import { fetchTour } from '../../api/toursApi.js';
import { ToolRegistry } from '../../core/Tool.js';
import { LiveClient } from '../../live/LiveClient.js';
import { MapView } from '../../map/MapView.js';
import { ProjectLayer } from '../../map/ProjectLayer.js';
import { addCityLayers, type CityLayers } from '../../map/cityLayers.js';
import { BimLayer } from '../../bim/BimLayer.js';
import { ElementColouring } from '../../bim/ElementColouring.js';
import { SitePage } from '../map/SitePage.js';
import { ProjectStore } from '../../state/ProjectStore.js';
import { SelectionState } from '../../state/SelectionState.js';
import { TourControls } from '../../tour/TourControls.js';
import { cameraPose, TourPlayer } from '../../tour/TourPlayer.js';
import { ConnectionBanner } from '../../ui/Banner.js';
import { WallAlarmList } from '../../wall/WallAlarmList.js';
import { AlarmTicker } from '../../wall/AlarmTicker.js';
import { CameraGrid } from '../../wall/CameraGrid.js';
import { KpiDrill } from '../../wall/KpiDrill.js';
import { KpiTiles } from '../../wall/KpiTiles.js';
import { NoticeTile } from '../../wall/NoticeTile.js';
import { KpiTrend } from '../../wall/kpiTrend.js';
import { kpiTiles } from '../../wall/kpiView.js';
import { ProjectFreshness } from '../../wall/ProjectFreshness.js';
import { ProjectStrip } from '../../wall/ProjectStrip.js';
import { WallMapShading } from '../../wall/WallMapShading.js';
import { createWallProbe, type WallProbe } from '../../probes/WallProbe.js';
import { deviceLineProbe, labelProbe, pulseProbe, topEdgeProbe } from '../../probes/labelProbe.js';
import { pitchClearOfHorizon } from '../../map/viewPitch.js';
import { frameTimes } from '../../probes/frameTimes.js';
import { buildWallDom, type WallDom } from '../../wall/wallDom.js';
import { wallScale, type WallParams } from '../../wall/wallParams.js';
import { formatClock, t } from '../../i18n/i18n.js';

const TICKER_SLOTS = 12;
/** The wall map's text size against a desk screen's at 1080p (district labels 14 -> 25 px, project labels 15 -> 26 px). */
const WALL_MAP_TEXT = 1.75;
const STRIP_ROWS = 10;
/** A wall whose id names no live scope polls its KPIs. */
const REGION_POLL_MS = 10_000;

/**
 * Wall mode: KPI tiles, workers by trade, projects (offline greyed), the map on an automatic tour and an alarm ticker,
 * for one tier and scope, laid out for 1920x1080 and scaled to any screen. No pointer needed; it reconnects by itself
 * and shows a banner while disconnected. Everything is bounded (fixed DOM pools, one timer, one entry per device) so
 * it can run for days.
 */
export class WallApp {
  readonly tools = new ToolRegistry();
  readonly store = new ProjectStore();
  readonly feed = new WallAlarmList(TICKER_SLOTS);
  readonly freshness = new ProjectFreshness();
  readonly probe: WallProbe;
  private dom!: WallDom;
  private map!: MapView;
  private player!: TourPlayer;
  private tiles!: KpiTiles;
  private drill!: KpiDrill;
  private cameras: CameraGrid | null = null;
  /** Each KPI's last 24 h, for the drill-down sparkline. */
  readonly trend = new KpiTrend();
  private ticker!: AlarmTicker;
  private strip!: ProjectStrip;
  private shading!: WallMapShading;
  private layer!: ProjectLayer;
  private city!: CityLayers;
  private site!: SitePage;
  /** A district picked on the wall's map: the KPIs (and the title) narrow to it; null = the wall's own scope. */
  private district: { code: string; name: string } | null = null;
  private live!: LiveClient;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private kpis: Kpis | null = null;
  private kpisAt = 0;
  private generatedTour = true;
  private tickCount = 0;
  private readonly onResize = () => this.layout();

  constructor(
    private readonly root: HTMLElement,
    private readonly params: WallParams,
  ) {
    this.probe = createWallProbe();
  }

  /** Builds the wall and starts it; resolves once the first data are on screen (or failed to load). */
  async start(config: ClientConfig): Promise<void> {
    const { tools, params } = this;
    this.dom = buildWallDom(this.root, params);
    this.layout();
    window.addEventListener('resize', this.onResize);
    this.map = tools.add(
      new MapView(this.dom.map, config, {
        theme: 'dark',
        switcher: false,
        creditContainer: this.dom.mapCredits,
      }),
    );
    this.layout();
    this.map.viewer.scene.postRender.addEventListener(() => this.probe.frames++);
    labelProbe(this.map.viewer);
    pulseProbe(this.map.viewer);
    deviceLineProbe(this.map.viewer);
    topEdgeProbe(this.map.viewer);
    this.probe.camera = () => cameraPose(this.map);
    this.probe.geoPagePosition = (lon, lat) => this.map.pagePositionOf(lon, lat);
    this.probe.lookAt = (lon, lat, rangeM) => this.map.lookAt(lon, lat, rangeM);
    this.probe.frameTimes = (n) => frameTimes(this.map.viewer.scene, n);
    const selection = new SelectionState();
    // The toured project's BIM model and live site: the model loads when the tour brings it into view (BimLayer
    // follows the camera), the site's devices when a stop names its project. Both before the footprints (picking).
    tools.add(new BimLayer(this.map, this.store, new ElementColouring()));
    const siteHost = document.createElement('div');
    siteHost.className = 'wall-site-host';
    siteHost.hidden = true; // the wall shows the site on the map only: no device panel, feed or replay bar
    this.dom.mapOverlay.append(siteHost);
    this.site = tools.add(new SitePage(this.map, this.live0(), { overlay: siteHost }, () => undefined));
    const layer = (this.layer = tools.add(new ProjectLayer(this.map, this.store, selection)));
    this.shading = tools.add(new WallMapShading(this.map, layer));
    // Districts coloured by open alarms, the authority's region as its boundary, labels placed without overlaps and
    // pins clustered (scaled with the wall's text); a district clicked narrows the KPIs to it.
    this.city = addCityLayers(tools, this.map, layer, 'dark', this.store, { figure: 'openAlarms' });
    this.layout();
    // The toured site's device labels are placed with the project labels, none over another.
    this.city.placer.add(this.site.overlays);
    this.site.overlays.onLabelsChanged = () => this.city.placer.invalidate();
    this.city.districts.onPicked.add(({ code, name }) => {
      this.district = code && name ? { code, name } : null;
      this.dom.title.textContent = this.title();
      void this.loadKpis();
    });
    this.store.onChanged.add((c) => {
      if (c.kind !== 'reset') this.shading.forget(c.id);
      else for (const p of this.store.list()) this.shading.forget(p.id);
      this.refreshProjects();
    });
    this.player = tools.add(new TourPlayer(this.map));
    tools.add(new TourControls(this.dom.mapOverlay, this.player, { compact: true }));
    this.player.onState.add((s) => {
      this.probe.tour = s;
      // Live site overlays of the toured project while the tour stands at it.
      if (s.arrived) this.site.open(s.at ?? null);
    });
    this.tiles = tools.add(new KpiTiles(this.dom.kpis, this.dom.trades));
    // Rectification notices (issue 16): open / overdue of the wall's scope, beside the KPI tiles.
    tools.add(
      new NoticeTile(
        this.dom.kpis,
        () => (this.district ? { tier: 'city', id: this.district.code } : this.params),
        (m) => this.note(m),
      ),
    );
    this.drill = tools.add(new KpiDrill(this.dom.map, this.trend));
    // The camera tier: `view=cameras` turns the map cell into a grid of live camera panels of the tier's projects.
    if (new URLSearchParams(window.location.search).get('view') === 'cameras') {
      this.cameras = tools.add(new CameraGrid(this.dom.map));
      this.dom.root.dataset.view = 'cameras';
    }
    this.tiles.onOpen.add((v) => this.drill.open(v));
    this.ticker = tools.add(
      new AlarmTicker(this.dom.ticker, TICKER_SLOTS, (id) => this.store.get(id)?.name ?? id.slice(0, 8)),
    );
    this.strip = tools.add(new ProjectStrip(this.dom.projects, STRIP_ROWS));

    this.live = this.live0();
    tools.add(this.live);
    tools.add(new ConnectionBanner(this.dom.bannerHost, this.live));
    this.live.onStatus.add((s) => {
      this.probe.liveStatus = s;
      this.dom.root.dataset.live = s;
    });
    this.live.onMessage.add((m) => this.onMessage(m));
    this.live.onSubscribed.add(({ reconnect }) => {
      // The KPI push is opt-in per subscription; the server forgets it with the socket, so ask after every connect.
      const scope = this.kpiScope();
      if (scope) void this.live.send({ type: 'subscribe', scope, kpis: true });
      // What changed while disconnected was pushed to nobody.
      if (reconnect) void this.reload();
    });

    this.timer = setInterval(() => this.tick(), 1000);
    if (!this.kpiScope()) this.pollTimer = setInterval(() => void this.loadKpis(), REGION_POLL_MS);
    await this.reload();
    await this.startTour();
    this.probe.errors.push(...params.errors);
    this.tick();
    this.map.requestRender();
  }

  private liveClient: LiveClient | null = null;
  /** The wall's one live client (created on first use: the site overlays need it before the rest is wired). */
  private live0(): LiveClient {
    return (this.liveClient ??= new LiveClient({ scopes: this.liveScopes() }));
  }

  /**
   * The live scope: the tier's room, which gets every push of its projects (a region wall watches the region's
   * room: an authority may not join the whole city's).
   */
  private liveScopes(): LiveScope[] {
    const scope = this.kpiScope();
    return scope ? [scope] : [{ kind: 'city' }];
  }

  /** The scope whose KPI push this wall listens to; null when the wall's id is not one a scope can name (polled). */
  private kpiScope(): LiveScope | null {
    const { tier, id } = this.params;
    if (tier === 'project' && id) return { kind: 'project', projectId: id };
    if (tier === 'enterprise' && id) return { kind: 'enterprise', enterpriseId: id };
    if (!id) return { kind: 'city' };
    const prefix = regionPrefix(id);
    return /^\d{2,6}$/.test(prefix) ? { kind: 'region', regionPrefix: prefix } : null;
  }

  /** Is a project part of this wall's scope? */
  inScope(p: Pick<Project, 'id' | 'enterpriseId' | 'regionCode'>): boolean {
    const { tier, id } = this.params;
    if (!id) return true;
    if (tier === 'project') return p.id === id;
    if (tier === 'enterprise') return p.enterpriseId === id;
    return p.regionCode.startsWith(regionPrefix(id));
  }

  /** Loads projects, KPIs and open alarms (start, and after every reconnect). Failures are shown, never thrown. */
  async reload(): Promise<void> {
    this.store.beginLoad();
    try {
      const r = await fetchProjects();
      this.store.reset(r.projects.filter((p) => this.inScope(p)));
    } catch (err) {
      this.store.fail({ code: (err as ApiError).code ?? 'internal', message: (err as Error).message });
      this.note(`projects: ${(err as Error).message}`);
    }
    await Promise.all([this.loadKpis(), this.loadAlarms()]);
    if (this.cameras)
      (window as unknown as { __siteTwinWallCameras?: number }).__siteTwinWallCameras = await this.cameras.show(
        this.store.list(),
      );
    this.probe.projectsTotal = this.store.size;
    this.dom.title.textContent = this.title();
  }

  private async loadKpis(): Promise<void> {
    try {
      const d = this.district;
      this.showKpis(d ? await fetchKpis('city', d.code) : await fetchKpis(this.params.tier, this.params.id));
    } catch (err) {
      this.note(`KPIs: ${(err as Error).message}`);
    }
  }

  private async loadAlarms(): Promise<void> {
    try {
      const projectId = this.params.tier === 'project' && this.params.id ? this.params.id : undefined;
      const [open, acked] = await Promise.all([
        fetchOpenAlarms({ projectId, limit: 50 }),
        fetchOpenAlarms({ projectId, limit: 50, state: 'acknowledged' }),
      ]);
      this.feed.reset([...open, ...acked].filter((a) => this.store.get(a.projectId)));
      this.ticker.show(this.feed.list(), Date.now());
      this.pulseAlarms();
    } catch (err) {
      this.note(`alarms: ${(err as Error).message}`);
    }
  }

  /** Pins of projects with an open (not acknowledged) alarm pulse. */
  private pulseAlarms(): void {
    this.layer.setAlarmed(
      this.feed
        .list()
        .filter((a) => a.state === 'open')
        .map((a) => a.projectId),
    );
  }

  private showKpis(k: Kpis): void {
    this.kpis = k;
    this.kpisAt = Date.now();
    this.probe.kpisReceived++;
    this.probe.kpisAt = this.kpisAt;
    this.probe.kpis = {
      projectsOnline: k.projects.online.value,
      projectsTotal: k.projects.total,
      cranesWorking: k.cranes.working.value,
      workersOnSite: k.workers.onSite.value,
      openAlarms: k.openAlarms.alarm + k.openAlarms.prewarning,
    };
    this.tiles.update(k, this.kpisAt);
    for (const v of kpiTiles(k)) {
      this.trend.add(v.key, v.num, this.kpisAt);
      this.drill.update(v, this.kpisAt);
    }
  }

  private onMessage(m: LiveServerMessage): void {
    switch (m.type) {
      case 'kpis': {
        if (this.district) return; // narrowed to a district: its figures come by HTTP
        const want = this.kpiScope();
        if (want && m.scope.kind === want.kind && JSON.stringify(m.scope) === JSON.stringify(want))
          this.showKpis(m.kpis);
        return;
      }
      case 'alarm.raised':
      case 'alarm.updated':
      case 'alarm.cleared':
        if (!this.store.get(m.alarm.projectId)) return;
        if (
          this.feed.apply(
            m.type === 'alarm.raised' ? 'raised' : m.type === 'alarm.updated' ? 'updated' : 'cleared',
            m.alarm,
          )
        ) {
          this.ticker.show(this.feed.list(), Date.now());
          this.pulseAlarms();
          void this.city.districts.refresh();
        }
        return;
      case 'project.created':
      case 'project.updated':
        if (this.inScope(m.project)) this.store.apply(m);
        else if (this.store.get(m.project.id)) this.store.apply({ type: 'project.deleted', projectId: m.project.id });
        return;
      case 'project.deleted':
        this.store.apply(m);
        this.freshness.apply(m);
        return;
      default:
        this.freshness.apply(m);
    }
  }

  /** Once a second: clock, ages, and (every 5 s) which projects are live. Text only: no node is created here. */
  private tick(): void {
    const now = Date.now();
    this.dom.clock.textContent = formatClock(now);
    this.tiles.tick(now);
    this.ticker.tick(now);
    this.probe.alarmsShown = this.ticker.shown;
    const since = this.kpisAt ? now - this.kpisAt : null;
    const connected = this.live.status === 'connected';
    const asOf = t('wall.asOf', { time: formatClock(this.kpisAt) });
    this.dom.age.textContent =
      since === null
        ? t('wall.waiting')
        : !connected
          ? t('wall.offlineAsOf', { asOf })
          : since < 15_000
            ? t('wall.dataLive')
            : asOf;
    this.dom.age.dataset.stale = String(since === null || since >= 15_000 || !connected);
    if (this.tickCount++ % 5 === 0) this.refreshProjects(now);
    this.checkReady();
  }

  private refreshProjects(now = Date.now()): void {
    const live = this.freshness.liveness(now);
    const list = this.store.list();
    this.probe.projectsOnline = this.strip.show(list, live, now);
    this.probe.projectsTotal = list.length;
    this.probe.offlineProjects = list.filter((p) => !live.get(p.id)?.online).map((p) => p.id);
    this.shading.apply(
      list.map((p) => p.id),
      live,
    );
  }

  private async startTour(): Promise<void> {
    let tour: Tour | null = null;
    if (this.params.tourId) {
      try {
        tour = await fetchTour(this.params.tourId);
        this.generatedTour = false;
      } catch (err) {
        this.note(`tour ${this.params.tourId}: ${(err as Error).message}; running the automatic tour`);
      }
    }
    tour ??= this.autoTour();
    const everyGiven = new URLSearchParams(window.location.search).has('every');
    this.player.dwellOverrideS = this.generatedTour || everyGiven ? this.params.everyS : null;
    this.probe.tourId = tour?.id ?? null;
    if (tour?.viewpoints.length) this.player.load(tour, 0, { instant: true });
    else this.map.flyToDefault(0);
    // A reload that changes the projects regenerates the automatic tour, keeping its place.
    this.store.onChanged.add((c) => {
      if (c.kind !== 'reset' || !this.generatedTour) return;
      const t = this.autoTour();
      const cur = this.player.current;
      if (t && (!cur || cur.viewpoints.length !== t.viewpoints.length)) this.player.load(t, this.player.state.step);
    });
  }

  private autoTour(): Tour | null {
    const list = this.store.list();
    if (!list.length) return null;
    // On a portrait screen Cesium's 60 degree field is the vertical one: the views are pitched so their top edge stays
    // clear of the horizon (the 390x844 wall's city tour at -35 degrees showed it 4.8 degrees down).
    const fovy = (this.map.viewer.camera.frustum as { fovy?: number }).fovy;
    const opts = typeof fovy === 'number' ? { maxPitchDeg: pitchClearOfHorizon(0, (fovy * 180) / Math.PI) } : {};
    return this.params.tier === 'project'
      ? defaultProjectTour(list[0]!, Date.now(), opts)
      : defaultCityTour(list, Date.now(), opts);
  }

  private title(): string {
    const { tier, id } = this.params;
    if (tier === 'project') return this.store.list()[0]?.name ?? t('wall.project');
    if (tier === 'enterprise') return this.store.list()[0]?.enterpriseName ?? t('wall.enterprise');
    const base = id ? t('wall.cityRegionTitle', { id }) : t('wall.cityTitle');
    return this.district ? `${base} · ${this.district.name} ${this.district.code}` : base;
  }

  private checkReady(): void {
    const p = this.probe;
    p.idle = this.map.tilesLoaded && this.map.entitiesReady && !!p.tour?.arrived;
    const settled = this.store.status === 'loaded' || this.store.status === 'error';
    const tourSettled = !this.player.current || p.tour?.arrived === true;
    const w: string[] = [];
    if (!p.ready) {
      if (!settled) w.push('projects');
      if (!(this.kpis || p.errors.length)) w.push('kpis');
      if (p.frames === 0) w.push('first frame');
    }
    if (!this.map.viewer.scene.globe.tilesLoaded) w.push('globe tiles');
    if (!this.map.basemap.loaded) w.push('base map');
    if (!p.tour?.arrived) w.push('tour arrival');
    if (!this.map.entitiesReady) w.push('entities');
    if (w.join() !== p.waiting.join()) p.waiting = w;
    if (p.ready) return;
    if (settled && (this.kpis || p.errors.length) && p.frames > 0 && this.map.tilesLoaded && tourSettled) {
      p.ready = true;
      p.readyAtMs = Math.round(performance.now());
      document.body.dataset.ready = '1';
    }
  }

  /** Scales the wall to the screen and caps the map's pixel count (see mapResolutionScale). */
  private layout(): void {
    const w = window.innerWidth;
    const hgt = window.innerHeight;
    // rem is relative to <html>: the whole wall (and its overlays) scales with one number.
    document.documentElement.style.fontSize = `${16 * wallScale(w, hgt)}px`;
    this.probe.scale = wallScale(w, hgt);
    // The map's labels and pins are read from across the room like the rest of the wall: 25-26 px text at 1080p.
    const text = WALL_MAP_TEXT * wallScale(w, hgt);
    if (this.city) this.city.placer.clusterPx = 26 * text;
    if (this.layer) this.layer.textScale = text;
    if (this.map) this.map.basemap.textScale = text;
    if (this.site) this.site.overlays.textScale = text;
    // The map cell's size changed with the layout: its drawing buffer follows (device pixel ratio, capped).
    this.map?.fitResolution();
  }

  private note(msg: string): void {
    // Bounded: a wall that loses its server for a week must not collect a week of messages.
    this.probe.errors.push(msg);
    if (this.probe.errors.length > 20) this.probe.errors.splice(0, this.probe.errors.length - 20);
  }

  dispose(): void {
    clearInterval(this.timer);
    clearInterval(this.pollTimer);
    window.removeEventListener('resize', this.onResize);
    this.tools.dispose();
  }
}
