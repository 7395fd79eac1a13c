import type { Project } from '../../models/Project.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { formatAge } from './kpiView.js';
import type { ProjectLiveness } from './ProjectFreshness.js';
import { t } from '../i18n/i18n.js';

interface Row {
  root: HTMLElement;
  name: HTMLElement;
  state: HTMLElement;
  open: HTMLAnchorElement;
}

/**
 * The wall's project list: one row per project in scope (a fixed pool, the rest summed), online ones first, offline
 * ones greyed with the age of their last data. Rows are reused in place.
 */
export class ProjectStrip implements Tool {
  enabled = true;
  private readonly rows: Row[] = [];
  private readonly more: HTMLElement;
  private readonly count: HTMLElement;

  constructor(container: HTMLElement, size: number) {
    this.count = h('span', { class: 'count' });
    const list = h('div', { class: 'strip-list' });
    for (let i = 0; i < size; i++) {
      const name = h('span', { class: 'strip-name' });
      const state = h('span', { class: 'strip-state' });
      // The name opens the project on the map page (its devices, issues and notices): where an inspector raises a
      // notice from.
      const open = h('a', { class: 'strip-open', 'data-testid': 'strip-open', title: t('wall.openProject') }, name);
      const root = h(
        'div',
        { class: 'strip-row', 'data-testid': 'strip-row' },
        h('span', { class: 'dot' }),
        open,
        state,
      );
      root.hidden = true;
      list.append(root);
      this.rows.push({ root, name, state, open });
    }
    this.more = h('div', { class: 'strip-more' });
    container.append(
      h('div', { class: 'wall-panel-head' }, h('h2', { text: t('wall.projects') }), this.count),
      list,
      this.more,
    );
  }

  /** Offline = no device reporting within its interval, or no device at all. */
  show(projects: readonly Project[], live: ReadonlyMap<string, ProjectLiveness>, now: number): number {
    const sorted = [...projects].sort(
      (a, b) =>
        Number(!!live.get(b.id)?.online) - Number(!!live.get(a.id)?.online) || a.name.localeCompare(b.name, 'zh'),
    );
    let online = 0;
    for (const p of projects) if (live.get(p.id)?.online) online++;
    this.rows.forEach((r, i) => {
      const p = sorted[i];
      r.root.hidden = !p;
      if (!p) return;
      const l = live.get(p.id);
      r.root.dataset.projectId = p.id;
      r.open.href = `/?project=${encodeURIComponent(p.id)}`;
      r.root.dataset.online = String(!!l?.online);
      r.name.textContent = p.name;
      r.state.textContent =
        !l || l.devices === 0
          ? t('wall.noDevices')
          : l.online
            ? t('wall.liveDevices', { n: l.reporting, total: l.devices })
            : t('wall.offlineSince', { age: l.newest === null ? t('wall.never') : formatAge(now - l.newest) });
    });
    const hidden = sorted.length - this.rows.length;
    this.more.hidden = hidden <= 0;
    this.more.textContent = hidden > 0 ? t('wall.more', { n: hidden }) : '';
    this.count.textContent = t('wall.onlineCount', { n: online, total: projects.length });
    return online;
  }

  dispose(): void {
    this.rows.length = 0;
  }
}
