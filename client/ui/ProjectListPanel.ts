import { api } from '../../models/api/index.js';
import type { Project } from '../../models/Project.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { inRegion } from '../../models/District.js';
import { filterProjects } from '../state/projectSearch.js';
import { STATUS_STYLE } from '../state/projectStatus.js';
import type { ProjectStore } from '../state/ProjectStore.js';
import type { SelectionState } from '../state/SelectionState.js';
import { h } from './dom.js';
import { t } from '../i18n/i18n.js';
import { errorText } from '../api/errorText.js';

/**
 * The list of the city's projects: a search box (name, address, enterprise, region code), a count, one row per
 * project with its status badge. Also shows the list's loading, empty and error states.
 */
export class ProjectListPanel implements Tool {
  /** The user asked to retry a failed load. */
  readonly onRetry = new Event<void>();

  private readonly root: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly count: HTMLElement;
  private readonly body: HTMLElement;
  private readonly offs: (() => void)[] = [];
  private query = '';
  /** A district picked on the map narrows the list (GB/T 2260 code and name), null = the whole city. */
  private region: { code: string; name: string } | null = null;
  private readonly regionChip: HTMLElement;
  private _enabled = true;

  constructor(
    container: HTMLElement,
    private readonly store: ProjectStore,
    private readonly selection: SelectionState,
  ) {
    this.input = h('input', {
      type: 'search',
      class: 'search',
      placeholder: t('list.searchPlaceholder'),
      'aria-label': t('list.search'),
      spellcheck: 'false',
    });
    this.count = h('span', { class: 'count', 'data-testid': 'project-count' });
    this.body = h('div', { class: 'list-body', role: 'listbox', 'aria-label': t('list.title') });
    this.regionChip = h('button', { class: 'region-chip', 'data-testid': 'region-chip', title: t('list.showCity') });
    this.regionChip.hidden = true;
    this.regionChip.addEventListener('click', () => this.onRegionCleared());
    this.root = h(
      'section',
      { class: 'panel list-panel', 'data-testid': 'project-list' },
      h('header', { class: 'panel-head' }, h('h2', { text: t('list.title') }), this.count),
      this.regionChip,
      this.input,
      this.body,
    );
    container.append(this.root);

    this.input.addEventListener('input', () => {
      this.query = this.input.value;
      this.render();
    });
    this.input.addEventListener('keydown', (e) => {
      // Esc in the box clears the search first; only an empty box lets Esc through to clear the selection.
      if (e.key === 'Escape' && this.input.value) {
        e.stopPropagation();
        this.input.value = '';
        this.query = '';
        this.render();
      }
    });
    this.body.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('[data-project-id]');
      if (row) this.selection.select(row.dataset.projectId!, 'user');
      const retry = (e.target as HTMLElement).closest('[data-action="retry"]');
      if (retry) this.onRetry.trigger();
    });
    this.offs.push(
      store.onChanged.add(() => this.render()),
      store.onStatus.add(() => this.render()),
      selection.onChanged.add((c) => this.markSelected(c.id, c.source !== 'user')),
    );
    this.render();
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    this.root.hidden = !v;
  }

  /** Called when the user clears the district narrowing from the list (the map deselects the district). */
  onRegionCleared: () => void = () => this.setRegion(null);

  /** Narrows the list to a district (a district clicked on the map), or back to the whole city. */
  setRegion(region: { code: string; name: string } | null): void {
    this.region = region;
    this.regionChip.hidden = !region;
    this.regionChip.textContent = region ? `${region.name} ${region.code} ✕` : '';
    this.render();
  }

  /** Ids of the rows shown now (after the search filter). */
  visibleIds(): string[] {
    return [...this.body.querySelectorAll<HTMLElement>('[data-project-id]')].map((r) => r.dataset.projectId!);
  }

  private render(): void {
    const all = this.store.list();
    const region = this.region;
    const shown = filterProjects(region ? all.filter((p) => inRegion(p.regionCode, region.code)) : all, this.query);
    this.count.textContent =
      this.query.trim() || region
        ? t('projects.countOf', { shown: shown.length, all: all.length })
        : String(all.length);
    this.body.replaceChildren(...this.content(all, shown));
    this.markSelected(this.selection.selectedId, false);
  }

  private content(all: readonly Project[], shown: Project[]): HTMLElement[] {
    const s = this.store.status;
    if (all.length === 0 && (s === 'loading' || s === 'idle'))
      return [h('div', { class: 'state loading' }, h('span', { class: 'spinner small' }), t('list.loading'))];
    const out: HTMLElement[] = [];
    if (s === 'error' && this.store.error) {
      out.push(
        h(
          'div',
          { class: 'state error', role: 'alert', 'data-testid': 'list-error' },
          h('strong', { text: all.length ? t('list.refreshFailed') : t('list.loadFailed') }),
          h('p', { text: errorText(this.store.error) }),
          h('button', { class: 'btn', 'data-action': 'retry', text: t('common.retry') }),
        ),
      );
    }
    if (all.length === 0) {
      if (s !== 'error')
        out.push(
          h(
            'div',
            { class: 'state empty', 'data-testid': 'list-empty' },
            h('strong', { text: t('list.empty') }),
            h('p', { text: t('list.emptyHint', { path: api.projects.create.path }) }),
          ),
        );
      return out;
    }
    if (shown.length === 0)
      out.push(
        h(
          'div',
          { class: 'state empty' },
          h('strong', { text: t('list.noMatch', { q: this.query.trim() }) }),
          h('p', { text: t('list.searchHint') }),
        ),
      );
    for (const p of shown) out.push(this.row(p));
    return out;
  }

  private row(p: Project): HTMLElement {
    const st = STATUS_STYLE[p.status];
    return h(
      'button',
      // The whole of what the row may shorten with an ellipsis (name, enterprise, address), on hover.
      {
        class: 'row',
        role: 'option',
        'data-project-id': p.id,
        title: [p.name, p.enterpriseName, p.address].filter(Boolean).join('\n'),
      },
      h(
        'span',
        { class: 'row-main' },
        h('span', { class: 'row-name', text: p.name }),
        h('span', { class: 'row-sub', text: p.enterpriseName ?? '' }),
        h('span', { class: 'row-sub dim', text: p.address }),
      ),
      badge(st.label, st.color),
    );
  }

  private markSelected(id: string | null, scroll: boolean): void {
    for (const r of this.body.querySelectorAll<HTMLElement>('[data-project-id]')) {
      const on = r.dataset.projectId === id;
      r.classList.toggle('selected', on);
      r.setAttribute('aria-selected', String(on));
      if (on && scroll) r.scrollIntoView({ block: 'nearest' });
    }
  }

  dispose(): void {
    for (const off of this.offs) off();
    this.onRetry.reset();
    this.root.remove();
  }
}

/** A status badge: coloured dot and label. */
export function badge(label: string, color: string): HTMLElement {
  const b = h('span', { class: 'badge' }, h('i', { class: 'dot' }), label);
  b.style.setProperty('--c', color);
  return b;
}
