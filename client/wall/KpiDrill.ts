import type { Tool } from '../core/Tool.js';
import { formatClock, formatNumber, t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import type { TileView } from './kpiView.js';
import { sparklinePath, TREND_SPAN_MS, type KpiTrend } from './kpiTrend.js';

const W = 600;
const H = 160;
/** A drill-down left open goes away by itself: a wall returns to its overview. */
const AUTO_CLOSE_MS = 60_000;

/**
 * A KPI tile's drill-down over the wall map: the figure, what it counts, and its 24 h trend as a sparkline (from the
 * KPI sets this wall received; see kpiTrend.ts). Opened by clicking a tile, closed by its button, Escape or after a
 * minute.
 */
export class KpiDrill implements Tool {
  enabled = true;
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly value: HTMLElement;
  private readonly sub: HTMLElement;
  private readonly path: SVGPathElement;
  private readonly range: HTMLElement;
  private key: string | null = null;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') this.close();
  };

  constructor(
    container: HTMLElement,
    private readonly trend: KpiTrend,
  ) {
    this.title = h('h2', { class: 'drill-title', id: 'kpi-drill-title' });
    this.value = h('div', { class: 'drill-value', 'data-testid': 'kpi-drill-value' });
    this.sub = h('div', { class: 'drill-sub' });
    this.range = h('div', { class: 'drill-range', 'data-testid': 'kpi-drill-range' });
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('class', 'drill-spark');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', t('drill.trend'));
    this.path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    this.path.setAttribute('data-testid', 'kpi-sparkline');
    svg.append(this.path);
    const close = h('button', { type: 'button', class: 'btn drill-close', 'aria-label': t('common.close'), text: '×' });
    close.addEventListener('click', () => this.close());
    this.root = h(
      'section',
      { class: 'wall-drill', 'data-testid': 'kpi-drill', role: 'dialog', 'aria-labelledby': 'kpi-drill-title' },
      h('header', { class: 'drill-head' }, this.title, close),
      h('div', { class: 'drill-figure' }, this.value, this.sub),
      h('div', { class: 'drill-trend-label', text: t('drill.trend') }),
      svg,
      this.range,
    );
    this.root.hidden = true;
    container.append(this.root);
    window.addEventListener('keydown', this.onKey);
  }

  get openKey(): string | null {
    return this.key;
  }

  open(view: TileView, now = Date.now()): void {
    this.key = view.key;
    this.root.hidden = false;
    this.root.dataset.tile = view.key;
    this.update(view, now);
    clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => this.close(), AUTO_CLOSE_MS);
  }

  /** Redraws with a newer view of the open tile (a no-op for another tile). */
  update(view: TileView, now = Date.now()): void {
    if (this.key !== view.key) return;
    this.title.textContent = view.label;
    this.value.textContent = view.value;
    this.sub.textContent = view.sub;
    const pts = this.trend.points(view.key, now);
    this.path.setAttribute('d', sparklinePath(pts, now, W, H));
    this.root.dataset.points = String(pts.length);
    if (!pts.length) this.range.textContent = t('drill.noTrend');
    else {
      const vs = pts.map(([, v]) => v);
      const from = pts[0]![0];
      const since =
        from > now - TREND_SPAN_MS + 10 * 60_000
          ? t('drill.since', { time: formatClock(from, false) })
          : t('drill.last24h');
      this.range.textContent = `${since} · ${t('drill.minMax', { min: formatNumber(Math.min(...vs)), max: formatNumber(Math.max(...vs)) })}`;
    }
  }

  close(): void {
    this.key = null;
    this.root.hidden = true;
    clearTimeout(this.closeTimer);
  }

  dispose(): void {
    clearTimeout(this.closeTimer);
    window.removeEventListener('keydown', this.onKey);
    this.root.remove();
  }
}
