import { EXPECTED_INTERVAL_MS } from '../../models/Freshness.js';
import type { Db } from './Db.js';
import { HOUR_MS } from './kpiRollup.js';
import { scopeCondition, type ProjectScope } from './projectScope.js';

/** The raw KPI figures of a scope and the newest data time behind each (epoch ms, null when none). */
export interface KpiRow {
  projects: number;
  projectsOnline: number;
  newestAny: number | null;
  cranes: number;
  cranesWorking: number;
  cranesInAlarm: number;
  newestCrane: number | null;
  alarms: { available: boolean; prewarning: number; alarm: number; newest: number | null };
  dustExceedances: number;
  dustDevicesOver: number;
  dustDevicesWithoutLimit: number;
  noiseExceedances: number;
  noiseDevicesOver: number;
  newestEnv: number | null;
  workersOnSite: number;
  workersByTrade: Record<string, number>;
  newestGate: number | null;
}

/** `raw: true`: scan today's telemetry rather than read the rollups. */
export interface KpiOptions {
  raw?: boolean;
}

type DevicesPart = Pick<
  KpiRow,
  'projects' | 'projectsOnline' | 'newestAny' | 'cranes' | 'cranesWorking' | 'cranesInAlarm' | 'newestCrane'
>;
type ExceedancePart = Pick<
  KpiRow,
  | 'dustExceedances'
  | 'dustDevicesOver'
  | 'dustDevicesWithoutLimit'
  | 'noiseExceedances'
  | 'noiseDevicesOver'
  | 'newestEnv'
>;
/** The local day a KPI covers: up to `now`, from `dayStart`, at `utcOffsetMin` from UTC. */
interface DayWindow {
  now: number;
  dayStart: number;
  utcOffsetMin: number;
}
type WorkersPart = Pick<KpiRow, 'workersOnSite' | 'workersByTrade' | 'newestGate'>;
interface TradeRow {
  /** With the per-project queries only. */
  project_id?: string;
  trade: string | null;
  n: number;
  newest: string | number | null;
}

const n = (v: unknown) => Number(v ?? 0);
const t = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Env monitors of a scope (`projects p` condition) with their limits, read once per device (jsonb access is the cost). */
const LIMITS = (scopeSql: string, withLatest = false) =>
  `SELECT d.id, d.project_id, (d.params->>'pm10LimitUgm3')::float8 AS l10, (d.params->>'pm25LimitUgm3')::float8 AS l25, (d.params->>'tspLimitUgm3')::float8 AS ltsp,
          coalesce((d.params->>'noiseDayLimitDb')::float8, 70) AS lday, coalesce((d.params->>'noiseNightLimitDb')::float8, 55) AS lnight
          ${withLatest ? `, l.time AS lt, NOT (d.params ? 'pm10LimitUgm3' OR d.params ? 'pm25LimitUgm3' OR d.params ? 'tspLimitUgm3') AS no_limit` : ''}
     FROM devices d JOIN projects p ON p.id = d.project_id ${withLatest ? 'LEFT JOIN latest l ON l.device_id = d.id' : ''}
    WHERE d.kind = 'env_monitor' AND ${scopeSql}`;
/** The dust and noise flags of an hour's maxima (`src`: hour, pm10, pm25, tsp, noise) against `dl`'s limits ($5: UTC offset, ms). */
const FLAGS = (src: string) =>
  `(${src}.pm10 > dl.l10 OR ${src}.pm25 > dl.l25 OR ${src}.tsp > dl.ltsp) AS dust,
   ${src}.noise > CASE WHEN ((${src}.hour * 3600000 + $5::bigint) % 86400000) / 3600000 NOT BETWEEN 6 AND 21 THEN dl.lnight ELSE dl.lday END AS noise`;
/** A monitor's newest reading of the day up to `now` ($3; $4: day start): its latest, or looked up when that is ahead. */
const NEWEST_ENV = `CASE WHEN dl.lt <= $3::bigint THEN CASE WHEN dl.lt >= $4::bigint THEN dl.lt END
  ELSE (SELECT max(t.time) FROM telemetry t WHERE t.device_id = dl.id AND t.time >= $4::bigint AND t.time <= $3::bigint) END`;
