import type { DeviceQuality, ProjectQuality, RefusalDetails, StoredFieldRejection } from '../../models/FieldQuality.js';
import type { Db } from './Db.js';

/** A refused field to keep: its reading's device, time and seq, the raw value as sent, and why. */
export interface RejectionRow {
  deviceId: string;
  time: number;
  seq?: number;
  field: string;
  raw: unknown;
  code: string;
  reason: string;
  /** The refusal's values, for readers that word it themselves (absent when it has none). */
  details?: RefusalDetails;
  transport: string;
  receivedAt: number;
}

/** The reading of a device that carried the refusals, as received; `whole` when nothing of it was stored. */
export interface RefusedPayload {
  deviceId: string;
  at: number;
  transport: string;
  raw: string;
  whole: boolean;
}

/** PostgreSQL text and jsonb hold neither NUL nor a lone surrogate: such characters become U+FFFD in what is kept. */
function clean(s: string): string {
  return s.replace(/\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** A raw value as jsonb text: strings cleaned, and anything longer than 2 KB kept as its first 2 KB of JSON text. */
function rawJson(v: unknown): string | null {
  if (v === undefined) return null;
  let text = JSON.stringify(v, (_k, x) => (typeof x === 'string' ? clean(x) : x)) ?? 'null';
  if (text.length > 2048) text = JSON.stringify(text.slice(0, 2048));
  return text.replace(/\\u0000/g, '\\ufffd');
}

/** The longest raw payload kept per device (an HJ 212 frame is at most 10 012 bytes). */
const MAX_RAW = 16_384;

const RECENT = 20;

interface SummaryRow {
  device_id: string;
  name?: string;
  kind?: string;
  last_accepted_at: number | null;
  refused: number;
  by_code: Record<string, number> | null;
  last_refused_at: number | null;
  last_refused_transport: string | null;
  last_refused_raw: string | null;
  last_whole_refusal_at: number | null;
}

const summary = (r: SummaryRow) => {
  const lastAcceptedAt = r.last_accepted_at === null ? undefined : Number(r.last_accepted_at);
  return {
    deviceId: r.device_id,
    ...(lastAcceptedAt !== undefined ? { lastAcceptedAt } : {}),
    refused: Number(r.refused ?? 0),
    refusedByCode: Object.fromEntries(Object.entries(r.by_code ?? {}).map(([k, n]) => [k, Number(n)])),
    ...(r.last_refused_at !== null
      ? {
          lastRefused: {
            at: Number(r.last_refused_at),
            transport: r.last_refused_transport!,
            raw: r.last_refused_raw!,
          },
        }
      : {}),
    onlyRefused:
      r.last_whole_refusal_at !== null &&
      (lastAcceptedAt === undefined || Number(r.last_whole_refusal_at) > lastAcceptedAt),
  };
};

/** Per device: latest arrival, refusal counts by code, last refused payload. `$1` is the filter's value. */
const SUMMARY = (where: string) => `
  SELECT d.id AS device_id, d.name, d.kind, l.received_at AS last_accepted_at,
         coalesce(c.refused, 0) AS refused, c.by_code,
         q.last_refused_at, q.last_refused_transport, q.last_refused_raw, q.last_whole_refusal_at
    FROM devices d
    LEFT JOIN latest l ON l.device_id = d.id
    LEFT JOIN device_quality q ON q.device_id = d.id
    LEFT JOIN LATERAL (
      SELECT sum(n)::int AS refused, jsonb_object_agg(code, n) AS by_code
        FROM (SELECT code, count(*)::int AS n FROM telemetry_rejections WHERE device_id = d.id GROUP BY code) x
    ) c ON true
   WHERE ${where}`;

/** Refused fields kept aside, and each device's data quality built from them and its latest state. */
export class QualityRepo {
  constructor(private readonly db: Db) {}

  /**
   * Keeps refused fields and the payloads that carried them, in one transaction. Idempotent: a resend of the same
   * reading adds nothing (unique key), and the last refused payload only moves forward.
   */
  async record(rows: RejectionRow[], payloads: RefusedPayload[]): Promise<void> {
    if (!rows.length && !payloads.length) return;
    await this.db.transaction(async (tx) => {
      if (rows.length) {
        await tx.query(
          `INSERT INTO telemetry_rejections (device_id, time, seq, field, raw, code, reason, transport, received_at, details)
           SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::text[], $5::jsonb[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::jsonb[])
           ON CONFLICT DO NOTHING`,
          [
            rows.map((r) => r.deviceId),
            rows.map((r) => r.time),
            rows.map((r) => r.seq ?? null),
            rows.map((r) => clean(r.field).slice(0, 128)),
            rows.map((r) => rawJson(r.raw)),
            rows.map((r) => r.code),
            rows.map((r) => clean(r.reason).slice(0, 1024)),
            rows.map((r) => r.transport),
            rows.map((r) => r.receivedAt),
            rows.map((r) => (r.details ? JSON.stringify(r.details) : null)),
          ],
        );
      }
      // One payload per device (the newest), in device order so concurrent writers lock rows in one order.
      const newest = new Map<string, RefusedPayload>();
      for (const p of payloads) if ((newest.get(p.deviceId)?.at ?? -1) <= p.at) newest.set(p.deviceId, p);
      const list = [...newest.values()].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
      if (!list.length) return;
      await tx.query(
        `INSERT INTO device_quality (device_id, last_refused_at, last_refused_transport, last_refused_raw, last_whole_refusal_at)
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])
         ON CONFLICT (device_id) DO UPDATE SET last_refused_at = EXCLUDED.last_refused_at,
           last_refused_transport = EXCLUDED.last_refused_transport, last_refused_raw = EXCLUDED.last_refused_raw,
           last_whole_refusal_at = coalesce(EXCLUDED.last_whole_refusal_at, device_quality.last_whole_refusal_at)
         WHERE device_quality.last_refused_at <= EXCLUDED.last_refused_at`,
        [
          list.map((p) => p.deviceId),
          list.map((p) => p.at),
          list.map((p) => p.transport),
          list.map((p) => clean(p.raw).slice(0, MAX_RAW)),
          list.map((p) => (p.whole ? p.at : null)),
        ],
      );
    });
  }

  /** One device's data quality; null when there is no such device. */
  async device(deviceId: string): Promise<DeviceQuality | null> {
    const r = await this.db.query<SummaryRow>(SUMMARY('d.id = $1'), [deviceId]);
    if (!r.rows[0]) return null;
    const [byField, recent] = await Promise.all([
      this.db.query<{ field: string; n: number }>(
        'SELECT field, count(*)::int AS n FROM telemetry_rejections WHERE device_id = $1 GROUP BY field',
        [deviceId],
      ),
      this.db.query<{
        time: number;
        seq: number | null;
        field: string;
        raw: unknown;
        code: string;
        reason: string;
        details: RefusalDetails | null;
        transport: string;
        received_at: number;
      }>(
        'SELECT time, seq, field, raw, code, reason, details, transport, received_at FROM telemetry_rejections WHERE device_id = $1 ORDER BY received_at DESC, time DESC, field LIMIT $2',
        [deviceId, RECENT],
      ),
    ]);
    return {
      ...summary(r.rows[0]),
      refusedByField: Object.fromEntries(byField.rows.map((x) => [x.field, Number(x.n)])),
      recent: recent.rows.map((x): StoredFieldRejection => ({
        time: Number(x.time),
        ...(x.seq !== null ? { seq: Number(x.seq) } : {}),
        field: x.field,
        raw: x.raw,
        code: x.code,
        reason: x.reason,
        ...(x.details ? { details: x.details } : {}),
        transport: x.transport,
        receivedAt: Number(x.received_at),
      })),
    };
  }

  /** Every device of a project, those that send only refused data first, then by refusals. */
  async project(projectId: string): Promise<ProjectQuality> {
    const r = await this.db.query<SummaryRow>(`${SUMMARY('d.project_id = $1')} ORDER BY d.name, d.id`, [projectId]);
    const devices = r.rows.map((x) => ({ ...summary(x), name: x.name!, kind: x.kind! }));
    devices.sort((a, b) => Number(b.onlyRefused) - Number(a.onlyRefused) || b.refused - a.refused);
    return { projectId, devices };
  }
}
