import type { KpiFigure, Kpis } from '../../models/Kpis.js';

/** One wall tile as drawn: a value, a label, a line under it, and whether the data behind it is stale. */
export interface TileView {
  key: string;
  label: string;
  value: string;
  sub: string;
  /** `ok`, `warn` (pre-warnings, exceedances), `alarm` (alarms), `idle` (nothing to report). */
  tone: 'ok' | 'warn' | 'alarm' | 'idle';
  /** The data behind the value is older than its expected interval (or there is none). */
  stale: boolean;
  /** Age of the newest data behind the value at `at`, ms; null when there is none. */
  ageMs: number | null;
}

/** "12 s", "4 min", "3 h", "2 d": the age of data, short enough for a tile. */
export function formatAge(ms: number | null): string {
  if (ms === null) return 'no data';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** Age of a figure `elapsedMs` after it was computed. */
export function ageNow(ageMs: number | null, elapsedMs: number): number | null {
  return ageMs === null ? null : ageMs + Math.max(0, elapsedMs);
}

const n = (v: number) => new Intl.NumberFormat('en-US').format(v);
const fig = (f: KpiFigure) => ({ stale: f.stale, ageMs: f.ageMs });

/** The tiles of a wall, in display order. Pure: the same KPIs give the same tiles. */
export function kpiTiles(k: Kpis): TileView[] {
  const trades = Object.entries(k.workers.byTrade).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const alarms = k.openAlarms;
  return [
    { key: 'projects', label: 'Projects online', value: `${n(k.projects.online.value)} / ${n(k.projects.total)}`, sub: k.projects.total - k.projects.online.value ? `${k.projects.total - k.projects.online.value} offline` : 'all reporting', tone: k.projects.online.value < k.projects.total ? 'warn' : 'ok', ...fig(k.projects.online) },
    { key: 'cranes', label: 'Cranes working', value: `${n(k.cranes.working.value)} / ${n(k.cranes.total)}`, sub: `${n(k.cranes.total - k.cranes.working.value)} idle or offline`, tone: 'ok', ...fig(k.cranes.working) },
    { key: 'cranesAlarm', label: 'Cranes in alarm', value: n(k.cranes.inAlarm.value), sub: k.cranes.inAlarm.value ? 'overload, moment or alarm bit' : 'none', tone: k.cranes.inAlarm.value ? 'alarm' : 'ok', ...fig(k.cranes.inAlarm) },
    {
      key: 'alarms',
      label: 'Open alarms',
      value: alarms.available ? n(alarms.alarm + alarms.prewarning) : '—',
      sub: alarms.available ? `${n(alarms.alarm)} alarm · ${n(alarms.prewarning)} pre-warning` : 'alarm service not available',
      tone: !alarms.available ? 'idle' : alarms.alarm ? 'alarm' : alarms.prewarning ? 'warn' : 'ok',
      stale: !alarms.available,
      ageMs: alarms.ageMs,
    },
    { key: 'dust', label: 'Dust exceedances today', value: n(k.dust.exceedances.value), sub: `${n(k.dust.devicesOver)} monitor(s) over limit`, tone: k.dust.exceedances.value ? 'warn' : 'ok', ...fig(k.dust.exceedances) },
    { key: 'noise', label: 'Noise exceedances today', value: n(k.noise.exceedances.value), sub: `${n(k.noise.devicesOver)} monitor(s) over limit`, tone: k.noise.exceedances.value ? 'warn' : 'ok', ...fig(k.noise.exceedances) },
    {
      key: 'workers',
      label: 'Workers on site',
      value: n(k.workers.onSite.value),
      sub: trades.length ? trades.slice(0, 3).map(([t, c]) => `${t} ${c}`).join(' · ') : 'no gate events today',
      tone: 'ok',
      ...fig(k.workers.onSite),
    },
  ];
}

/** Workers per trade, largest first, at most `max` rows with the rest summed as "other". */
export function tradeRows(byTrade: Record<string, number>, max: number): [string, number][] {
  const rows = Object.entries(byTrade).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (rows.length <= max) return rows;
  const head = rows.slice(0, max - 1);
  const rest = rows.slice(max - 1).reduce((s, [, c]) => s + c, 0);
  return [...head, ['other', rest]];
}