/** Env monitors of a scope without a dust limit. */
const NO_LIMIT = (scopeSql: string) =>
  `(SELECT count(*) FROM devices d JOIN projects p ON p.id = d.project_id WHERE d.kind = 'env_monitor' AND ${scopeSql}
      AND NOT (d.params ? 'pm10LimitUgm3' OR d.params ? 'pm25LimitUgm3' OR d.params ? 'tspLimitUgm3'))`;

/** Per-trade rows (trade, on site, newest event) to the KPI figures; trades with nobody on site are left out. */
function workersPart(rows: TradeRow[]): WorkersPart {
  const byTrade: Record<string, number> = {};
  let onSite = 0;
  let newestGate: number | null = null;
  for (const r of rows) {
    const k = r.trade ?? '(unknown)';
    if (n(r.n) > 0) byTrade[k] = (byTrade[k] ?? 0) + n(r.n);
    onSite += n(r.n);
    if (r.newest !== null) newestGate = Math.max(newestGate ?? 0, Number(r.newest));
  }
  return { workersOnSite: onSite, workersByTrade: byTrade, newestGate };
}

/** An exceedance query's row to the KPI figures. */
function exceedancePart(e: Record<string, unknown>): ExceedancePart {
  return {
    dustExceedances: n(e.dust_n),
    dustDevicesOver: n(e.dust_dev),
    dustDevicesWithoutLimit: n(e.no_limit),
    noiseExceedances: n(e.noise_n),
    noiseDevicesOver: n(e.noise_dev),
    newestEnv: t(e.newest_env),
  };
}

/** A project's device figures and what scopes it belongs to (the per-project pass). */
interface ProjectFigures extends Omit<DevicesPart, 'projects' | 'projectsOnline'> {
  id: string;
  enterpriseId: string;
  regionCode: string;
  online: boolean;
}

/** Is the project in the scope (scopeCondition's test, in JS)? */
function inScope(scope: ProjectScope, p: ProjectFigures): boolean {
  if ('projectIds' in scope) return scope.projectIds.includes(p.id);
  if ('projectId' in scope) return scope.projectId === p.id;
  if ('enterpriseId' in scope) return scope.enterpriseId === p.enterpriseId;
  if ('regionPrefix' in scope) return p.regionCode.startsWith(scope.regionPrefix);
  return true;
}

const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** The figures of a scope with nothing in it, to add projects to. */
function emptyRow(alarmsAvailable: boolean): Omit<KpiRow, keyof WorkersPart> {
  return {
    projects: 0,
    projectsOnline: 0,
    newestAny: null,
    cranes: 0,
    cranesWorking: 0,
    cranesInAlarm: 0,
    newestCrane: null,
    alarms: { available: alarmsAvailable, prewarning: 0, alarm: 0, newest: null },
    dustExceedances: 0,
    dustDevicesOver: 0,
    dustDevicesWithoutLimit: 0,
    noiseExceedances: 0,
    noiseDevicesOver: 0,
    newestEnv: null,
  };
}

/**
 * Wall KPIs computed by PostgreSQL over devices, latest state, telemetry and alarms: a handful of aggregate queries
 * per scope, whatever the number of devices. Expected intervals come from models/Freshness.ts as a jsonb parameter so
 * SQL and the client agree on "online".
 */
export class KpiRepo {
  constructor(private readonly db: Db) {}

  /**
   * The KPIs of a scope at `now` over the local day from `dayStart`. Exceedances and workers on site read the rollups
   * the telemetry write keeps (kpiRollup.ts) when they cover the day; `raw: true` scans today's telemetry instead (the
   * reference the rollups are tested and benchmarked against).
   */
  async kpis(
    scope: ProjectScope,
    now: number,
    dayStart: number,
    utcOffsetMin: number,
    opts: KpiOptions = {},
  ): Promise<KpiRow> {
    // Independent queries: on PostgreSQL they run side by side on the pool.
    const [a, e, w, alarms] = await Promise.all([
      this.devicesPart(scope, now),
      this.exceedances(scope, now, dayStart, utcOffsetMin, opts),
      this.workers(scope, now, dayStart, utcOffsetMin, opts),
      this.openAlarms(scope),
    ]);
    return { ...a, alarms, ...e, ...w };
  }

