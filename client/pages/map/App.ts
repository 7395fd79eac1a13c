import type { ClientConfig } from '../../../models/ClientConfig.js';
import { MapBim } from '../../bim/MapBim.js';
import { ToolRegistry } from '../../core/Tool.js';
import { sessionLiveScopes } from '../../auth/session.js';
import { LiveClient } from '../../live/LiveClient.js';
import { bindProjectFeed, type ProjectFeed } from '../../live/bindProjectFeed.js';
import { MapView } from '../../map/MapView.js';
import { ProjectLayer } from '../../map/ProjectLayer.js';
import { addCityLayers } from '../../map/cityLayers.js';
import { SitePage } from './SitePage.js';
import { DeepLink } from '../../state/DeepLink.js';
import { ProjectStore } from '../../state/ProjectStore.js';
import { SelectionState } from '../../state/SelectionState.js';
import { ConnectionBanner, LiveIndicator, toast } from '../../ui/Banner.js';
import { Legend } from '../../ui/Legend.js';
import { type LoadingOverlay } from '../../ui/LoadingOverlay.js';
import { ProjectListPanel } from '../../ui/ProjectListPanel.js';
import { ProjectPanel } from '../../ui/ProjectPanel.js';
import { addCommandCenterTools } from './cityCommandTools.js';
import { MapClicks } from './MapClicks.js';
import type { MapPanes } from './MapLayout.js';
import { PageReady } from './PageReady.js';
import { deviceLineProbe, labelProbe, pulseProbe, topEdgeProbe } from '../../probes/labelProbe.js';
import { t, tOr } from '../../i18n/i18n.js';
import { ProjectTopics } from '../../topics/ProjectTopics.js';

/** The page's fixed containers (from index.html). */
export interface AppDom {
  map: HTMLElement;
  /** The project list's place (the left dock's Projects tab). */
  sidebar: HTMLElement;
  /** The project panel's place (the right dock's Project tab). */
  detail: HTMLElement;
  /** Over the map: map chrome only (legends, banners, tour caption, loading veil). */
  overlay: HTMLElement;
  topbar: HTMLElement;
  toasts: HTMLElement;
  /** The docked layout's other places. */
  panes: Pick<MapPanes, 'alarms' | 'device' | 'element' | 'progress' | 'time' | 'status' | 'layers' | 'issues'>;
}

/**
 * The city overview: builds the tools, registers them, and wires selection <-> map <-> URL. Everything shown comes
 * from the ProjectStore; the socket only feeds it.
 */
