import './readiness.css';
import { fetchCityReadiness, type CityReadiness } from '../api/opsApi.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { GRADE_STYLE, itemLabel, sortReadiness, type ReadinessRow, type ReadinessSortKey } from './readinessSort.js';
import { t, tOr } from '../i18n/i18n.js';
import { errorText } from '../api/errorText.js';

const STATUS_MARK: Record<string, string> = { met: '●', partial: '◐', missing: '○', not_applicable: '–' };

/**
 * The city's smart-site readiness table, opened from the top bar: one row per project with its score, grade, failed
 * veto items and each item's status, sortable by any column (click a header; again to reverse). Clicking a row selects
 * the project.
 */
export class ReadinessTable implements Tool {
  enabled = true;
  readonly onPick = new Event<string>();
  private readonly root: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly status: HTMLElement;
  private data: CityReadiness | null = null;
  private key: ReadinessSortKey = 'score';
  private dir: 'asc' | 'desc' = 'desc';

  constructor(container: HTMLElement) {
    this.table = h('table', { class: 'readiness-table', 'data-testid': 'readiness-table' });
    this.status = h('p', { class: 'progress-status' });
    this.root = h(
      'div',
      { class: 'modal', 'data-testid': 'readiness-modal' },
      h(
        'div',
        { class: 'modal-card' },
        h(
          'header',
          { class: 'detail-head' },
          h('h2', { class: 'detail-name', text: t('readiness.title') }),
          h('button', { class: 'icon-btn', 'data-action': 'close', 'aria-label': t('common.close'), text: '×' }),
        ),
        this.status,
        h('div', { class: 'modal-scroll' }, this.table),
      ),
    );
    this.root.hidden = true;
    container.append(this.root);
    this.root.addEventListener('click', (e) => {
      const t = e.target as HTMLElement;
      if (t === this.root || t.closest('[data-action="close"]')) return this.close();
      const th = t.closest<HTMLElement>('th[data-sort]');
      if (th) return this.sortBy(th.dataset.sort as ReadinessSortKey);
      const tr = t.closest<HTMLElement>('tr[data-project-id]');
      if (tr) {
        this.onPick.trigger(tr.dataset.projectId!);
        this.close();
      }
    });
  }

  get isOpen(): boolean {
    return !this.root.hidden;
  }

  async open(): Promise<void> {
    this.root.hidden = false;
    this.status.textContent = t('common.loading');
    try {
      this.data = await fetchCityReadiness();
      const g = this.data.grades;
      this.status.textContent = t('readiness.summary', {
        n: this.data.projects.length,
        excellent: g.excellent ?? 0,
        good: g.good ?? 0,
        pass: g.pass ?? 0,
        fail: g.fail ?? 0,
      });
      this.render();
    } catch (err) {
      this.status.textContent = t('readiness.failed', { message: errorText(err) });
    }
  }

  close(): void {
    this.root.hidden = true;
  }

  sortBy(key: ReadinessSortKey): void {
    this.dir = key === this.key ? (this.dir === 'asc' ? 'desc' : 'asc') : key === 'name' ? 'asc' : 'desc';
    this.key = key;
    this.render();
  }

  private render(): void {
    const d = this.data;
    if (!d) return;
    const rows: ReadinessRow[] = d.projects.map((p) => ({
      projectId: p.projectId,
      name: p.name,
      score: p.score,
      grade: p.grade,
      vetoFailed: p.vetoFailed,
      items: p.items,
    }));
    const th = (key: ReadinessSortKey, text: string, title?: string) =>
      h('th', {
        'data-sort': key,
        title,
        'aria-sort': this.key === key ? (this.dir === 'asc' ? 'ascending' : 'descending') : undefined,
        text: `${text}${this.key === key ? (this.dir === 'asc' ? ' ▲' : ' ▼') : ''}`,
      });
    this.table.replaceChildren(
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          th('name', t('readiness.col.project')),
          th('score', t('readiness.col.score')),
          th('grade', t('readiness.col.grade')),
          th('veto', t('readiness.col.veto')),
          ...d.items.map((i) =>
            th(
              `item:${i.id}`,
              tOr(`readiness.short.${i.id}`, i.label.split(' ')[0]!),
              t(i.veto ? 'readiness.itemTitleVeto' : 'readiness.itemTitle', {
                label: itemLabel(i.id, i.label),
                points: i.points,
              }),
            ),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        ...sortReadiness(rows, this.key, this.dir).map((r) =>
          h(
            'tr',
            { 'data-project-id': r.projectId },
            h('td', { text: r.name }),
            h('td', { class: 'num', text: String(r.score) }),
            h(
              'td',
              {},
              h('span', {
                class: 'badge',
                style: `--c:${GRADE_STYLE[r.grade].color}`,
                text: GRADE_STYLE[r.grade].label,
              }),
            ),
            h('td', {
              text:
                r.vetoFailed.map((id) => itemLabel(id, d.items.find((i) => i.id === id)?.label ?? id)).join(', ') ||
                '—',
            }),
            ...d.items.map((i) => {
              const it = r.items.find((x) => x.id === i.id);
              return h('td', {
                class: `item-${it?.status ?? 'missing'}`,
                title: tOr(`readiness.status.${it?.status ?? 'missing'}`, it?.status ?? ''),
                text: STATUS_MARK[it?.status ?? 'missing'] ?? '?',
              });
            }),
          ),
        ),
      ),
    );
  }

  dispose(): void {
    this.onPick.reset();
    this.root.remove();
  }
}
