import type { Project } from '../../models/Project.js';
import { ringCentroid } from '../../models/geo.js';
import type { Tool } from '../core/Tool.js';
import { footprintAreaM2 } from '../geo/footprintArea.js';
import { STATUS_STYLE } from '../state/projectStatus.js';
import type { ProjectStore } from '../state/ProjectStore.js';
import type { SelectionState } from '../state/SelectionState.js';
import { h } from './dom.js';
import { formatArea, formatHeight, formatLatLon, formatTime } from './format.js';
import { badge } from './ProjectListPanel.js';
import { ProjectQualityTable } from './ProjectQualityTable.js';
import { t } from '../i18n/i18n.js';

/** The selected project's details. Hidden while nothing is selected; follows live updates of that project. */
export class ProjectPanel implements Tool {
  private readonly root: HTMLElement;
  private readonly offs: (() => void)[] = [];
  private _enabled = true;
  /** The data-quality table, while open (for the shown project). */
  private quality: ProjectQualityTable | null = null;

  constructor(
    container: HTMLElement,
    private readonly store: ProjectStore,
    private readonly selection: SelectionState,
    /** Asked to fly to the shown project again (the "Zoom to" button). */
    private readonly zoomTo: (id: string) => void,
  ) {
    this.root = h('aside', { class: 'panel detail-panel', 'data-testid': 'project-panel', 'aria-live': 'polite' });
    this.root.hidden = true;
    container.append(this.root);
    this.root.addEventListener('click', (e) => {
      const a = (e.target as HTMLElement).closest<HTMLElement>('[data-action]')?.dataset.action;
      if (a === 'close') this.selection.clear('user');
      if (a === 'zoom' && this.selection.selectedId) this.zoomTo(this.selection.selectedId);
      if (a === 'quality') this.toggleQuality();
    });
    this.offs.push(
      selection.onChanged.add(() => this.render()),
      store.onChanged.add((c) => {
        if (c.kind === 'reset' || c.id === this.selection.selectedId) this.render();
      }),
    );
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    this.render();
  }

  private render(): void {
    const id = this.selection.selectedId;
    const p = id ? this.store.get(id) : undefined;
    this.root.hidden = !this._enabled || !p;
    if (!p) {
      this.closeQuality();
      this.root.replaceChildren();
      return;
    }
    if (this.quality && this.root.dataset.projectId !== p.id) this.closeQuality();
    this.root.dataset.projectId = p.id;
    this.root.replaceChildren(...this.content(p), ...(this.quality ? [this.quality.root] : []));
  }

  private content(p: Project): HTMLElement[] {
    const st = STATUS_STYLE[p.status];
    const c = ringCentroid(p.footprint);
    const rows: [string, string, string?][] = [
      [t('project.enterprise'), p.enterpriseName ?? '—', 'enterprise'],
      [t('project.address'), p.address || '—', 'address'],
      [t('project.region'), p.regionCode, 'region'],
      [t('project.height'), formatHeight(p.heightM), 'height'],
      [t('project.area'), formatArea(footprintAreaM2(p.footprint)), 'area'],
      [t('project.location'), formatLatLon(p.location.lat, p.location.lon), 'location'],
      [t('project.centre'), formatLatLon(c.lat, c.lon)],
      [t('project.updated'), formatTime(p.updatedAt)],
    ];
    return [
      h(
        'header',
        { class: 'detail-head' },
        h(
          'div',
          {},
          h('h2', { class: 'detail-name', 'data-testid': 'project-name', text: p.name }),
          badge(st.label, st.color),
        ),
        h('button', {
          class: 'icon-btn',
          'data-action': 'close',
          title: t('common.closeEsc'),
          'aria-label': t('common.close'),
          text: '×',
        }),
      ),
      h(
        'dl',
        { class: 'facts' },
        ...rows.flatMap(([k, v, key]) => [
          h('dt', { text: k }),
          h('dd', { text: v, ...(key ? { 'data-field': key } : {}) }),
        ]),
      ),
      h(
        'div',
        { class: 'detail-actions' },
        h('button', { class: 'btn', 'data-action': 'zoom', text: t('project.zoom') }),
        h('button', {
          class: 'btn',
          'data-action': 'quality',
          'data-testid': 'open-quality',
          'aria-pressed': String(this.quality !== null),
          text: t('project.quality'),
        }),
      ),
    ];
  }

  /** Opens (fetching it) or closes the project's data-quality table. */
  private toggleQuality(): void {
    const id = this.selection.selectedId;
    if (this.quality || !id) return (this.closeQuality(), this.render());
    this.quality = new ProjectQualityTable(id);
    void this.quality.load();
    this.render();
  }

  private closeQuality(): void {
    this.quality?.dispose();
    this.quality = null;
  }

  dispose(): void {
    for (const off of this.offs) off();
    this.closeQuality();
    this.root.remove();
  }
}