  /**
   * The KPIs of several scopes at once (the live push, every watched scope each tick): one pass of per-project figures
   * over every project (the same four queries as one scope's `kpis`), which each scope adds up in JS. The sums are the
   * figures `kpis` answers for each scope alone. One scope is asked as `kpis` does.
   */
  async kpisOfScopes(
    scopes: readonly ProjectScope[],
    now: number,
    dayStart: number,
    utcOffsetMin: number,
    opts: KpiOptions = {},
  ): Promise<KpiRow[]> {
    if (scopes.length <= 1) return Promise.all(scopes.map((s) => this.kpis(s, now, dayStart, utcOffsetMin, opts)));
    // Project walls only: the pass reads their projects, not the city.
    const ids = new Set<string>();
    const onlyProjects = scopes.every((s) => {
      if ('projectId' in s) ids.add(s.projectId);
      else if ('projectIds' in s) for (const id of s.projectIds) ids.add(id);
      else return false;
      return true;
    });
    const pass: ProjectScope = onlyProjects ? { projectIds: [...ids] } : { all: true };
    const [projects, exceed, workers, alarms] = await Promise.all([
      this.devicesByProject(pass, now),
      this.exceedancesByProject(pass, now, dayStart, utcOffsetMin, opts),
      this.workersByProject(pass, now, dayStart, utcOffsetMin, opts),
      this.openAlarmsByProject(pass),
    ]);
    return scopes.map((scope) => {
      const k = emptyRow(alarms.available);
      const trades: TradeRow[] = [];
      for (const p of projects) {
        if (!inScope(scope, p)) continue;
        k.projects++;
        if (p.online) k.projectsOnline++;
        k.newestAny = maxOf(k.newestAny, p.newestAny);
        k.cranes += p.cranes;
        k.cranesWorking += p.cranesWorking;
        k.cranesInAlarm += p.cranesInAlarm;
        k.newestCrane = maxOf(k.newestCrane, p.newestCrane);
        const e = exceed.get(p.id);
        if (e) {
          k.dustExceedances += e.dustExceedances;
          k.dustDevicesOver += e.dustDevicesOver;
          k.dustDevicesWithoutLimit += e.dustDevicesWithoutLimit;
          k.noiseExceedances += e.noiseExceedances;
          k.noiseDevicesOver += e.noiseDevicesOver;
          k.newestEnv = maxOf(k.newestEnv, e.newestEnv);
        }
        const w = workers.get(p.id);
        if (w) trades.push(...w);
        const a = alarms.byProject.get(p.id);
        if (a) {
          k.alarms.prewarning += a.prewarning;
          k.alarms.alarm += a.alarm;
          k.alarms.newest = maxOf(k.alarms.newest, a.newest);
        }
      }
      return { ...k, ...workersPart(trades) };
    });
  }

