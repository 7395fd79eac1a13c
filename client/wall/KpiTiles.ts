import type { Kpis } from '../../models/Kpis.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { t } from '../i18n/i18n.js';
import { ageNow, formatAge, kpiTiles, tradeName, tradeRows, type TileView } from './kpiView.js';

interface TileNodes {
  root: HTMLElement;
  value: HTMLElement;
  sub: HTMLElement;
  age: HTMLElement;
  view: TileView | null;
}

const TRADE_ROWS = 8;

/**
 * The KPI tiles and the workers-by-trade panel. Every node is built once; updates rewrite text and data attributes
 * only, so a wall that refreshes every few seconds for days keeps the same DOM.
 */
export class KpiTiles implements Tool {
  enabled = true;
  private readonly tiles = new Map<string, TileNodes>();
  private readonly tradeRows: { root: HTMLElement; name: HTMLElement; count: HTMLElement; bar: HTMLElement }[] = [];
  private readonly tradeTotal: HTMLElement;
  private readonly tradeEmpty: HTMLElement;
  private receivedAt = 0;
  private last: Kpis | null = null;

  /** A tile was clicked (or pressed): its latest view, for the drill-down. */
  readonly onOpen = new Event<TileView>();

  constructor(tileContainer: HTMLElement, tradeContainer: HTMLElement) {
    tileContainer.addEventListener('click', (e) => {
      const key = (e.target as HTMLElement).closest<HTMLElement>('[data-tile]')?.dataset.tile;
      const view = key ? this.tiles.get(key)?.view : null;
      if (view) this.onOpen.trigger(view);
    });
    // The tile set is fixed; build it from an empty view so the layout exists before the first data.
    for (const key of ['projects', 'cranes', 'cranesAlarm', 'alarms', 'dust', 'noise', 'workers']) {
      const value = h('span', { class: 'tile-value', text: '—' });
      const sub = h('span', { class: 'tile-sub' });
      const age = h('span', { class: 'tile-age' });
      const root = h(
        'button',
        { type: 'button', class: 'wall-tile', 'data-tile': key, 'data-tone': 'idle', 'data-testid': `tile-${key}` },
        h('span', { class: 'tile-label' }),
        value,
        sub,
        age,
      );
      tileContainer.append(root);
      this.tiles.set(key, { root, value, sub, age, view: null });
    }
    this.tradeTotal = h('span', { class: 'count' });
    const list = h('div', { class: 'trade-list' });
    for (let i = 0; i < TRADE_ROWS; i++) {
      const name = h('span', { class: 'trade-name' });
      const count = h('span', { class: 'trade-count' });
      const bar = h('span', { class: 'trade-bar' });
      const root = h('div', { class: 'trade-row' }, name, h('span', { class: 'trade-track' }, bar), count);
      root.hidden = true;
      list.append(root);
      this.tradeRows.push({ root, name, count, bar });
    }
    this.tradeEmpty = h('div', { class: 'strip-more', text: t('kpi.noGateEventsCap') });
    tradeContainer.append(
      h('div', { class: 'wall-panel-head' }, h('h2', { text: t('wall.tradesTitle') }), this.tradeTotal),
      list,
      this.tradeEmpty,
    );
  }

  /** Shows a KPI set received at `receivedAt` (client clock: ages are counted from here, not the server's). */
  update(k: Kpis, receivedAt: number): void {
    this.last = k;
    this.receivedAt = receivedAt;
    for (const v of kpiTiles(k)) {
      const tile = this.tiles.get(v.key);
      if (!tile) continue;
      tile.view = v;
      (tile.root.firstChild as HTMLElement).textContent = v.label;
      tile.value.textContent = v.value;
      tile.sub.textContent = v.sub;
      tile.root.dataset.tone = v.tone;
    }
    const rows = tradeRows(k.workers.byTrade, TRADE_ROWS);
    const max = Math.max(1, ...rows.map(([, c]) => c));
    this.tradeRows.forEach((r, i) => {
      const row = rows[i];
      r.root.hidden = !row;
      if (!row) return;
      r.name.textContent = tradeName(row[0]);
      r.count.textContent = String(row[1]);
      r.bar.style.width = `${Math.round((row[1] / max) * 100)}%`;
    });
    this.tradeTotal.textContent = String(k.workers.onSite.value);
    this.tradeEmpty.hidden = rows.length > 0;
    this.tick(receivedAt);
  }

  /** The latest view of a tile. */
  view(key: string): TileView | null {
    return this.tiles.get(key)?.view ?? null;
  }

  /** Re-ages every tile (called each second): a figure older than its interval is marked stale with its age. */
  tick(now: number): void {
    if (!this.last) return;
    const elapsed = now - this.receivedAt;
    for (const tile of this.tiles.values()) {
      const v = tile.view;
      if (!v) continue;
      const age = ageNow(v.ageMs, elapsed);
      // Still fresh at the server, but no update since: the figure ages on screen too.
      // No data behind a figure the server calls fresh (no open alarms) is a live zero, not missing data.
      const stale = v.stale || (v.interval && age !== null && age > this.intervalOf(v.key));
      tile.root.dataset.stale = String(stale);
      // A current count (open alarms) says live with the age of the KPI set itself, not of its newest item.
      const shownAge = v.interval ? age : elapsed;
      tile.age.textContent = stale
        ? age === null
          ? t('age.none')
          : t('kpi.staleAge', { age: formatAge(age) })
        : shownAge === null
          ? t('kpi.live')
          : t('kpi.liveAge', { age: formatAge(shownAge) });
    }
  }

  private intervalOf(key: string): number {
    const k = this.last!;
    const f = {
      projects: k.projects.online,
      cranes: k.cranes.working,
      cranesAlarm: k.cranes.inAlarm,
      dust: k.dust.exceedances,
      noise: k.noise.exceedances,
      workers: k.workers.onSite,
    }[key];
    return f?.expectedIntervalMs ?? 5 * 60_000;
  }

  dispose(): void {
    this.onOpen.reset();
    for (const tile of this.tiles.values()) tile.root.remove();
    this.tiles.clear();
  }
}
