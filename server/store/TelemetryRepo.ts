import type { Reading } from '../../models/Reading.js';
import { writeChannel, type WriteStages } from '../ops/stageChannels.js';
import type { Db } from './Db.js';
import { ROLLUP_CTES, ROLLUP_SOURCES_FROM_INS, RollupBatch, rollupSourcesFromParams } from './kpiRollup.js';

/** A reading ready to store: validated, authenticated, time set. */
export interface StoredReading extends Reading {
  receivedAt: number;
}

/** Key that identifies a repeat: (device, seq) when seq is given, else (device, time). The write statement builds the same text in SQL. */
export function dedupeKey(r: { deviceId: string; time: number; seq?: number }): string {
  return r.seq !== undefined ? `${r.deviceId}|s${r.seq}` : `${r.deviceId}|t${r.time}`;
}

const MONTH_CACHE_MAX = 240;

/** See `TelemetryRepo.writeMode`. */
export type WriteMode = 'copy' | 'unnest';

const UNIQUE_VIOLATION = '23505';
/** After a COPY met a repeat, this many batches go the ON CONFLICT way before COPY is tried again. */
const COPY_BACKOFF_BATCHES = 20;

/** What the write statement answers: rows inserted, and their dedupeKey()s when fewer than submitted. */
interface Inserted {
  n: number;
  keys: string[] | null;
}

/**
 * A JSON text as a COPY text-format field: JSON.stringify leaves no raw tab, newline or carriage return (it escapes
 * them inside strings), so only the backslash, COPY's escape character, needs doubling.
 */
function copyText(json: string): string {
  return json.includes('\\') ? json.replace(/\\/g, '\\\\') : json;
}

/** A batch's COPY text, and each row's values as JSON (reused for the latest state). */
export interface CopyInput {
  text: string;
  json: Map<StoredReading, string>;
}

/**
 * The COPY text of `rows` (device_id, time, seq, received_at, vals), built before the transaction starts, so its
 * connection is not held (nor its backend left waiting) meanwhile. Built in one go: giving the event loop back every
 * 1,000 rows (setImmediate) was tried and measured worse, the group's commit then waits for whatever else the loop
 * runs (bench/city.ts at scale 0.5, load ~8: ingest round trip p50 142 vs 50 ms, p99 1,535 vs 865 ms), while the
 * whole build is ~10-15 ms of CPU for a city group.
 */
export function copyInput(rows: readonly StoredReading[]): CopyInput {
  let text = '';
  const json = new Map<StoredReading, string>();
  for (const r of rows) {
    const j = JSON.stringify(r.values);
    json.set(r, j);
    text += `${r.deviceId}\t${r.time}\t${r.seq ?? '\\N'}\t${r.receivedAt}\t${copyText(j)}\n`;
  }
  return { text, json };
}

/**
 * A PostgreSQL array literal of values that need no quoting (uuids, integers), NULL for null. The driver would quote
 * and escape every element of a JS array (two regex passes each): a tenth of the COPY path's time in bench/city.ts.
 */
export function plainArray(xs: readonly (string | number | null)[]): string {
  let s = '{';
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (typeof x === 'string' && !PLAIN_ELEMENT.test(x)) throw new Error(`not a plain array element: ${x}`);
    s += (i ? ',' : '') + (x === null ? 'NULL' : String(x));
  }
  return s + '}';
}
/** What plainArray takes as a string: a uuid's or a number's characters (never a quote, comma, brace or space). */
const PLAIN_ELEMENT = /^[0-9A-Za-z.+-]+$/;