  /** Every project with its scope keys and its device figures (devicesPart per project). */
  private async devicesByProject(scope: ProjectScope, now: number): Promise<ProjectFigures[]> {
    const c = scopeCondition(scope, 3);
    const intervals = JSON.stringify(EXPECTED_INTERVAL_MS);
    const rows = (
      await this.db.query<Record<string, unknown>>(
        `WITH dev AS (
         SELECT d.project_id, d.kind, d.params, l.time AS lt, l.vals AS lv,
                (l.time IS NOT NULL AND l.time >= $1::bigint - ($2::jsonb ->> d.kind)::bigint) AS fresh
           FROM devices d JOIN projects p ON p.id = d.project_id LEFT JOIN latest l ON l.device_id = d.id WHERE ${c.sql}),
       crane AS (
         SELECT project_id, fresh, lt, fresh AND (
             EXISTS (SELECT 1 FROM jsonb_each(CASE WHEN jsonb_typeof(lv->'alarms') = 'object' THEN lv->'alarms' ELSE '{}'::jsonb END) b WHERE b.value = 'true'::jsonb)
             OR (lv->>'momentPct')::float8 >= coalesce((params->>'alarmPct')::float8, 100)
             OR ((lv->>'ratedLoadT')::float8 > 0 AND (lv->>'loadT')::float8 * 100 / (lv->>'ratedLoadT')::float8 >= coalesce((params->>'alarmPct')::float8, 100))
           ) AS in_alarm
         FROM dev WHERE kind = 'tower_crane'),
       dp AS (SELECT project_id, bool_or(fresh) AS online, max(lt) AS newest_any FROM dev GROUP BY project_id),
       cp AS (SELECT project_id, count(*) AS cranes, count(*) FILTER (WHERE fresh) AS working,
                     count(*) FILTER (WHERE in_alarm) AS in_alarm, max(lt) AS newest_crane FROM crane GROUP BY project_id)
       SELECT p.id::text AS id, p.enterprise_id::text AS enterprise_id, p.region_code AS region_code,
              coalesce(dp.online, false) AS online, dp.newest_any, cp.cranes, cp.working, cp.in_alarm, cp.newest_crane
         FROM projects p LEFT JOIN dp ON dp.project_id = p.id LEFT JOIN cp ON cp.project_id = p.id WHERE ${c.sql}`,
        [now, intervals, ...c.params],
      )
    ).rows;
    return rows.map((a) => ({
      id: String(a.id),
      enterpriseId: String(a.enterprise_id),
      regionCode: String(a.region_code ?? ''),
      online: a.online === true,
      newestAny: t(a.newest_any),
      cranes: n(a.cranes),
      cranesWorking: n(a.working),
      cranesInAlarm: n(a.in_alarm),
      newestCrane: t(a.newest_crane),
    }));
  }

  /** `exceedances` per project (projects with env monitors only). */
  private async exceedancesByProject(
    scope: ProjectScope,
    now: number,
    dayStart: number,
    utcOffsetMin: number,
    opts: KpiOptions,
  ): Promise<Map<string, ExceedancePart>> {
    const rows = await this.exceedanceRows(scope, { now, dayStart, utcOffsetMin }, opts, true);
    return new Map(rows.map((e) => [String(e.project_id), exceedancePart(e)]));
  }

  /** `workers`' per-trade rows per project. */
  private async workersByProject(
    scope: ProjectScope,
    now: number,
    dayStart: number,
    utcOffsetMin: number,
    opts: KpiOptions,
  ): Promise<Map<string, TradeRow[]>> {
    const meta = opts.raw ? null : await this.rollupMeta();
    const counted = meta !== null && utcOffsetMin === meta.offsetMin && dayStart >= meta.since;
    const rows = counted
      ? await this.workersFromRollup(scope, now, dayStart, true)
      : await this.workersRaw(scope, now, dayStart, true);
    const out = new Map<string, TradeRow[]>();
    for (const r of rows) {
      const id = String(r.project_id);
      const list = out.get(id);
      if (list) list.push(r);
      else out.set(id, [r]);
    }
    return out;
  }

  /** `openAlarms` per project. */
  private async openAlarmsByProject(scope: ProjectScope): Promise<{
    available: boolean;
    byProject: Map<string, Omit<KpiRow['alarms'], 'available'>>;
  }> {
    this.alarmsTable ||= !!(await this.db.query<{ t: string | null }>("SELECT to_regclass('alarms')::text AS t"))
      .rows[0]?.t;
    const byProject = new Map<string, Omit<KpiRow['alarms'], 'available'>>();
    if (!this.alarmsTable) return { available: false, byProject };
    const c = scopeCondition(scope, 1);
    const r = await this.db.query<{ project_id: string; level: string; n: number; newest: string | number | null }>(
      `SELECT a.project_id::text AS project_id, a.level, count(*)::int AS n, max(a.updated_at) AS newest
         FROM alarms a JOIN projects p ON p.id = a.project_id WHERE a.state <> 'cleared' AND ${c.sql} GROUP BY a.project_id, a.level`,
      c.params,
    );
    for (const x of r.rows) {
      let a = byProject.get(x.project_id);
      if (!a) byProject.set(x.project_id, (a = { prewarning: 0, alarm: 0, newest: null }));
      if (x.level === 'prewarning') a.prewarning += n(x.n);
      if (x.level === 'alarm') a.alarm += n(x.n);
      if (x.newest !== null) a.newest = maxOf(a.newest, Number(x.newest));
    }
    return { available: true, byProject };
  }

