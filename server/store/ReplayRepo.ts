import type { DeviceKind } from '../../models/Device.js';
import type { Reading } from '../../models/Reading.js';
import type { Db } from './Db.js';

/** A device's state at an instant: its last reading at or before it, and every field's last value (merged). */
export interface DeviceStateAt {
  deviceId: string;
  kind: DeviceKind;
  /** The last stored reading at or before t (monitors often send only what changed), or null. */
  last: Reading | null;
  /** Each field's last value at or before t, within the lookback window; what a viewer draws. */
  values: Record<string, unknown>;
  /** Time of the reading each field of `values` came from. */
  fieldTimes: Record<string, number>;
}

/** Last value of each numeric field per step: (device, step index, field) -> value. */
export interface StepValue {
  deviceId: string;
  step: number;
  field: string;
  value: number;
}

/**
 * History queries for the replay player. Everything is computed by PostgreSQL over the telemetry index
 * (device_id, time): lateral LIMIT 1 probes for the last reading and for each field's last value; one ordered range scan
 * for replay series.
 */
export class ReplayRepo {
  constructor(private readonly db: Db) {}

  /** State of every device of a project at `t`; fields older than `t - lookbackMs` are left out (stale). */
  async stateAt(projectId: string, t: number, lookbackMs: number): Promise<DeviceStateAt[]> {
    const [last, fields] = await Promise.all([
      this.db.query<{
        id: string;
        kind: DeviceKind;
        time: number | null;
        seq: number | null;
        vals: Record<string, unknown> | null;
      }>(
        `SELECT d.id, d.kind, r.time, r.seq, r.vals FROM devices d
           LEFT JOIN LATERAL (SELECT time, seq, vals FROM telemetry t WHERE t.device_id = d.id AND t.time <= $2
                               ORDER BY t.time DESC, t.seq DESC NULLS LAST LIMIT 1) r ON true
          WHERE d.project_id = $1 ORDER BY d.id`,
        [projectId, t],
      ),
      // Per (device, field ever reported): one backward index probe for the last reading carrying that field. The
      // field list is the device's merged latest state, which holds every field it ever sent.
      this.db.query<{ device_id: string; key: string; value: unknown; time: number }>(
        `SELECT d.id AS device_id, k.key, r.value, r.time
           FROM devices d JOIN latest l ON l.device_id = d.id
           CROSS JOIN LATERAL jsonb_object_keys(l.vals) AS k(key)
           CROSS JOIN LATERAL (SELECT t.vals -> k.key AS value, t.time FROM telemetry t
                                WHERE t.device_id = d.id AND t.time <= $2 AND t.time > $3 AND t.vals ? k.key
                                ORDER BY t.time DESC, t.seq DESC NULLS LAST LIMIT 1) r
          WHERE d.project_id = $1`,
        [projectId, t, t - lookbackMs],
      ),
    ]);
    const out = new Map<string, DeviceStateAt>();
    for (const r of last.rows) {
      out.set(r.id, {
        deviceId: r.id,
        kind: r.kind,
        last:
          r.time === null
            ? null
            : {
                deviceId: r.id,
                time: Number(r.time),
                ...(r.seq !== null ? { seq: Number(r.seq) } : {}),
                values: r.vals ?? {},
              },
        values: {},
        fieldTimes: {},
      });
    }
    for (const f of fields.rows) {
      const s = out.get(f.device_id);
      if (!s) continue;
      s.values[f.key] = f.value;
      s.fieldTimes[f.key] = Number(f.time);
    }
    return [...out.values()];
  }

  /**
   * For steps k = 1..n of `stepMs` after `from`, the last value of each numeric field among the readings in
   * (from + (k-1) step, from + k step]: the value a sample-and-hold series shows at from + k step. Step 0 is
   * `stateAt(from)`.
   */
  async stepValues(projectId: string, from: number, to: number, stepMs: number): Promise<StepValue[]> {
    // One ordered index range scan; the per-step reduction is a single pass here. (A DISTINCT ON over every field of
    // every reading made PostgreSQL sort fields x readings rows: ~7x slower than fetching the rows, see bench/alarms.ts.)
    const r = await this.db.query<{ device_id: string; time: number; vals: Record<string, unknown> }>(
      `SELECT t.device_id, t.time, t.vals FROM telemetry t JOIN devices d ON d.id = t.device_id
        WHERE d.project_id = $1 AND t.time > $2 AND t.time <= $3 ORDER BY t.device_id, t.time, t.seq NULLS FIRST`,
      [projectId, from, to],
    );
    const last = new Map<string, StepValue>();
    for (const row of r.rows) {
      const k = Math.ceil((Number(row.time) - from) / stepMs);
      for (const [field, v] of Object.entries(row.vals)) {
        if (typeof v !== 'number') continue;
        // Rows come oldest first: a later reading of the same step overwrites.
        last.set(`${row.device_id}|${k}|${field}`, { deviceId: row.device_id, step: k, field, value: v });
      }
    }
    return [...last.values()];
  }

  /** Number of readings of a project's devices in (from, to]: the guard before a replay query. */
  async countReadings(projectId: string, from: number, to: number): Promise<number> {
    const r = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM telemetry t JOIN devices d ON d.id = t.device_id WHERE d.project_id = $1 AND t.time > $2 AND t.time <= $3',
      [projectId, from, to],
    );
    return Number(r.rows[0]?.n ?? 0);
  }
}