export class App {
  readonly tools = new ToolRegistry();
  readonly store = new ProjectStore();
  readonly selection = new SelectionState();
  private feed!: ProjectFeed;
  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && !e.defaultPrevented) this.selection.clear('user');
  };

  constructor(
    private readonly dom: AppDom,
    private readonly loading: LoadingOverlay,
  ) {}

  /** Starts everything; resolves once the first project load settled and the first view is set. */
  async start(config: ClientConfig, configError: string | null): Promise<void> {
    const { tools, store, selection, dom } = this;
    this.loading.step(t('loading.globe'));
    const map = tools.add(new MapView(dom.map, config, { theme: 'light' }));
    // No camera move yet: the first view depends on the load (deep link, fit all) and loading the tiles of a view we
    // leave a moment later costs tens of seconds on a software renderer.
    // The widest tier the account reads (the city for admins and without accounts), asked again after a login.
    const live = tools.add(new LiveClient({ scopes: sessionLiveScopes }));
    this.feed = bindProjectFeed(store, live);
    // Before the footprints: its click handler must run first, so a click on a model element is not also taken as
    // "clicked empty ground" by the project selection below.
    let layer: ProjectLayer | null = null;
    const bim = tools.add(
      new MapBim(map, store, dom.overlay, () => layer, live, { detail: dom.panes.element, status: dom.panes.status }),
    );
    // The opened project's live site (device overlays, alarm feed, device panel, replay); also before the footprints,
    // so a click on a device is not taken as a click on empty ground.
    const site = tools.add(
      new SitePage(
        map,
        live,
        { overlay: dom.overlay, alarms: dom.panes.alarms, device: dom.panes.device, time: dom.panes.time },
        (id) => selection.select(id, 'user'),
        (id) => store.get(id)?.name,
      ),
    );
    // Devices first, then elements; before the footprints, so neither is also taken as a click on empty ground.
    tools.add(new MapClicks(map, site, bim));
    // The selected project's issues (issue 16): the right dock's Issues tab and a pin per open topic; before the
    // footprints, so a click on a pin is not taken as a click on empty ground.
    const topics = tools.add(
      new ProjectTopics(
        map,
        live,
        dom.panes.issues,
        (id) => store.get(id),
        (deviceId) => site.devices.record(deviceId)?.location,
        () => {
          const id = site.panel.shownId;
          const d = id ? site.devices.record(id) : undefined;
          return d ? { id: d.id, name: d.name } : null;
        },
        (deviceId) => site.devices.record(deviceId)?.name,
      ),
    );
    // The opened site's snapshot: pins of device-anchored topics can stand, and anchors get device names.
    site.devices.onChanged.add((c) => c.kind === 'reset' && topics.devicesChanged());
    // Alarm rows name their project: the list may arrive after the alarms.
    store.onChanged.add(() => site.feed.renderSoon());
    layer = tools.add(new ProjectLayer(map, store, selection));
    const list = tools.add(new ProjectListPanel(dom.sidebar, store, selection));
    // Districts (figures, click to narrow the list), label placement, the layer panel (in the left dock's Layers tab).
    const city = addCityLayers(tools, map, layer, 'light', store, {
      panelHost: dom.panes.layers,
      site: site.overlays,
      bim: bim.layer,
    });
    // The site's device labels are placed with the project labels (none over another at site scale on a phone).
    city.placer.add(site.overlays);
    site.overlays.onLabelsChanged = () => city.placer.invalidate();
    city.districts.onPicked.add(({ code, name }) => list.setRegion(code && name ? { code, name } : null));
    list.onRegionCleared = () => city.districts.select(null);
    tools.add(new ProjectPanel(dom.detail, store, selection, (id) => layer.flyTo(id)));
    tools.add(new Legend(dom.overlay, store));
    tools.add(new ConnectionBanner(dom.overlay, live));
    tools.add(new LiveIndicator(dom.topbar, live));
    const link = tools.add(new DeepLink(selection));
    const command = addCommandCenterTools(tools, map, selection, bim, live, {
      overlay: dom.overlay,
      detail: dom.detail,
      topbar: dom.topbar,
      progress: dom.panes.progress,
    });
    const pageReady = tools.add(new PageReady(map, layer, store, selection, live));
    labelProbe(map.viewer);
    pulseProbe(map.viewer);
    deviceLineProbe(map.viewer);
    topEdgeProbe(map.viewer);
    pageReady.onReady.add(() => this.loading.done());

    if (configError) toast(dom.toasts, t('map.configUnavailable', { message: configError }), 'warn', 10_000);
    map.onSourceError.add((e) =>
      toast(
        dom.toasts,
        t('map.sourceFailed', {
          source: tOr(`map.source.${e.source.replace(/\s+/g, '_')}`, e.source),
          message: e.message,
        }),
        'warn',
      ),
    );
    live.onRejected.add((e) => console.warn('live: message rejected', e.reason));
    layer.onPicked.add(({ projectId }) => {
      if (!projectId && (bim.layer.lastClickHitElement || site.lastClickHitDevice || topics.lastClickHitPin)) return;
      selection.select(projectId, 'user');
    });
    map.onHome.add(() => layer.flyToAll());
    list.onRetry.add(() => void this.feed.reload());
    selection.onChanged.add((c) => {
      site.open(c.id);
      topics.open(c.id);
      if (c.source === 'store') return;
      if (c.id) layer.flyTo(c.id);
      else if (c.source === 'history') layer.flyToAll();
    });
    store.onChanged.add((c) => {
      // A selected project that disappears (deleted, or gone after a reload) cannot stay selected.
      const sel = selection.selectedId;
      if (sel && !store.get(sel) && (c.kind === 'reset' || c.id === sel)) selection.clear('store');
    });
    document.addEventListener('keydown', this.onKey);

    this.loading.step(t('list.loading'));
    await this.feed.reload();
    const wanted = link.initialProjectId();
    if (wanted && store.get(wanted)) {
      selection.select(wanted, 'url');
      layer.flyTo(wanted, 0);
    } else {
      if (wanted) {
        if (store.status === 'loaded') toast(dom.toasts, t('map.linkedGone'), 'warn');
        link.replace(null);
      }
      layer.flyToAll(0);
    }
    this.loading.step(t(store.status === 'error' ? 'loading.projectsUnavailable' : 'loading.drawingProjects'));
    bim.applyUrl();
    await command.applyUrl();
    pageReady.initialViewSet = true;
    pageReady.check();
    map.requestRender();
  }

  dispose(): void {
    document.removeEventListener('keydown', this.onKey);
    this.feed?.dispose();
    this.tools.dispose();
  }
}
