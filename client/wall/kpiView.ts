import { formatNumber, t, tOr } from '../i18n/i18n.js';
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
  /** The figure ages on screen against its expected interval (false: a current count whose age is not its data's). */
  interval: boolean;
  /** The number the trend draws (null: none, e.g. alarms unavailable). */
  num: number | null;
}

/** "12 s", "4 min", "3 h", "2 d": the age of data, short enough for a tile. */
export function formatAge(ms: number | null): string {
  if (ms === null) return t('age.none');
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return t('age.s', { n: s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('age.min', { n: m });
  const h = Math.floor(m / 60);
  if (h < 48) return t('age.h', { n: h });
  return t('age.d', { n: Math.floor(h / 24) });
}

/** Age of a figure `elapsedMs` after it was computed. */
export function ageNow(ageMs: number | null, elapsedMs: number): number | null {
  return ageMs === null ? null : ageMs + Math.max(0, elapsedMs);
}

/** A trade as people say it ("钢筋工" / "rebar"); a trade the catalogue does not know is shown as sent. */
export function tradeName(trade: string): string {
  return tOr(`trade.${trade}`, trade);
}

const n = (v: number) => formatNumber(v);
const fig = (f: KpiFigure) => ({ stale: f.stale, ageMs: f.ageMs });
/**
 * A count over devices of which there are none is a current zero, not missing data: no figure to grey (the server
 * marks a figure without any data behind it stale, which greyed "cranes in alarm: 0" on a wall without cranes).
 */
const nothingToCount = (f: KpiFigure, devices: number) =>
  devices === 0 && f.ageMs === null ? { stale: false, ageMs: null } : fig(f);

/** The tiles of a wall, in display order. Pure: the same KPIs give the same tiles. */
export function kpiTiles(k: Kpis): TileView[] {
  const trades = Object.entries(k.workers.byTrade).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const alarms = k.openAlarms;
  const offline = k.projects.total - k.projects.online.value;
  return [
    {
      key: 'projects',
      label: t('kpi.projects'),
      value: `${n(k.projects.online.value)} / ${n(k.projects.total)}`,
      sub: offline ? t('kpi.projects.offline', { n: offline }) : t('kpi.projects.allReporting'),
      tone: k.projects.online.value < k.projects.total ? 'warn' : 'ok',
      ...nothingToCount(k.projects.online, k.projects.total),
      interval: true,
      num: k.projects.online.value,
    },
    {
      key: 'cranes',
      label: t('kpi.cranes'),
      value: `${n(k.cranes.working.value)} / ${n(k.cranes.total)}`,
      sub: k.cranes.total ? t('kpi.cranes.idle', { n: k.cranes.total - k.cranes.working.value }) : t('kpi.cranes.none'),
      tone: 'ok',
      ...nothingToCount(k.cranes.working, k.cranes.total),
      interval: true,
      num: k.cranes.working.value,
    },
    {
      key: 'cranesAlarm',
      label: t('kpi.cranesAlarm'),
      value: n(k.cranes.inAlarm.value),
      sub: k.cranes.inAlarm.value ? t('kpi.cranesAlarm.sub') : k.cranes.total ? t('kpi.none') : t('kpi.cranes.none'),
      tone: k.cranes.inAlarm.value ? 'alarm' : 'ok',
      ...nothingToCount(k.cranes.inAlarm, k.cranes.total),
      interval: true,
      num: k.cranes.inAlarm.value,
    },
    {
      key: 'alarms',
      label: t('kpi.alarms'),
      value: alarms.available ? n(alarms.alarm + alarms.prewarning) : '—',
      sub: alarms.available
        ? t('kpi.alarms.sub', { alarm: alarms.alarm, pre: alarms.prewarning })
        : t('kpi.alarms.unavailable'),
      tone: !alarms.available ? 'idle' : alarms.alarm ? 'alarm' : alarms.prewarning ? 'warn' : 'ok',
      stale: !alarms.available,
      ageMs: alarms.ageMs,
      // The count of open alarms is current whenever the alarm service answers: the age of the newest alarm is how long
      // it has been open, not how old the figure is (a 6-minute-old open alarm greyed a live tile as "stale").
      interval: false,
      num: alarms.available ? alarms.alarm + alarms.prewarning : null,
    },
    {
      key: 'dust',
      label: t('kpi.dust'),
      value: n(k.dust.exceedances.value),
      sub: t('kpi.monitorsOver', { n: k.dust.devicesOver }),
      tone: k.dust.exceedances.value ? 'warn' : 'ok',
      ...fig(k.dust.exceedances),
      interval: true,
      num: k.dust.exceedances.value,
    },
    {
      key: 'noise',
      label: t('kpi.noise'),
      value: n(k.noise.exceedances.value),
      sub: t('kpi.monitorsOver', { n: k.noise.devicesOver }),
      tone: k.noise.exceedances.value ? 'warn' : 'ok',
      ...fig(k.noise.exceedances),
      interval: true,
      num: k.noise.exceedances.value,
    },
    {
      key: 'workers',
      label: t('kpi.workers'),
      value: n(k.workers.onSite.value),
      sub: trades.length
        ? trades
            .slice(0, 3)
            .map(([tr, c]) => `${tradeName(tr)} ${c}`)
            .join(' · ')
        : t('kpi.noGateEvents'),
      tone: 'ok',
      ...fig(k.workers.onSite),
      interval: true,
      num: k.workers.onSite.value,
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
