import { Cartesian3, CustomDataSource, Math as CesiumMath, PerspectiveFrustum } from 'cesium';
import type { Project } from '../../models/Project.js';
import type { BcfCamera, Topic } from '../../models/Topic.js';
import { topicAllows, type TopicAction } from '../../models/topicRules.js';
import type { UserGrant } from '../../models/User.js';
import { fetchTopics } from '../api/topicsApi.js';
import { currentSession } from '../auth/session.js';
import { fetchProjectModels } from '../bim/bimApi.js';
import { t } from '../i18n/i18n.js';
import { publishTopicsProbe } from '../probes/topicsProbe.js';
import type { Tool } from '../core/Tool.js';
import type { LiveClient } from '../live/LiveClient.js';
import type { MapView } from '../map/MapView.js';
import { TopicPanel } from './TopicPanel.js';
import type { TopicContext } from './topicContext.js';
import { syncTopicPins, type pinPosition } from './topicPins.js';
import { bcfCameraFromEcef, ecefPoseOf, viewFrameOf, type ViewFrame } from './viewpointFrame.js';
import { errorText } from '../api/errorText.js';

type DeviceAt = Parameters<typeof pinPosition>[1];

/**
 * The selected project's topics on the map page (issue 16): the TopicPanel (list, filters, raise and reply forms) in
 * the right dock's issues pane, and a pin per open topic on the map (topicPins), both kept current by the
 * `topic.created` / `topic.updated` pushes of the project's room (SitePage subscribes it while the project is open).
 * With no project selected the pane is empty, so the dock does not offer the tab.
 */
export class ProjectTopics implements Tool {
  enabled = true;
  private readonly pins = new CustomDataSource('topics');
  private projectId: string | null = null;
  private panel: TopicPanel | null = null;
  /** The open topics of the project, as the pins show them. */
  private topics: Topic[] = [];
  /** Bumped on each open, so an answer for a project left meanwhile is dropped. */
  private seq = 0;
  private readonly offs: (() => unknown)[] = [];
  /** The last map click hit a topic pin (the project selection then ignores it, as for devices). */
  lastClickHitPin = false;
  /** The open project's viewpoint frame (its model's IFC world), once its models are read. */
  frame: ViewFrame | null = null;
  /** The session's grant (undefined: accounts off, or not known yet). */
  private grant: UserGrant | undefined;

  constructor(
    private readonly map: MapView,
    live: LiveClient,
    private readonly pane: HTMLElement,
    private readonly projectOf: (id: string) => Project | undefined,
    private readonly deviceAt: DeviceAt,
    /** The device selected on the map (its panel open), offered as a new topic's anchor. */
    private readonly selectedDevice: () => { id: string; name: string } | null = () => null,
    private readonly deviceName: (id: string) => string | undefined = () => undefined,
  ) {
    void map.viewer.dataSources.add(this.pins);
    // The pane comes to front: the selection may have changed since the form was drawn.
    const watch = new MutationObserver(() => !pane.hidden && this.panel?.syncContext());
    watch.observe(pane, { attributes: true, attributeFilter: ['hidden'] });
    this.offs.push(() => watch.disconnect());
    publishTopicsProbe(this);
    this.offs.push(
      live.onMessage.add((m) => {
        if (m.type === 'topic.created' || m.type === 'topic.updated') this.onTopic(m.topic);
      }),
      // Registered before the footprints' click handler (App adds this tool first), like the device overlays.
      map.onClick.add(({ picked }) => {
        const id = (picked as { id?: { id?: unknown } } | undefined)?.id?.id;
        this.lastClickHitPin =
          typeof id === 'string' && id.startsWith('topic:') && this.pins.entities.getById(id) !== undefined;
      }),
    );
  }

  /** Shows the topics of a project (null: none). */
  open(projectId: string | null): void {
    if (projectId === this.projectId) return;
    this.projectId = projectId;
    const seq = ++this.seq;
    this.panel?.root.remove();
    this.panel = null;
    this.topics = [];
    this.frame = null;
    this.drawPins();
    if (!projectId) return;
    void this.openPanel(projectId, seq);
    fetchTopics(projectId, { open: 'true' })
      .then((ts) => {
        if (seq !== this.seq) return;
        this.topics = ts;
        this.drawPins();
      })
      .catch((e: unknown) => console.warn('topics: pins not loaded', e));
  }

