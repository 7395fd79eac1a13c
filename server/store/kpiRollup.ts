import { CHINA_UTC_OFFSET_MIN } from '../../models/localTime.js';
import type { DbTx } from './Db.js';
import type { StoredReading } from './TelemetryRepo.js';

/**
 * The city KPI rollups (migration 172), folded into the statement that moves `latest` (no extra round trip):
 * - `telemetry_hourly`: per device and UTC hour, the maxima of the dust / noise fields. The exceedance KPI applies
 *   the device's limits to them (a max over a limit <=> some reading over it), so it reads a row per device-hour.
 * - `gate_worker_day` + `gate_on_site`: the last gate event per (project, local day, worker) and the running count of
 *   workers on site per (project, local day, trade), moved by each new last event.
 * Only readings that were new go in (COPY: the whole batch; unnest: the rows ON CONFLICT let through), so a repeat
 * never counts twice. KpiRepo reads them and checks they equal the raw scan (tests/server/store/kpiRollup.test.ts).
 */

/** Local time of the gate days (the KPIs' day); must match kpi_rollup_meta.utc_offset_min. */
export const ROLLUP_UTC_OFFSET_MIN = CHINA_UTC_OFFSET_MIN;
export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The reading fields the hourly rollup keeps the maxima of, in column order (pm10, pm25, tsp, noise). */
export const ROLLUP_FIELDS = ['pm10Ugm3', 'pm25Ugm3', 'tspUgm3', 'noiseDb'] as const;

const COLS = ['pm10', 'pm25', 'tsp', 'noise'];
/** A jsonb field as float8 when it is a JSON number (what the app side takes: `typeof v === 'number'`). */
const num = (src: string, f: string) =>
  `max(CASE WHEN jsonb_typeof(${src}.vals -> '${f}') = 'number' THEN (${src}.vals ->> '${f}')::float8 END)`;

/** `hr` and `ge` computed in SQL from the rows a statement inserted (`ins`): the unnest path. */
export const ROLLUP_SOURCES_FROM_INS = `hr AS (
      SELECT ins.device_id, ins.time / ${HOUR_MS} AS hour, ${ROLLUP_FIELDS.map((f, i) => `${num('ins', f)} AS ${COLS[i]}`).join(', ')}
        FROM ins WHERE ins.vals ?| ARRAY[${ROLLUP_FIELDS.map((f) => `'${f}'`).join(', ')}] GROUP BY 1, 2
    ), ge AS (
      SELECT ins.device_id, ins.time, ins.seq, ins.vals ->> 'workerId' AS worker, ins.vals ->> 'event' AS event,
             ins.vals ->> 'trade' AS trade
        FROM ins WHERE jsonb_typeof(ins.vals -> 'workerId') = 'string'
    )`;

/** `hr` and `ge` from the arrays of `RollupBatch.params()` at `$first`…: the COPY path (pre-aggregated in the app). */
export function rollupSourcesFromParams(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `hr AS (
      SELECT * FROM unnest(${p(0)}::uuid[], ${p(1)}::bigint[], ${p(2)}::float8[], ${p(3)}::float8[], ${p(4)}::float8[], ${p(5)}::float8[])
        AS v (device_id, hour, pm10, pm25, tsp, noise)
    ), ge AS (
      SELECT * FROM unnest(${p(6)}::uuid[], ${p(7)}::bigint[], ${p(8)}::bigint[], ${p(9)}::text[], ${p(10)}::text[], ${p(11)}::text[])
        AS v (device_id, time, seq, worker, event, trade)
    )`;
}

const OFF = ROLLUP_UTC_OFFSET_MIN * 60_000;

/**
 * The CTEs that fold `hr` (device_id, hour, pm10, pm25, tsp, noise) and `ge` (gate events: device_id, time, seq,
 * worker, event, trade) into the rollups. Rows are taken in key order, so concurrent writers lock in one order.
 */
