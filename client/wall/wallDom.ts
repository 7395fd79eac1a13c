import { h } from '../ui/dom.js';
import type { WallParams } from './wallParams.js';
import { t } from '../i18n/i18n.js';
import { languageSwitch } from '../i18n/LanguageSwitch.js';

/** The wall's fixed regions (one CSS grid: header, KPI column, map, side column, ticker). */
export interface WallDom {
  root: HTMLElement;
  title: HTMLElement;
  clock: HTMLElement;
  age: HTMLElement;
  status: HTMLElement;
  kpis: HTMLElement;
  map: HTMLElement;
  mapOverlay: HTMLElement;
  bannerHost: HTMLElement;
  trades: HTMLElement;
  projects: HTMLElement;
  ticker: HTMLElement;
  notes: HTMLElement;
  /** The strip under the map holding the map's data credits. */
  mapCredits: HTMLElement;
}

/** Builds the wall skeleton into `host` (replacing the city page's DOM). */
export function buildWallDom(host: HTMLElement, params: WallParams): WallDom {
  const title = h('h1', { class: 'wall-title', 'data-testid': 'wall-title', text: t('wall.title') });
  const clock = h('span', { class: 'wall-clock', 'data-testid': 'wall-clock' });
  const age = h('span', { class: 'wall-age', 'data-testid': 'wall-age' });
  const status = h('span', { class: 'wall-status' });
  const map = h('div', { class: 'wall-map-canvas' });
  const mapOverlay = h('div', { class: 'wall-map-overlay' });
  const bannerHost = h('div', { class: 'wall-banner-host' });
  const notes = h('div', { class: 'wall-notes', 'data-testid': 'wall-notes' });
  // The base map's data credits, on a strip of their own under the map (over it they were hidden or unreadable).
  const mapCredits = h('div', { class: 'wall-map-credits', 'data-testid': 'wall-map-credits' });
  notes.hidden = params.errors.length === 0;
  notes.textContent = params.errors.join(' · ');
  const kpis = h('section', {
    class: 'wall-kpis wall-cell',
    'data-testid': 'wall-kpis',
    'aria-label': t('wall.keyFigures'),
  });
  const trades = h('section', { class: 'wall-panel wall-trades', 'data-testid': 'wall-trades' });
  const projects = h('section', { class: 'wall-panel wall-projects', 'data-testid': 'wall-projects' });
  const ticker = h('footer', {
    class: 'wall-ticker wall-cell',
    'data-testid': 'wall-ticker',
    'aria-label': t('wall.openAlarms'),
  });
  const root = h(
    'div',
    { class: 'wall', 'data-testid': 'wall', 'data-tier': params.tier },
    h(
      'header',
      { class: 'wall-head wall-cell' },
      h(
        'div',
        { class: 'brand' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }),
        h('span', { class: 'brand-name', text: 'Site Twin' }),
      ),
      title,
      h('div', { class: 'wall-head-right' }, age, status, clock, languageSwitch()),
    ),
    kpis,
    h(
      'section',
      { class: 'wall-map wall-cell', 'data-testid': 'wall-map' },
      h('div', { class: 'wall-map-stage' }, map, mapOverlay, bannerHost, notes),
      mapCredits,
    ),
    h('aside', { class: 'wall-side wall-cell' }, trades, projects),
    ticker,
  );
  host.replaceChildren(root);
  return {
    root,
    title,
    clock,
    age,
    status,
    kpis,
    map,
    mapOverlay,
    mapCredits,
    bannerHost,
    trades,
    projects,
    ticker,
    notes,
  };
}