/** UTC month start (epoch ms) of a time: the partition it lands in. */
export function monthOf(time: number): number {
  const d = new Date(time);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** UTC start of the month after the one `time` is in. */
function nextMonthOf(time: number): number {
  const d = new Date(time);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * Month bounds of the rows of a batch, which nearly all fall in one month: the last month found is reused without
 * building a Date per row.
 */
class MonthBounds {
  start = 0;
  end = -1;
  /** Sets `start` / `end` to the month `time` is in. */
  of(time: number): this {
    if (time < this.start || time >= this.end) {
      this.start = monthOf(time);
      this.end = nextMonthOf(time);
    }
    return this;
  }
}

/** `telemetry_YYYYMM`, the partition of the month starting at `month`. */
function partitionName(month: number): string {
  const d = new Date(month);
  return `telemetry_${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** How long "this month has no partition" is believed before it is asked again (another node may create it). */
const ABSENT_MONTH_TTL_MS = 10_000;

/**
 * The (device, seq) key is unique per monthly partition only (PostgreSQL wants the partition key in a unique index).
 * A reading with a seq this close to the start or end of its month is also looked up in the neighbouring month, so
 * a repeat stamped on the other side of the boundary (a device without a clock is stamped on arrival: its retry
 * after midnight lands in the next month) is still a repeat. A retry later than this after the month changed is not
 * caught; device retries come within seconds to minutes.
 */
export const CROSS_MONTH_REPEAT_WINDOW_MS = 24 * 3600_000;

/** The latest state moves only forward; fields a newer reading lacks are kept. */
export const MOVE_LATEST = `ON CONFLICT (device_id) DO UPDATE SET time = EXCLUDED.time, seq = EXCLUDED.seq, received_at = EXCLUDED.received_at,
        vals = latest.vals || EXCLUDED.vals
      WHERE (latest.time, coalesce(latest.seq, -1)) <= (EXCLUDED.time, coalesce(EXCLUDED.seq, -1))`;

/** Merges values in time order: later fields win, fields a later reading does not carry are kept. */
function mergeValues(rows: StoredReading[]): Map<string, StoredReading> {
  const order = (a: StoredReading, b: StoredReading) => a.time - b.time || (a.seq ?? -1) - (b.seq ?? -1);
  let inOrder = true;
  for (let i = 1; i < rows.length && inOrder; i++) inOrder = order(rows[i - 1]!, rows[i]!) <= 0;
  // Batches mostly arrive in time order: sorted only when they do not.
  const sorted = inOrder ? rows : [...rows].sort(order);
  // Per device: its newest reading, and the readings before it (merged once per device, not once per reading).
  const newest = new Map<string, StoredReading>();
  const older = new Map<string, StoredReading[]>();
  for (const r of sorted) {
    const prev = newest.get(r.deviceId);
    if (prev) {
      const list = older.get(r.deviceId);
      if (list) list.push(prev);
      else older.set(r.deviceId, [prev]);
    }
    newest.set(r.deviceId, r);
  }
  for (const [id, list] of older) {
    const last = newest.get(id)!;
    const values: Record<string, unknown> = {};
    for (const r of list) Object.assign(values, r.values);
    Object.assign(values, last.values);
    newest.set(id, { ...last, values });
  }
  return newest;
}

/**
 * One statement: inserts the rows of `source` (device_id, time, seq, received_at, vals), skipping repeats, and moves
 * the latest state of their devices from the rows that were new: values merged in time order (later fields win,
 * fields a later reading lacks are kept), and only forward; and folds them into the KPI rollups (kpiRollup.ts). Returns how many rows were new and, only when some were
 * repeats, their dedupe keys (the common all-new batch sends back one small row). Devices are taken in id order, so
 * concurrent writers (several nodes) lock `latest` rows in one order.
 */
export function insertAndMoveLatest(source: string, total: number): string {
  if (!Number.isSafeInteger(total)) throw new Error('total must be an integer');
  return `WITH ins AS (
      INSERT INTO telemetry (device_id, time, seq, received_at, vals) ${source}
      ON CONFLICT DO NOTHING RETURNING device_id, time, seq, received_at, vals
    ), merged AS (
      SELECT device_id,
             (array_agg(time ORDER BY time DESC, coalesce(seq, -1) DESC))[1] AS time,
             (array_agg(seq ORDER BY time DESC, coalesce(seq, -1) DESC))[1] AS seq,
             (array_agg(received_at ORDER BY time DESC, coalesce(seq, -1) DESC))[1] AS received_at,
             telemetry_merge_agg(vals ORDER BY time, coalesce(seq, -1)) AS vals
        FROM ins GROUP BY device_id
    ), moved AS (
      INSERT INTO latest (device_id, time, seq, received_at, vals) SELECT * FROM merged ORDER BY device_id
      ${MOVE_LATEST}
    ), ${ROLLUP_SOURCES_FROM_INS}, ${ROLLUP_CTES}
    SELECT count(*)::int AS n,
           CASE WHEN count(*) = ${total} THEN NULL
                ELSE array_agg(device_id::text || CASE WHEN seq IS NULL THEN '|t' || time ELSE '|s' || seq END) END AS keys
      FROM ins`;
}

/** The rows of the unnest write path: five column arrays at $1…$5. */
export const UNNEST_SOURCE =
  'SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::jsonb[]) AS v (device_id, time, seq, received_at, vals)';

/**
 * Readings and the latest state. A batch goes in as one statement (see `writeMode`): duplicates are dropped by the
 * unique keys (`ON CONFLICT DO NOTHING`) and the latest state moves in the same statement, so both commit together.
 */
export class TelemetryRepo {
  /** Months whose partition is known to exist. */
  private readonly months = new Set<number>();

  constructor(private readonly db: Db) {}

  /** Creates the monthly partitions the given times land in, if missing (each in its own short transaction). */
  async ensurePartitions(times: Iterable<number>): Promise<void> {
    const missingMonths = new Set<number>();
    const b = new MonthBounds();
    let last = NaN;
    for (const t of times) {
      const m = b.of(t).start;
      if (m === last) continue;
      last = m;
      if (!this.months.has(m)) missingMonths.add(m);
    }
    for (const m of missingMonths) {
      await this.db.transaction((tx) => tx.query('SELECT telemetry_ensure_partition($1::bigint)', [m]));
      if (this.months.size >= MONTH_CACHE_MAX) this.months.clear();
      this.months.add(m);
    }
  }

  /**
   * How a batch reaches the telemetry table. `unnest`: one statement (one round trip, atomic on its own) inserts the
   * rows from `unnest` of column arrays, skipping repeats (ON CONFLICT DO NOTHING), and moves the latest state from
   * the rows that were new. `copy`: the batch is COPYed straight into `telemetry` and the latest state moved, in one
   * transaction; COPY has no ON CONFLICT, so a batch that holds a repeat fails on the unique keys (nothing of it stays)
   * and is written again the `unnest` way. Both keep the dedupe keys and one commit per batch.
   * bench/telemetry.ts measures both.
   */
  writeMode: WriteMode = 'copy';
  /** Batches left to write the `unnest` way after a COPY met a repeat (a device resending overlapping windows). */
  private skipCopy = 0;

  /**
   * Writes a batch atomically and returns the readings that were new (the others were repeats). Readings repeated
   * inside the batch must be removed by the caller (it reports them as duplicates).
   */
  async write(rows: StoredReading[]): Promise<StoredReading[]> {
    if (!rows.length) return [];
    await this.ensurePartitions(rows.map((r) => r.time));
    const repeats = await this.crossMonthRepeats(rows);
    if (repeats) {
      const rest = rows.filter((r) => !repeats.has(dedupeKey(r)));
      return rest.length ? this.writeNew(rest) : [];
    }
    return this.writeNew(rows);
  }

  /**
   * Keys (dedupeKey) of rows whose seq is stored in the neighbouring month already (see
   * CROSS_MONTH_REPEAT_WINDOW_MS); undefined when no row is near a month boundary (no query then).
   */
  private async crossMonthRepeats(rows: StoredReading[]): Promise<Set<string> | undefined> {
    // Neighbouring month [from, to) -> the rows to look up there.
    let near: Map<number, { to: number; ids: string[]; seqs: number[] }> | undefined;
    const b = new MonthBounds();
    const add = (r: StoredReading, from: number, to: number) => {
      near ??= new Map();
      let g = near.get(from);
      if (!g) near.set(from, (g = { to, ids: [], seqs: [] }));
      g.ids.push(r.deviceId);
      g.seqs.push(r.seq!);
    };
    for (const r of rows) {
      if (r.seq === undefined) continue;
      const { start, end } = b.of(r.time);
      if (r.time - start < CROSS_MONTH_REPEAT_WINDOW_MS) add(r, monthOf(start - 1), start);
      if (end - r.time <= CROSS_MONTH_REPEAT_WINDOW_MS) add(r, end, nextMonthOf(end));
    }
    if (!near) return undefined;
    const out = new Set<string>();
    for (const [from, g] of near as Map<number, { to: number; ids: string[]; seqs: number[] }>) {
      if (!(await this.partitionExists(from))) continue; // a month without a partition holds nothing to repeat
      // The time range prunes the lookup to the one partition (none when that month has none).
      const r = await this.db.query<{ k: string }>(
        `SELECT t.device_id::text || '|s' || t.seq AS k
           FROM telemetry t JOIN unnest($1::uuid[], $2::bigint[]) AS c (device_id, seq) ON t.device_id = c.device_id AND t.seq = c.seq
          WHERE t.time >= $3 AND t.time < $4`,
        [g.ids, g.seqs, from, g.to],
      );
      for (const x of r.rows) out.add(x.k);
    }
    return out.size ? out : undefined;
  }

  /** Months found without a partition, and until when that is believed. */
  private readonly absentMonths = new Map<number, number>();

  /** Whether the month starting at `month` has its partition (partitions are never dropped: a yes is kept). */
  private async partitionExists(month: number): Promise<boolean> {
    if (this.months.has(month)) return true;
    const until = this.absentMonths.get(month);
    if (until !== undefined && until > Date.now()) return false;
    const r = await this.db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [partitionName(month)]);
    if (r.rows[0]?.t) {
      if (this.months.size >= MONTH_CACHE_MAX) this.months.clear();
      this.months.add(month);
      this.absentMonths.delete(month);
      return true;
    }
    if (this.absentMonths.size >= MONTH_CACHE_MAX) this.absentMonths.clear();
    this.absentMonths.set(month, Date.now() + ABSENT_MONTH_TTL_MS);
    return false;
  }

  /** Writes rows none of which is a cross-month repeat; returns those that were new. */
  private async writeNew(rows: StoredReading[]): Promise<StoredReading[]> {
    if (this.writeMode === 'copy' && this.skipCopy === 0) {
      try {
        // Stage stamps for a benchmark's probe only (stageChannels.ts): none without a subscriber.
        const st: WriteStages | undefined = writeChannel.hasSubscribers
          ? { rows: rows.length, start: Date.now(), built: 0, committed: 0 }
          : undefined;
        // Built before the transaction: its connection is not held (and its backend not left waiting) meanwhile.
        const input = copyInput(rows);
        const rollup = new RollupBatch(rows, this.committedMaxima);
        if (st) st.built = Date.now();
        await this.copyAll(input, rows, rollup);
        rollup.committedNow();
        if (st) {
          st.committed = Date.now();
          writeChannel.publish(st);
        }
        return rows;
      } catch (err) {
        if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
        this.skipCopy = COPY_BACKOFF_BATCHES;
      }
    } else if (this.skipCopy > 0) {
      this.skipCopy--;
    }
    const inserted = await this.insertByUnnest(rows);
    if (Number(inserted.n) === rows.length) return rows;
    const keys = new Set(inserted.keys ?? []);
    return rows.filter((r) => keys.has(dedupeKey(r)));
  }

  private async insertByUnnest(rows: StoredReading[]): Promise<Inserted> {
    const ids: string[] = [];
    const times: number[] = [];
    const seqs: (number | null)[] = [];
    const received: number[] = [];
    const vals: string[] = [];
    for (const r of rows) {
      ids.push(r.deviceId);
      times.push(r.time);
      seqs.push(r.seq ?? null);
      received.push(r.receivedAt);
      vals.push(JSON.stringify(r.values));
    }
    return (
      await this.db.query<Inserted>(insertAndMoveLatest(UNNEST_SOURCE, rows.length), [ids, times, seqs, received, vals])
    ).rows[0]!;
  }

  /** Hourly maxima this repo committed (see RollupBatch): rows that would not raise them are not sent. */
  private readonly committedMaxima = new Map<string, (number | null)[]>();

  /**
   * COPY of the whole batch (throws 23505 on a repeat), then one statement that moves the latest state and folds the
   * batch into the KPI rollups, in one transaction sent as one message (Db.copyThen: two round trips, not five).
   */
  private async copyAll({ text, json }: CopyInput, rows: StoredReading[], rollup: RollupBatch): Promise<void> {
    // Sorted by device: concurrent writers (several nodes) lock `latest` rows in one order.
    const merged = [...mergeValues(rows).values()].sort((a, b) =>
      a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0,
    );
    const params = [
      plainArray(merged.map((r) => r.deviceId)),
      plainArray(merged.map((r) => r.time)),
      plainArray(merged.map((r) => r.seq ?? null)),
      plainArray(merged.map((r) => r.receivedAt)),
      // One JSON array, split in SQL: no array-literal quoting of each value's JSON text. `json` holds each row's
      // values as JSON already: a device with one reading in the batch (the usual case) moves `latest` to that row.
      `[${merged.map((r) => json.get(r) ?? JSON.stringify(r.values)).join(',')}]`,
      ...rollup.params(),
    ];
    await this.db.copyThen(
      'COPY telemetry (device_id, time, seq, received_at, vals) FROM STDIN',
      text,
      `WITH moved AS (
         INSERT INTO latest (device_id, time, seq, received_at, vals)
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[],
           ARRAY(SELECT v FROM jsonb_array_elements($5::jsonb) WITH ORDINALITY AS e (v, n) ORDER BY n))
         ${MOVE_LATEST}
       ), ${rollupSourcesFromParams(6)}, ${ROLLUP_CTES}
       SELECT 1`,
      params,
    );
  }

  /** Latest state of the given devices, or of every device of a project, or of all devices. */
  async latest(scope: { deviceIds: string[] } | { projectId: string } | { all: true }): Promise<Reading[]> {
    const base = 'SELECT l.device_id, l.time, l.seq, l.vals FROM latest l';
    const r =
      'deviceIds' in scope
        ? await this.db.query<LatestRow>(`${base} WHERE l.device_id = ANY($1::uuid[])`, [scope.deviceIds])
        : 'projectId' in scope
          ? await this.db.query<LatestRow>(`${base} JOIN devices d ON d.id = l.device_id WHERE d.project_id = $1`, [
              scope.projectId,
            ])
          : await this.db.query<LatestRow>(base);
    return r.rows.map(toReading);
  }

  /** Raw readings of a device in [from, to), oldest first, at most `limit`. */
  async readings(deviceId: string, from: number, to: number, limit: number): Promise<Reading[]> {
    const r = await this.db.query<LatestRow>(
      'SELECT device_id, time, seq, vals FROM telemetry WHERE device_id = $1 AND time >= $2 AND time < $3 ORDER BY time, seq LIMIT $4',
      [deviceId, from, to, limit],
    );
    return r.rows.map(toReading);
  }

  /**
   * Min / avg / max of every top-level numeric field per bucket of `bucketMs`, buckets aligned on `from`, computed
   * by PostgreSQL. Returns one row per (bucket, field).
   */
  async buckets(
    deviceId: string,
    from: number,
    to: number,
    bucketMs: number,
  ): Promise<{ time: number; field: string; count: number; min: number; avg: number; max: number }[]> {
    const r = await this.db.query<{ b: number; field: string; n: number; mn: number; av: number; mx: number }>(
      `SELECT $2::bigint + floor((t.time - $2::bigint)::float8 / $4::bigint)::bigint * $4::bigint AS b, kv.key AS field,
              count(*)::int AS n, min(kv.value::text::float8) AS mn, avg(kv.value::text::float8) AS av, max(kv.value::text::float8) AS mx
         FROM telemetry t CROSS JOIN LATERAL jsonb_each(t.vals) kv
        WHERE t.device_id = $1 AND t.time >= $2 AND t.time < $3 AND jsonb_typeof(kv.value) = 'number'
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [deviceId, from, to, bucketMs],
    );
    return r.rows.map((x) => ({
      time: Number(x.b),
      field: x.field,
      count: Number(x.n),
      min: Number(x.mn),
      avg: Number(x.av),
      max: Number(x.mx),
    }));
  }

  /** Reading counts per bucket (a bucket's count is its number of readings, whatever fields they carry). */
  async bucketCounts(deviceId: string, from: number, to: number, bucketMs: number): Promise<Map<number, number>> {
    const r = await this.db.query<{ b: number; n: number }>(
      `SELECT $2::bigint + floor((time - $2::bigint)::float8 / $4::bigint)::bigint * $4::bigint AS b, count(*)::int AS n
         FROM telemetry WHERE device_id = $1 AND time >= $2 AND time < $3 GROUP BY 1`,
      [deviceId, from, to, bucketMs],
    );
    return new Map(r.rows.map((x) => [Number(x.b), Number(x.n)]));
  }
}

interface LatestRow {
  device_id: string;
  time: number;
  seq: number | null;
  vals: Record<string, unknown>;
}

const toReading = (r: LatestRow): Reading => ({
  deviceId: r.device_id,
  time: Number(r.time),
  ...(r.seq !== null ? { seq: Number(r.seq) } : {}),
  values: r.vals,
});