export const ROLLUP_CTES = `hr_up AS (
      INSERT INTO telemetry_hourly AS h (device_id, hour, pm10, pm25, tsp, noise)
      SELECT device_id, hour, pm10, pm25, tsp, noise FROM hr ORDER BY device_id, hour
      ON CONFLICT (device_id, hour) DO UPDATE SET pm10 = greatest(h.pm10, EXCLUDED.pm10), pm25 = greatest(h.pm25, EXCLUDED.pm25),
        tsp = greatest(h.tsp, EXCLUDED.tsp), noise = greatest(h.noise, EXCLUDED.noise)
      WHERE EXCLUDED.pm10 > coalesce(h.pm10, '-Infinity') OR EXCLUDED.pm25 > coalesce(h.pm25, '-Infinity')
         OR EXCLUDED.tsp > coalesce(h.tsp, '-Infinity') OR EXCLUDED.noise > coalesce(h.noise, '-Infinity')
    ), gev AS (
      SELECT DISTINCT ON (d.project_id, x.day, ge.worker) d.project_id, x.day, ge.worker, ge.time, ge.seq, ge.event, ge.trade
        FROM ge JOIN devices d ON d.id = ge.device_id AND d.kind = 'gate'
       CROSS JOIN LATERAL (SELECT (ge.time + ${OFF}) / ${DAY_MS} * ${DAY_MS} - ${OFF} AS day) x
       ORDER BY d.project_id, x.day, ge.worker, ge.time DESC, coalesce(ge.seq, -1) DESC
    ), gl AS (
      INSERT INTO gate_worker_day AS g (project_id, day_start, worker_id, time, seq, event, trade)
      SELECT * FROM gev ORDER BY project_id, day, worker
      ON CONFLICT (project_id, day_start, worker_id) DO UPDATE SET time = EXCLUDED.time, seq = EXCLUDED.seq,
        event = EXCLUDED.event, trade = EXCLUDED.trade, prev_event = g.event, prev_trade = g.trade
      WHERE (g.time, coalesce(g.seq, -1)) < (EXCLUDED.time, coalesce(EXCLUDED.seq, -1))
      RETURNING project_id, day_start, time, event, trade, prev_event, prev_trade
    ), gd AS (
      SELECT project_id, day_start, coalesce(trade, '(unknown)') AS trade, CASE WHEN event = 'enter' THEN 1 ELSE 0 END AS d, time FROM gl
      UNION ALL
      SELECT project_id, day_start, coalesce(prev_trade, '(unknown)'), -1, NULL FROM gl WHERE prev_event = 'enter'
    ), gc AS (
      INSERT INTO gate_on_site AS o (project_id, day_start, trade, n, newest)
      SELECT project_id, day_start, trade, sum(d)::int, max(time) FROM gd GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (project_id, day_start, trade) DO UPDATE SET n = o.n + EXCLUDED.n, newest = greatest(o.newest, EXCLUDED.newest)
    )`;

/** Committed hourly maxima per `device|hour`, this process's view (the stored ones are at least these). */
const MAX_CACHED = 200_000;

/**
 * The rollup part of one COPY batch, aggregated in the app: a row per (device, hour) whose maxima may raise the
 * stored ones, and the gate events. Rows whose maxima this repo already committed (or higher) are not sent: the
 * stored maxima only grow, so nothing is lost, and a steady stream sends a row per device only when an hour starts
 * or a peak rises.
 */
export class RollupBatch {
  private readonly hours = new Map<string, { deviceId: string; hour: number; m: (number | null)[] }>();
  private readonly gate: {
    ids: string[];
    times: number[];
    seqs: (number | null)[];
    w: string[];
    ev: (string | null)[];
    tr: (string | null)[];
  } = { ids: [], times: [], seqs: [], w: [], ev: [], tr: [] };

