import { CustomDataSource } from 'cesium';
import type { Topic } from '../../models/Topic.js';
import { fetchTopics } from '../api/topicsApi.js';
import type { Tool } from '../core/Tool.js';
import type { LiveClient } from '../live/LiveClient.js';
import type { MapView } from '../map/MapView.js';
import { TopicPanel } from './TopicPanel.js';
import { syncTopicPins, type pinPosition } from './topicPins.js';

type DeviceAt = Parameters<typeof pinPosition>[1];

/**
 * The selected project's topics on the map page (issue 16): the TopicPanel (list, filters, raise and reply forms) in
 * the right dock's "问题 Issues" pane, and a pin per open topic on the map (topicPins), both kept current by the
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

  constructor(
    private readonly map: MapView,
    live: LiveClient,
    private readonly pane: HTMLElement,
    private readonly projectOf: (id: string) => { name: string; address?: string } | undefined,
    private readonly deviceAt: DeviceAt,
  ) {
    void map.viewer.dataSources.add(this.pins);
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
    this.drawPins();
    if (!projectId) return;
    const panel = new TopicPanel(projectId, this.projectOf(projectId) ?? { name: projectId });
    panel.root.dataset.testid = 'topic-panel';
    this.panel = panel;
    this.pane.append(panel.root);
    panel.refresh().catch((e: unknown) => this.showError(panel, e));
    fetchTopics(projectId, { open: 'true' })
      .then((ts) => {
        if (seq !== this.seq) return;
        this.topics = ts;
        this.drawPins();
      })
      .catch((e: unknown) => console.warn('topics: pins not loaded', e));
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
    p.textContent = `问题列表加载失败 Issues could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    panel.root.prepend(p);
  }

  dispose(): void {
    for (const off of this.offs) off();
    this.panel?.root.remove();
    this.map.viewer.dataSources.remove(this.pins, true);
  }
}
