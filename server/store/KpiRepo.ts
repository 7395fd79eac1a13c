import { EXPECTED_INTERVAL_MS } from '../../models/Freshness.js';
import type { Db } from './Db.js';
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

const n = (v: unknown) => Number(v ?? 0);
const t = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * Wall KPIs computed by PostgreSQL over devices, latest state, telemetry and alarms: a handful of aggregate queries
 * per scope, whatever the number of devices. Expected intervals come from models/Freshness.ts as a jsonb parameter so
 * SQL and the client agree on "online".
 */
export class KpiRepo {
  constructor(private readonly db: Db) {}

  async kpis(scope: ProjectScope, now: number, dayStart: number, utcOffsetMin: number): Promise<KpiRow> {
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

    // Exceedances: distinct (device, local hour) with a reading over the device's own limit; noise limit by local
    // day (06-22) or night. Devices without a dust limit cannot exceed one and are counted apart.
    const e = (
      await this.db.query<Record<string, unknown>>(
        `WITH dl AS MATERIALIZED (
         -- Limits read once per device, not once per reading (jsonb access is the cost here).
         SELECT d.id, (d.params->>'pm10LimitUgm3')::float8 AS l10, (d.params->>'pm25LimitUgm3')::float8 AS l25, (d.params->>'tspLimitUgm3')::float8 AS ltsp,
                coalesce((d.params->>'noiseDayLimitDb')::float8, 70) AS lday, coalesce((d.params->>'noiseNightLimitDb')::float8, 55) AS lnight
           FROM devices d JOIN projects p ON p.id = d.project_id WHERE d.kind = 'env_monitor' AND ${c.sql}),
       flagged AS (
         SELECT dl.id, t.time, (t.time + $4::bigint) / 3600000 AS hour_no,
                ((t.vals->>'pm10Ugm3')::float8 > dl.l10 OR (t.vals->>'pm25Ugm3')::float8 > dl.l25 OR (t.vals->>'tspUgm3')::float8 > dl.ltsp) AS dust_over,
                (t.vals->>'noiseDb')::float8 > CASE WHEN ((t.time + $4::bigint) % 86400000) / 3600000 NOT BETWEEN 6 AND 21 THEN dl.lnight ELSE dl.lday END AS noise_over
           FROM dl JOIN telemetry t ON t.device_id = dl.id WHERE t.time >= $1::bigint AND t.time <= $2::bigint),
       -- One pass: a row per (device, local hour), then counts; cheaper than a DISTINCT sort per figure.
       hours AS (SELECT id, bool_or(dust_over) AS dust, bool_or(noise_over) AS noise, max(time) AS newest FROM flagged GROUP BY id, hour_no)
       SELECT (SELECT count(*) FILTER (WHERE dust) FROM hours) AS dust_n,
              (SELECT count(DISTINCT id) FILTER (WHERE dust) FROM hours) AS dust_dev,
              (SELECT count(*) FILTER (WHERE noise) FROM hours) AS noise_n,
              (SELECT count(DISTINCT id) FILTER (WHERE noise) FROM hours) AS noise_dev,
              (SELECT max(newest) FROM hours) AS newest_env,
              (SELECT count(*) FROM devices d JOIN projects p ON p.id = d.project_id WHERE d.kind = 'env_monitor' AND ${c.sql}
                 AND NOT (d.params ? 'pm10LimitUgm3' OR d.params ? 'pm25LimitUgm3' OR d.params ? 'tspLimitUgm3')) AS no_limit`,
        [dayStart, now, ...c.params, utcOffsetMin * 60_000],
      )
    ).rows[0]!;

    // Workers: the last gate event of each (project, worker) today; on site when it is `enter`.
    const w = (
      await this.db.query<{ trade: string | null; n: number; newest: string | number | null }>(
        `WITH last AS (
         SELECT DISTINCT ON (d.project_id, t.vals->>'workerId') t.vals->>'event' AS ev, t.vals->>'trade' AS trade, t.time
           FROM telemetry t JOIN devices d ON d.id = t.device_id JOIN projects p ON p.id = d.project_id
          WHERE d.kind = 'gate' AND t.time >= $1::bigint AND t.time <= $2::bigint AND ${c.sql} AND t.vals ? 'workerId'
          ORDER BY d.project_id, t.vals->>'workerId', t.time DESC, t.seq DESC NULLS LAST)
       SELECT coalesce(trade, '(unknown)') AS trade, count(*) FILTER (WHERE ev = 'enter')::int AS n, max(time) AS newest FROM last GROUP BY 1`,
        [dayStart, now, ...c.params],
      )
    ).rows;
    const byTrade: Record<string, number> = {};
    let onSite = 0;
    let newestGate: number | null = null;
    for (const r of w) {
      if (n(r.n) > 0) byTrade[r.trade ?? '(unknown)'] = n(r.n);
      onSite += n(r.n);
      if (r.newest !== null) newestGate = Math.max(newestGate ?? 0, Number(r.newest));
    }

    return {
      projects: n(a.projects),
      projectsOnline: n(a.online),
      newestAny: t(a.newest_any),
      cranes: n(a.cranes),
      cranesWorking: n(a.working),
      cranesInAlarm: n(a.in_alarm),
      newestCrane: t(a.newest_crane),
      alarms: await this.openAlarms(scope),
      dustExceedances: n(e.dust_n),
      dustDevicesOver: n(e.dust_dev),
      dustDevicesWithoutLimit: n(e.no_limit),
      noiseExceedances: n(e.noise_n),
      noiseDevicesOver: n(e.noise_dev),
      newestEnv: t(e.newest_env),
      workersOnSite: onSite,
      workersByTrade: byTrade,
      newestGate,
    };
  }

  /** Alarms not cleared, by level; `available: false` while the store has no alarm table (the alarm engine's). */
  private async openAlarms(scope: ProjectScope): Promise<KpiRow['alarms']> {
    const exists = (await this.db.query<{ t: string | null }>("SELECT to_regclass('alarms')::text AS t")).rows[0]?.t;
    if (!exists) return { available: false, prewarning: 0, alarm: 0, newest: null };
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