  constructor(
    rows: StoredReading[],
    private readonly committed: Map<string, (number | null)[]>,
  ) {
    for (const r of rows) {
      const v = r.values;
      if (typeof v.workerId === 'string') {
        this.gate.ids.push(r.deviceId);
        this.gate.times.push(r.time);
        this.gate.seqs.push(r.seq ?? null);
        this.gate.w.push(v.workerId);
        this.gate.ev.push(textOf(v.event));
        this.gate.tr.push(textOf(v.trade));
      }
      let e: { deviceId: string; hour: number; m: (number | null)[] } | undefined;
      for (let i = 0; i < ROLLUP_FIELDS.length; i++) {
        const x = v[ROLLUP_FIELDS[i]!];
        if (typeof x !== 'number') continue;
        if (!e) {
          const hour = Math.floor(r.time / HOUR_MS);
          const k = `${r.deviceId}|${hour}`;
          e = this.hours.get(k);
          if (!e) {
            e = { deviceId: r.deviceId, hour, m: [null, null, null, null] };
            this.hours.set(k, e);
          }
        }
        const m = e.m[i];
        if (m === null || m === undefined || x > m) e.m[i] = x;
      }
    }
    for (const [k, e] of this.hours) {
      const c = committed.get(k);
      if (c && e.m.every((x, i) => x === null || (c[i] !== null && x <= c[i]!))) this.hours.delete(k);
    }
  }

  /** The 12 arrays `rollupSourcesFromParams` reads. */
  params(): unknown[] {
    const hs = [...this.hours.values()];
    const col = (i: number) => hs.map((h) => h.m[i]);
    const g = this.gate;
    return [
      hs.map((h) => h.deviceId),
      hs.map((h) => h.hour),
      col(0),
      col(1),
      col(2),
      col(3),
      g.ids,
      g.times,
      g.seqs,
      g.w,
      g.ev,
      g.tr,
    ];
  }

  /** After the commit: the maxima sent are now stored (or exceeded). */
  committedNow(): void {
    if (this.committed.size + this.hours.size > MAX_CACHED) this.committed.clear();
    for (const [k, e] of this.hours) {
      const c = this.committed.get(k);
      if (!c) this.committed.set(k, [...e.m]);
      else for (let i = 0; i < c.length; i++) if (e.m[i] !== null && (c[i] === null || e.m[i]! > c[i]!)) c[i] = e.m[i]!;
    }
  }
}

/** What `vals ->> 'x'` gives for a value: a string as is, null for null / absent, else its JSON text. */
function textOf(x: unknown): string | null {
  if (x === undefined || x === null) return null;
  return typeof x === 'string' ? x : JSON.stringify(x);
}

/**
 * Rebuilds the gate rollups of a project from its stored gate events (days from kpi_rollup_meta.since), in the
 * caller's transaction: after a gate device and its readings are deleted.
 */
export async function rebuildGateRollup(tx: DbTx, projectId: string): Promise<void> {
  await tx.query('DELETE FROM gate_on_site WHERE project_id = $1', [projectId]);
  await tx.query('DELETE FROM gate_worker_day WHERE project_id = $1', [projectId]);
  await tx.query(
    `INSERT INTO gate_worker_day (project_id, day_start, worker_id, time, seq, event, trade)
     SELECT DISTINCT ON (x.day, t.vals ->> 'workerId') d.project_id, x.day, t.vals ->> 'workerId', t.time, t.seq,
            t.vals ->> 'event', t.vals ->> 'trade'
       FROM telemetry t JOIN devices d ON d.id = t.device_id
      CROSS JOIN LATERAL (SELECT (t.time + ${OFF}) / ${DAY_MS} * ${DAY_MS} - ${OFF} AS day) x
      WHERE d.project_id = $1 AND d.kind = 'gate' AND jsonb_typeof(t.vals -> 'workerId') = 'string'
        AND t.time >= (SELECT since FROM kpi_rollup_meta)
      ORDER BY x.day, t.vals ->> 'workerId', t.time DESC, coalesce(t.seq, -1) DESC`,
    [projectId],
  );
  await tx.query(
    `INSERT INTO gate_on_site (project_id, day_start, trade, n, newest)
     SELECT project_id, day_start, coalesce(trade, '(unknown)'), count(*) FILTER (WHERE event = 'enter'), max(time)
       FROM gate_worker_day WHERE project_id = $1 GROUP BY 1, 2, 3`,
    [projectId],
  );
}