  /** Projects, online projects and cranes, from devices and their latest state. */
  async devicesPart(scope: ProjectScope, now: number): Promise<DevicesPart> {
    const c = scopeCondition(scope, 3);
    const intervals = JSON.stringify(EXPECTED_INTERVAL_MS);
    // Devices of the scope with their latest state and "fresh" = within the kind's expected interval.
    const dev = `SELECT d.id, d.project_id, d.kind, d.params, l.time AS lt, l.vals AS lv,
        (l.time IS NOT NULL AND l.time >= $1::bigint - ($2::jsonb ->> d.kind)::bigint) AS fresh
      FROM devices d JOIN projects p ON p.id = d.project_id LEFT JOIN latest l ON l.device_id = d.id WHERE ${c.sql}`;
    const a = (
      await this.db.query<Record<string, unknown>>(
        `WITH dev AS (${dev}), crane AS (
         SELECT fresh, lt, fresh AND (
             EXISTS (SELECT 1 FROM jsonb_each(CASE WHEN jsonb_typeof(lv->'alarms') = 'object' THEN lv->'alarms' ELSE '{}'::jsonb END) b WHERE b.value = 'true'::jsonb)
             OR (lv->>'momentPct')::float8 >= coalesce((params->>'alarmPct')::float8, 100)
             OR ((lv->>'ratedLoadT')::float8 > 0 AND (lv->>'loadT')::float8 * 100 / (lv->>'ratedLoadT')::float8 >= coalesce((params->>'alarmPct')::float8, 100))
           ) AS in_alarm
         FROM dev WHERE kind = 'tower_crane')
       SELECT (SELECT count(*) FROM projects p WHERE ${c.sql}) AS projects,
              (SELECT count(DISTINCT project_id) FROM dev WHERE fresh) AS online,
              (SELECT max(lt) FROM dev) AS newest_any,
              (SELECT count(*) FROM crane) AS cranes,
              (SELECT count(*) FILTER (WHERE fresh) FROM crane) AS working,
              (SELECT count(*) FILTER (WHERE in_alarm) FROM crane) AS in_alarm,
              (SELECT max(lt) FROM crane) AS newest_crane`,
        [now, intervals, ...c.params],
      )
    ).rows[0]!;
    return {
      projects: n(a.projects),
      projectsOnline: n(a.online),
      newestAny: t(a.newest_any),
      cranes: n(a.cranes),
      cranesWorking: n(a.working),
      cranesInAlarm: n(a.in_alarm),
      newestCrane: t(a.newest_crane),
    };
  }

  /** Where the rollups are complete (kpi_rollup_meta), read once; null while unknown (the raw scans serve then). */
  private meta?: Promise<{ since: number; offsetMin: number } | null>;
  private rollupMeta(): Promise<{ since: number; offsetMin: number } | null> {
    this.meta ??= this.db
      .query<{ since: string | number; off: number }>(
        'SELECT since, utc_offset_min AS off FROM kpi_rollup_meta LIMIT 1',
      )
      .then((r) => (r.rows[0] ? { since: Number(r.rows[0].since), offsetMin: Number(r.rows[0].off) } : null))
      .catch(() => {
        this.meta = undefined; // asked again next time (the store may be down for a moment)
        return null;
      });
    return this.meta;
  }

