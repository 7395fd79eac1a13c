import type { Tool } from '../../core/Tool.js';
import { Dock } from '../../ui/Dock.js';
import { h } from '../../ui/dom.js';
import { t } from '../../i18n/i18n.js';

/** Where each panel of the map page lives (the containers handed to the panels). */
export interface MapPanes {
  /** Left dock, "Projects" tab: the project list (always offered). */
  projects: HTMLElement;
  /** Left dock, "4D" tab: the 4D progress panel (offered while it is open). */
  progress: HTMLElement;
  /** Left dock, "Layers" tab: a slot for the layer panel (offered once something is put in it). */
  layers: HTMLElement;
  /** Left column under the tabs: the alarm feed, always in view. */
  alarms: HTMLElement;
  /** Right dock, "Project" tab: the project panel and its readiness card. */
  project: HTMLElement;
  /** Right dock, "Device" tab: the device panel (its history chart in view without scrolling). */
  device: HTMLElement;
  /** Right dock, "Element" tab: the BIM element panel, "Open in BIM workspace", placement and conversion notes. */
  element: HTMLElement;
  /** Right dock, "问题 Issues" tab: the selected project's topics (list, filters, raise and reply forms). */
  issues: HTMLElement;
  /** Bottom time bar under the map: the replay controls. */
  time: HTMLElement;
  /** Bottom time bar, left end: the loading chip (BIM tiles streaming in), always in the same place. */
  status: HTMLElement;
}

/**
 * The map page's docked layout: a left column (tabs: projects, 4D, layers; the alarm feed under them), the map, a
 * right dock (tabs: project, device, element, issues; offered when they show something, the newest to front) and a bottom
 * time bar. CSS grid around the Cesium container, so no panel floats over the map or over another panel.
 */
export class MapLayout implements Tool {
  enabled = true;
  readonly left: Dock;
  readonly right: Dock;
  readonly panes: MapPanes;
  private readonly added: HTMLElement[] = [];

  constructor(dom: { layout: HTMLElement; sidebar: HTMLElement; mapWrap: HTMLElement; detail: HTMLElement }) {
    document.body.classList.add('map-page');
    dom.layout.classList.add('docked');
    // The floating detail box of the old layout stays empty (the workspace still uses it).
    dom.detail.hidden = true;
    this.left = new Dock(dom.sidebar, 'left', t('dock.panels'));
    const projects = this.left.addTab('projects', t('dock.projects'), { always: true });
    const progress = this.left.addTab('progress', t('dock.progress'), { follow: true });
    const layers = this.left.addTab('layers', t('dock.layers'));
    this.left.select('projects');
    const alarms = h('div', { class: 'alarm-dock', 'data-testid': 'alarm-dock' });
    dom.sidebar.append(alarms);
    const rightCol = h('aside', { class: 'dock-column-right', 'aria-label': t('dock.details') });
    dom.layout.append(rightCol);
    this.right = new Dock(rightCol, 'right', t('dock.details'));
    const project = this.right.addTab('project', t('dock.project'), { follow: true });
    const device = this.right.addTab('device', t('dock.device'), { follow: true, paneClass: 'site-device' });
    const element = this.right.addTab('element', t('dock.element'), { follow: true, paneClass: 'bim-detail' });
    // Offered with the project, never pushed to front by itself (the Project tab stays what a selection shows first).
    const issues = this.right.addTab('issues', t('dock.issues'), { background: true, paneClass: 'topics-pane' });
    // The right column goes when its dock has nothing to offer: the map gets the width back.
    const syncRight = () => (rightCol.hidden = this.right.root.hidden);
    new MutationObserver(syncRight).observe(this.right.root, { attributes: true, attributeFilter: ['hidden'] });
    syncRight();
    const status = h('div', { class: 'timebar-status' });
    const time = h('div', { class: 'timebar-time' });
    const timebar = h(
      'div',
      { class: 'timebar', 'data-testid': 'timebar', role: 'region', 'aria-label': t('dock.time') },
      status,
      time,
    );
    dom.layout.append(timebar);
    this.added.push(alarms, rightCol, timebar);
    this.panes = { projects, progress, layers, alarms, project, device, element, issues, time, status };
  }

  dispose(): void {
    this.left.dispose();
    this.right.dispose();
    for (const e of this.added) e.remove();
  }
}
