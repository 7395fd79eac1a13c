import type { KpiTier } from '../../models/Kpis.js';
import { regionPrefix } from '../../models/Kpis.js';
import type { NoticeCounts, NoticeTally } from '../../models/NoticeCounts.js';
import { fetchNoticeCounts } from '../api/vendorsApi.js';
import type { Tool } from '../core/Tool.js';
import { t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';

/** How often the wall asks for the notice counts: deadlines pass by the hour, a minute is plenty. */
export const NOTICE_POLL_MS = 60_000;

/** What the tile shows: the tally of the wall's scope and the worst places (names with their overdue count). */
export interface NoticeTileView {
  tally: NoticeTally;
  worst: { name: string; overdue: number }[];
}

const sum = (list: NoticeTally[]): NoticeTally =>
  list.reduce(
    (a, b) => ({ openNotices: a.openNotices + b.openNotices, overdueNotices: a.overdueNotices + b.overdueNotices }),
    {
      openNotices: 0,
      overdueNotices: 0,
    },
  );

/**
 * The wall's share of the notice counts: a project, an enterprise, a region of the city, or all it reads; the worst
 * three places one level down (districts of the city, projects of an enterprise or region) with overdue notices.
 */
export function noticeTileView(c: NoticeCounts, tier: KpiTier, id: string | null): NoticeTileView {
  const top = (list: { name: string; overdueNotices: number }[]) =>
    list
      .filter((x) => x.overdueNotices > 0)
      .sort((a, b) => b.overdueNotices - a.overdueNotices)
      .slice(0, 3)
      .map((x) => ({ name: x.name, overdue: x.overdueNotices }));
  if (tier === 'project' && id) {
    const p = c.projects.find((x) => x.projectId === id);
    return { tally: p ? sum([p]) : sum([]), worst: [] };
  }
  if (tier === 'enterprise' && id) {
    const mine = c.projects.filter((p) => p.enterpriseId === id);
    return { tally: sum(mine), worst: top(mine) };
  }
  if (id) {
    const prefix = regionPrefix(id);
    const mine = c.projects.filter((p) => p.regionCode.startsWith(prefix));
    return { tally: sum(mine), worst: top(mine) };
  }
  return { tally: c.totals, worst: top(c.districts) };
}

/**
 * The wall's rectification-notice tile (issue 16): overdue notices as the figure, open ones beside, and where most are
 * overdue. Built once, polled every minute; overdue notices also raise alarms, which the alarm list shows.
 */
export class NoticeTile implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly value: HTMLElement;
  private readonly sub: HTMLElement;
  private readonly age: HTMLElement;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    container: HTMLElement,
    private readonly scope: () => { tier: KpiTier; id: string | null },
    private readonly onError: (message: string) => void,
  ) {
    this.value = h('span', { class: 'tile-value', text: '—' });
    this.sub = h('span', { class: 'tile-sub' });
    this.age = h('span', { class: 'tile-age' });
    this.root = h(
      'div',
      { class: 'wall-tile', 'data-tile': 'notices', 'data-tone': 'idle', 'data-testid': 'tile-notices' },
      h('span', { class: 'tile-label', text: t('wall.noticesTitle') }),
      this.value,
      this.sub,
      this.age,
    );
    container.append(this.root);
    this.timer = setInterval(() => void this.load(), NOTICE_POLL_MS);
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const s = this.scope();
      this.show(noticeTileView(await fetchNoticeCounts(), s.tier, s.id));
    } catch (err) {
      this.onError(`notices: ${(err as Error).message}`);
    }
  }

  show(v: NoticeTileView): void {
    this.value.textContent = String(v.tally.overdueNotices);
    this.sub.textContent = t('wall.noticesSub', { open: v.tally.openNotices, overdue: v.tally.overdueNotices });
    this.age.textContent = v.worst.length
      ? t('wall.noticesWorst', { list: v.worst.map((w) => `${w.name} ${w.overdue}`).join(' · ') })
      : '';
    this.root.dataset.tone = v.tally.overdueNotices > 0 ? 'alarm' : 'ok';
    this.root.dataset.overdue = String(v.tally.overdueNotices);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.root.remove();
  }
}
