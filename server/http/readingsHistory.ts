import { ErrorCode } from '../../models/errors.js';
import { csvLine } from '../../models/Csv.js';
import { MAX_READING_TIME, parseBucket, type Reading, type ReadingHistory } from '../../models/Reading.js';
import type { Store } from '../store/Store.js';
import { AppError } from '../errors.js';

/** Most buckets / raw rows one history request may return. */
export const MAX_BUCKETS = 10_000;
const DAY = 86_400_000;

/** The query of `GET /devices/:id/readings`, checked. */
export interface HistoryQuery {
  from: number;
  to: number;
  bucketMs?: number;
  limit: number;
  csv: boolean;
}

function timeParam(v: unknown, name: string, def: number): number {
  if (v === undefined || v === '') return def;
  if (typeof v !== 'string') throw new AppError(ErrorCode.VALIDATION_FAILED, `${name} must be given once`);
  // Epoch milliseconds, or an ISO 8601 date for people typing URLs.
  const n = /^-?\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n))
    throw new AppError(ErrorCode.VALIDATION_FAILED, `${name} must be epoch milliseconds or an ISO 8601 time`, {
      issues: [{ path: name, message: 'not a time' }],
    });
  // Past these the store's timestamp arithmetic fails (from=-1e20 answered 500).
  if (n < 0 || n > MAX_READING_TIME)
    throw new AppError(
      ErrorCode.VALIDATION_FAILED,
      `${name} must be from 1970 to the last date a Date can hold (0..${MAX_READING_TIME} ms)`,
      { issues: [{ path: name, message: 'out of range' }] },
    );
  return n;
}

/** Reads `from`, `to` (default: the last 24 h), `bucket`, `limit` and `format`; throws 400 with the field named. */
export function parseHistoryQuery(q: Record<string, unknown>, now = Date.now()): HistoryQuery {
  const to = timeParam(q.to, 'to', now);
  const from = timeParam(q.from, 'from', to - DAY);
  if (from >= to)
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'from must be before to', {
      issues: [{ path: 'from', message: 'must be before to' }],
    });
  let bucketMs: number | undefined;
  if (q.bucket !== undefined) {
    const b = typeof q.bucket === 'string' ? parseBucket(q.bucket) : null;
    if (b === null)
      throw new AppError(
        ErrorCode.VALIDATION_FAILED,
        'bucket must be milliseconds or a number with ms, s, m, h or d (e.g. 5m)',
        { issues: [{ path: 'bucket', message: 'not a duration' }] },
      );
    if ((to - from) / b > MAX_BUCKETS)
      throw new AppError(
        ErrorCode.VALIDATION_FAILED,
        `That is more than ${MAX_BUCKETS} buckets: widen the bucket or narrow from/to`,
        { issues: [{ path: 'bucket', message: 'too many buckets' }] },
      );
    bucketMs = b;
  }
  const limit = q.limit === undefined ? 1000 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BUCKETS)
    throw new AppError(ErrorCode.VALIDATION_FAILED, `limit must be 1..${MAX_BUCKETS}`, {
      issues: [{ path: 'limit', message: 'out of range' }],
    });
  if (q.format !== undefined && q.format !== 'json' && q.format !== 'csv')
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'format must be json or csv', {
      issues: [{ path: 'format', message: 'json or csv' }],
    });
  return { from, to, ...(bucketMs ? { bucketMs } : {}), limit, csv: q.format === 'csv' };
}

/** Downsampled history: min / avg / max per numeric field per bucket, computed by PostgreSQL. */
export async function bucketedHistory(
  store: Store,
  deviceId: string,
  q: HistoryQuery & { bucketMs: number },
): Promise<ReadingHistory> {
  const [rows, counts] = await Promise.all([
    store.telemetry.buckets(deviceId, q.from, q.to, q.bucketMs),
    store.telemetry.bucketCounts(deviceId, q.from, q.to, q.bucketMs),
  ]);
  const fields = [...new Set(rows.map((r) => r.field))].sort();
  const buckets = new Map<number, ReadingHistory['buckets'][number]>();
  for (const [time, count] of [...counts].sort((a, b) => a[0] - b[0])) buckets.set(time, { time, count, values: {} });
  for (const r of rows) buckets.get(r.time)!.values[r.field] = { min: r.min, avg: r.avg, max: r.max };
  return { deviceId, from: q.from, to: q.to, bucketMs: q.bucketMs, fields, buckets: [...buckets.values()] };
}

/** A bucketed history as CSV: `time,count,<field>_min,<field>_avg,<field>_max,…`, time as ISO 8601 UTC. */
export function historyCsv(h: ReadingHistory): string {
  let out = csvLine(['time', 'count', ...h.fields.flatMap((f) => [`${f}_min`, `${f}_avg`, `${f}_max`])]);
  for (const b of h.buckets) {
    out += csvLine([
      new Date(b.time).toISOString(),
      b.count,
      ...h.fields.flatMap(
        (f) => (b.values[f] ? [b.values[f].min, b.values[f].avg, b.values[f].max] : ['', '', '']) as unknown[],
      ),
    ]);
  }
  return out;
}

/** Raw readings as CSV: `time,seq,<field>…` (non-scalar values as JSON). */
export function readingsCsv(readings: Reading[]): string {
  const fields = [...new Set(readings.flatMap((r) => Object.keys(r.values)))].sort();
  let out = csvLine(['time', 'seq', ...fields]);
  for (const r of readings) out += csvLine([new Date(r.time).toISOString(), r.seq, ...fields.map((f) => r.values[f])]);
  return out;
}