  /**
   * Dust and noise exceedances: distinct (device, local hour) with a reading over the device's own limit; noise limit
   * by local day (06-22) or night. Devices without a dust limit cannot exceed one and are counted apart.
   */
  async exceedances(
    scope: ProjectScope,
    now: number,
    dayStart: number,
    utcOffsetMin: number,
    opts: KpiOptions = {},
  ): Promise<ExceedancePart> {
    const e = await this.exceedanceRows(scope, { now, dayStart, utcOffsetMin }, opts, false);
    return exceedancePart(e[0]!);
  }

  /** The exceedance rows of `scope` (one row, or one per project), from the hourly rollup where it serves the day. */
  private async exceedanceRows(
    scope: ProjectScope,
    day: DayWindow,
    opts: KpiOptions,
    byProject: boolean,
  ): Promise<Record<string, unknown>[]> {
    const meta = opts.raw ? null : await this.rollupMeta();
    // The hourly rollup is in UTC hours: it serves any whole-hour offset, from the day it is complete.
    const hourly = meta !== null && day.utcOffsetMin % 60 === 0 && day.dayStart >= meta.since;
    return hourly ? this.exceedancesFromRollup(scope, day, byProject) : this.exceedancesRaw(scope, day, byProject);
  }

  private async exceedancesRaw(
    scope: ProjectScope,
    { now, dayStart, utcOffsetMin }: DayWindow,
    byProject: boolean,
  ): Promise<Record<string, unknown>[]> {
    const c = scopeCondition(scope, 3);
    return (
      await this.db.query<Record<string, unknown>>(
        `WITH dl AS MATERIALIZED (${LIMITS(c.sql, byProject)}),
       flagged AS (
         SELECT dl.id, t.time, (t.time + $4::bigint) / 3600000 AS hour_no,
                ((t.vals->>'pm10Ugm3')::float8 > dl.l10 OR (t.vals->>'pm25Ugm3')::float8 > dl.l25 OR (t.vals->>'tspUgm3')::float8 > dl.ltsp) AS dust_over,
                (t.vals->>'noiseDb')::float8 > CASE WHEN ((t.time + $4::bigint) % 86400000) / 3600000 NOT BETWEEN 6 AND 21 THEN dl.lnight ELSE dl.lday END AS noise_over
           FROM dl JOIN telemetry t ON t.device_id = dl.id WHERE t.time >= $1::bigint AND t.time <= $2::bigint),
       -- One pass: a row per (device, local hour), then counts; cheaper than a DISTINCT sort per figure.
       hours AS (SELECT id, bool_or(dust_over) AS dust, bool_or(noise_over) AS noise, max(time) AS newest FROM flagged GROUP BY id, hour_no)
       ${
         byProject
           ? `, per AS (SELECT id, count(*) FILTER (WHERE dust) AS dust, count(*) FILTER (WHERE noise) AS noise, max(newest) AS newest
                         FROM hours GROUP BY id)
              SELECT dl.project_id::text AS project_id, sum(per.dust) AS dust_n, count(*) FILTER (WHERE per.dust > 0) AS dust_dev,
                     sum(per.noise) AS noise_n, count(*) FILTER (WHERE per.noise > 0) AS noise_dev, max(per.newest) AS newest_env,
                     count(*) FILTER (WHERE dl.no_limit) AS no_limit
                FROM dl LEFT JOIN per ON per.id = dl.id GROUP BY dl.project_id`
           : `SELECT (SELECT count(*) FILTER (WHERE dust) FROM hours) AS dust_n,
              (SELECT count(DISTINCT id) FILTER (WHERE dust) FROM hours) AS dust_dev,
              (SELECT count(*) FILTER (WHERE noise) FROM hours) AS noise_n,
              (SELECT count(DISTINCT id) FILTER (WHERE noise) FROM hours) AS noise_dev,
              (SELECT max(newest) FROM hours) AS newest_env,
              ${NO_LIMIT(c.sql)} AS no_limit`
       }`,
        [dayStart, now, ...c.params, utcOffsetMin * 60_000],
      )
    ).rows;
  }