  /** The panel, once the session (who may do what) and the project's models (the viewpoint frame) are known. */
  private async openPanel(projectId: string, seq: number): Promise<void> {
    const [me, models] = await Promise.all([
      currentSession().catch(() => null),
      fetchProjectModels(projectId).catch(() => []),
    ]);
    if (seq !== this.seq) return;
    this.grant = me?.user?.grant;
    const project = this.projectOf(projectId);
    if (project) this.frame = viewFrameOf(models, project.location);
    const panel = new TopicPanel(projectId, project ?? { name: projectId }, this.context(projectId), this.deviceName);
    panel.root.dataset.testid = 'topic-panel';
    this.panel = panel;
    this.pane.append(panel.root);
    panel.refresh().catch((e: unknown) => this.showError(panel, e));
  }

  private context(projectId: string): TopicContext {
    return {
      allows: (action: TopicAction, topic?: Topic) => {
        const p = this.projectOf(projectId);
        if (!p) return false;
        return topicAllows(this.grant, action, p, topic ? { hasNotice: !!topic.notice } : undefined);
      },
      selectedDevice: () => this.selectedDevice(),
      currentViewpoint: () => {
        const camera = this.mapCamera();
        return camera ? { guid: crypto.randomUUID(), camera } : null;
      },
      showViewpoint: (t) => this.showViewpoint(t),
      workspaceUrl: (t) => {
        const frame = this.frame;
        if (!frame?.modelId || !t.viewpoints.some((v) => v.camera)) return null;
        const q = new URLSearchParams({ model: frame.modelId, topic: t.id });
        return `/project/${encodeURIComponent(t.projectId)}?${q.toString()}`;
      },
    };
  }

  /** The map camera as a BCF camera in the open project's frame, or null without one. */
  mapCamera(): Extract<BcfCamera, { kind: 'perspective' }> | null {
    const frame = this.frame;
    if (!frame) return null;
    const c = this.map.viewer.camera;
    const f = c.frustum;
    const fovy = (f instanceof PerspectiveFrustum ? f.fovy : undefined) ?? CesiumMath.toRadians(60);
    const v = (p: Cartesian3) => [p.x, p.y, p.z];
    return bcfCameraFromEcef(
      frame,
      { position: v(c.positionWC), direction: v(c.directionWC), up: v(c.upWC) },
      CesiumMath.toDegrees(fovy),
      f instanceof PerspectiveFrustum ? f.aspectRatio : undefined,
    );
  }

  /** Puts the map camera at a topic's first viewpoint camera, at once (no flight: the view is the point). */
  showViewpoint(t: Topic): boolean {
    const cam = t.viewpoints.find((v) => v.camera)?.camera;
    if (!cam || !this.frame) return false;
    const pose = ecefPoseOf(this.frame, cam);
    this.map.viewer.camera.setView({
      destination: new Cartesian3(...pose.position),
      orientation: { direction: new Cartesian3(...pose.direction), up: new Cartesian3(...pose.up) },
    });
    this.map.requestRender();
    return true;
  }

  /** The site's devices were (re)loaded: device pins can stand, anchors show device names. */
  devicesChanged(): void {
    this.panel?.devicesChanged();
    this.drawPins();
  }

  private onTopic(t: Topic): void {
    if (!this.enabled || t.projectId !== this.projectId) return;
    this.panel?.onTopic(t);
    this.topics = [...this.topics.filter((x) => x.id !== t.id), t];
    this.drawPins();
  }

  private drawPins(): void {
    // The count on the pane, for e2e tests (the dock watches only `hidden`).
    this.pane.dataset.pins = String(syncTopicPins(this.pins.entities, this.topics, this.deviceAt));
    this.map.requestRender();
  }

  private showError(panel: TopicPanel, e: unknown): void {
    if (panel !== this.panel) return;
    const p = document.createElement('p');
    p.className = 'topic-error';
    p.setAttribute('role', 'alert');
    p.textContent = t('topics.loadFailed', { message: errorText(e) });
    panel.root.prepend(p);
  }

  dispose(): void {
    for (const off of this.offs) off();
    this.panel?.root.remove();
    this.map.viewer.dataSources.remove(this.pins, true);
  }
}