  /**
   * The same figures from telemetry_hourly: a device's hour exceeds a limit when its maximum does. A device whose
   * latest reading is after `now` (a clock ahead, or a past `now`) has its current hour read raw up to `now`, and its
   * newest reading today looked up; every other hour and device is whole in the rollup.
   */
  private async exceedancesFromRollup(
    scope: ProjectScope,
    { now, dayStart, utcOffsetMin }: DayWindow,
    byProject: boolean,
  ): Promise<Record<string, unknown>[]> {
    const c = scopeCondition(scope, 6);
    const f = (col: string) => `max((t.vals->>'${col}')::float8)`;
    return (
      await this.db.query<Record<string, unknown>>(
        `WITH dl AS MATERIALIZED (${LIMITS(c.sql, true)}),
       -- A row per (device, hour) of the day with its two flags, limits applied to the hour's maxima.
       h AS (
         SELECT dl.id, ${FLAGS('r')}
           FROM dl JOIN telemetry_hourly r ON r.device_id = dl.id
          WHERE r.hour >= $1::bigint AND r.hour <= $2::bigint AND NOT (coalesce(dl.lt, 0) > $3::bigint AND r.hour = $2::bigint)
         UNION ALL
         SELECT dl.id, ${FLAGS('x')}
           FROM dl CROSS JOIN LATERAL (
             SELECT $2::bigint AS hour, ${f('pm10Ugm3')} AS pm10, ${f('pm25Ugm3')} AS pm25, ${f('tspUgm3')} AS tsp, ${f('noiseDb')} AS noise
               FROM telemetry t WHERE t.device_id = dl.id AND t.time >= $2::bigint * 3600000 AND t.time <= $3::bigint) x
          WHERE dl.lt > $3::bigint),
       -- Per device first (a hash aggregate), then totals: no DISTINCT sort.
       per AS (SELECT id, count(*) FILTER (WHERE dust) AS dust, count(*) FILTER (WHERE noise) AS noise FROM h GROUP BY id)
       ${
         byProject
           ? `SELECT dl.project_id::text AS project_id, sum(per.dust) AS dust_n, count(*) FILTER (WHERE per.dust > 0) AS dust_dev,
                     sum(per.noise) AS noise_n, count(*) FILTER (WHERE per.noise > 0) AS noise_dev,
                     max(${NEWEST_ENV}) AS newest_env, count(*) FILTER (WHERE dl.no_limit) AS no_limit
                FROM dl LEFT JOIN per ON per.id = dl.id GROUP BY dl.project_id`
           : `SELECT (SELECT sum(dust) FROM per) AS dust_n, (SELECT count(*) FILTER (WHERE dust > 0) FROM per) AS dust_dev,
              (SELECT sum(noise) FROM per) AS noise_n, (SELECT count(*) FILTER (WHERE noise > 0) FROM per) AS noise_dev,
              (SELECT max(${NEWEST_ENV}) FROM dl) AS newest_env,
              (SELECT count(*) FILTER (WHERE no_limit) FROM dl) AS no_limit`
       }`,
        [Math.floor(dayStart / HOUR_MS), Math.floor(now / HOUR_MS), now, dayStart, utcOffsetMin * 60_000, ...c.params],
      )
    ).rows;
  }

  /** Workers on site: the last gate event of each (project, worker) today; on site when it is `enter`. */
  async workers(
    scope: ProjectScope,
    now: number,
    dayStart: number,
    utcOffsetMin: number,
    opts: KpiOptions = {},
  ): Promise<WorkersPart> {
    const meta = opts.raw ? null : await this.rollupMeta();
    const counted = meta !== null && utcOffsetMin === meta.offsetMin && dayStart >= meta.since;
    return workersPart(
      counted ? await this.workersFromRollup(scope, now, dayStart) : await this.workersRaw(scope, now, dayStart),
    );
  }

  private async workersRaw(scope: ProjectScope, now: number, dayStart: number, byProject = false): Promise<TradeRow[]> {
    const c = scopeCondition(scope, 3);
    return (
      await this.db.query<TradeRow>(
        `WITH last AS (
         SELECT DISTINCT ON (d.project_id, t.vals->>'workerId') d.project_id, t.vals->>'event' AS ev, t.vals->>'trade' AS trade, t.time
           FROM telemetry t JOIN devices d ON d.id = t.device_id JOIN projects p ON p.id = d.project_id
          WHERE d.kind = 'gate' AND t.time >= $1::bigint AND t.time <= $2::bigint AND ${c.sql} AND t.vals ? 'workerId'
          ORDER BY d.project_id, t.vals->>'workerId', t.time DESC, t.seq DESC NULLS LAST)
       SELECT ${byProject ? 'project_id::text AS project_id, ' : ''}coalesce(trade, '(unknown)') AS trade,
              count(*) FILTER (WHERE ev = 'enter')::int AS n, max(time) AS newest FROM last GROUP BY ${byProject ? '1, 2' : '1'}`,
        [dayStart, now, ...c.params],
      )
    ).rows;
  }

  /**
   * The running on-site counts of the day (gate_on_site), summed per trade. A project whose newest gate event is
   * after `now` (a gate clock ahead, or a past `now`) is counted from its raw gate events up to `now` instead.
   */
  private async workersFromRollup(
    scope: ProjectScope,
    now: number,
    dayStart: number,
    byProject = false,
  ): Promise<TradeRow[]> {
    const c = scopeCondition(scope, 3);
    const rows = (
      await this.db.query<TradeRow & { ahead: string[] | null }>(
        `WITH c AS (
         SELECT o.project_id, o.trade, o.n, o.newest FROM gate_on_site o JOIN projects p ON p.id = o.project_id
          WHERE o.day_start = $1::bigint AND ${c.sql}),
       ahead AS (SELECT DISTINCT project_id FROM c WHERE newest > $2::bigint)
       SELECT ${byProject ? 'project_id::text AS project_id, ' : ''}trade, sum(n)::int AS n, max(newest) AS newest, NULL::text[] AS ahead
         FROM c WHERE project_id NOT IN (SELECT project_id FROM ahead) GROUP BY ${byProject ? 'project_id, ' : ''}trade
       UNION ALL
       SELECT ${byProject ? 'NULL, ' : ''}NULL, NULL, NULL, array_agg(project_id::text) FROM ahead HAVING count(*) > 0`,
        [dayStart, now, ...c.params],
      )
    ).rows;
    const ahead = rows.find((r) => r.ahead !== null)?.ahead;
    const out: TradeRow[] = rows.filter((r) => r.ahead === null);
    if (ahead?.length) out.push(...(await this.workersRaw({ projectIds: ahead }, now, dayStart, byProject)));
    return out;
  }

  private alarmsTable = false;

  /** Alarms not cleared, by level; `available: false` while the store has no alarm table (the alarm engine's). */
  async openAlarms(scope: ProjectScope): Promise<KpiRow['alarms']> {
    // Asked until the table is there (migrations make it; it is never dropped): one round trip less per call after.
    this.alarmsTable ||= !!(await this.db.query<{ t: string | null }>("SELECT to_regclass('alarms')::text AS t"))
      .rows[0]?.t;
    if (!this.alarmsTable) return { available: false, prewarning: 0, alarm: 0, newest: null };
    const c = scopeCondition(scope, 1);
    const r = await this.db.query<{ level: string; n: number; newest: string | number | null }>(
      `SELECT a.level, count(*)::int AS n, max(a.updated_at) AS newest FROM alarms a JOIN projects p ON p.id = a.project_id
        WHERE a.state <> 'cleared' AND ${c.sql} GROUP BY a.level`,
      c.params,
    );
    const by = new Map(r.rows.map((x) => [x.level, x]));
    const newest = r.rows.reduce<number | null>(
      (m, x) => (x.newest === null ? m : Math.max(m ?? 0, Number(x.newest))),
      null,
    );
    return { available: true, prewarning: n(by.get('prewarning')?.n), alarm: n(by.get('alarm')?.n), newest };
  }
}
