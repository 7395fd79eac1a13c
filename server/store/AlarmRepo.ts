import { randomUUID } from 'node:crypto';
import type { Alarm, AlarmLevel, AlarmQuery, AlarmStateName } from '../../models/Alarm.js';
import type { AlarmThresholdsOverrides } from '../../models/alarmRules/thresholds.js';
import type { Db } from './Db.js';

/** What the engine knows when it raises an alarm. */
export interface AlarmRaise {
  projectId: string;
  /** null for an alarm about the project itself (an overdue rectification notice anchored to no device). */
  deviceId: string | null;
  rule: string;
  quantity: string;
  level: AlarmLevel;
  value: number;
  threshold: number;
  message: string;
  details?: Record<string, unknown>;
  time: number;
}

interface Row {
  id: string;
  project_id: string;
  device_id: string | null;
  rule: string;
  quantity: string;
  level: AlarmLevel;
  value: number;
  threshold: number;
  message: string;
  details: Record<string, unknown> | null;
  state: AlarmStateName;
  raised_at: number;
  updated_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  ack_comment: string | null;
  cleared_at: number | null;
}

const COLS = `id, project_id, device_id, rule, quantity, level, value, threshold, message, details, state, raised_at, updated_at,
  acknowledged_at, acknowledged_by, ack_comment, cleared_at`;

const toAlarm = (r: Row): Alarm => ({
  id: r.id,
  projectId: r.project_id,
  deviceId: r.device_id,
  rule: r.rule,
  quantity: r.quantity,
  level: r.level,
  value: Number(r.value),
  threshold: Number(r.threshold),
  message: r.message,
  ...(r.details ? { details: r.details } : {}),
  state: r.state,
  raisedAt: Number(r.raised_at),
  updatedAt: Number(r.updated_at),
  ...(r.acknowledged_at !== null ? { acknowledgedAt: Number(r.acknowledged_at) } : {}),
  ...(r.acknowledged_by !== null ? { acknowledgedBy: r.acknowledged_by } : {}),
  ...(r.ack_comment !== null ? { ackComment: r.ack_comment } : {}),
  ...(r.cleared_at !== null ? { clearedAt: Number(r.cleared_at) } : {}),
});

/** Outcome of an acknowledgement: the alarm, or why not. */
export type AckOutcome =
  { ok: true; alarm: Alarm } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'not_open'; alarm: Alarm };

/** Alarm records and per-project alarm-line overrides. */
export class AlarmRepo {
  constructor(private readonly db: Db) {}

  /**
   * Inserts an open alarm unless one is already open for (device, rule) (for an alarm about no device: (project,
   * rule)): then that one is returned with `created: false`, so two nodes evaluating the same reading raise it once
   * (unique partial indexes).
   */
  async raise(a: AlarmRaise): Promise<{ alarm: Alarm; created: boolean }> {
    const conflict =
      a.deviceId === null
        ? '(project_id, rule) WHERE device_id IS NULL AND cleared_at IS NULL'
        : '(device_id, rule) WHERE cleared_at IS NULL';
    const r = await this.db.query<Row>(
      `INSERT INTO alarms (id, project_id, device_id, rule, quantity, level, value, threshold, message, details, state, raised_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $11)
       ON CONFLICT ${conflict} DO NOTHING RETURNING ${COLS}`,
      [
        randomUUID(),
        a.projectId,
        a.deviceId,
        a.rule,
        a.quantity,
        a.level,
        a.value,
        a.threshold,
        a.message,
        a.details ? JSON.stringify(a.details) : null,
        a.time,
      ],
    );
    if (r.rows[0]) return { alarm: toAlarm(r.rows[0]), created: true };
    const open =
      a.deviceId === null
        ? await this.db.query<Row>(
            `SELECT ${COLS} FROM alarms WHERE project_id = $1 AND device_id IS NULL AND rule = $2 AND cleared_at IS NULL`,
            [a.projectId, a.rule],
          )
        : await this.db.query<Row>(
            `SELECT ${COLS} FROM alarms WHERE device_id = $1 AND rule = $2 AND cleared_at IS NULL`,
            [a.deviceId, a.rule],
          );
    // The other one may have cleared in between: then this raise is a new episode.
    return open.rows[0] ? { alarm: toAlarm(open.rows[0]), created: false } : this.raise(a);
  }

  /** Raises an open alarm's level; an acknowledged one opens again (a worse condition needs a new look). */
  async escalate(
    id: string,
    u: {
      level: AlarmLevel;
      value: number;
      threshold: number;
      message: string;
      details?: Record<string, unknown>;
      time: number;
    },
  ): Promise<Alarm | null> {
    const r = await this.db.query<Row>(
      `UPDATE alarms SET level = $2, value = $3, threshold = $4, message = $5, details = coalesce($6, details), updated_at = $7,
         state = 'open', acknowledged_at = NULL, acknowledged_by = NULL, ack_comment = NULL
       WHERE id = $1 AND cleared_at IS NULL RETURNING ${COLS}`,
      [id, u.level, u.value, u.threshold, u.message, u.details ? JSON.stringify(u.details) : null, u.time],
    );
    return r.rows[0] ? toAlarm(r.rows[0]) : null;
  }

  /** Clears an alarm (open or acknowledged); null when it was cleared already (by another node). */
  async clear(id: string, time: number): Promise<Alarm | null> {
    const r = await this.db.query<Row>(
      `UPDATE alarms SET state = 'cleared', cleared_at = greatest($2, raised_at), updated_at = greatest($2, raised_at)
       WHERE id = $1 AND cleared_at IS NULL RETURNING ${COLS}`,
      [id, time],
    );
    return r.rows[0] ? toAlarm(r.rows[0]) : null;
  }

  /** Acknowledges an open alarm, once; a cleared or already acknowledged one is refused. */
  async acknowledge(id: string, by: string, comment: string, time: number): Promise<AckOutcome> {
    const r = await this.db.query<Row>(
      `UPDATE alarms SET state = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3, ack_comment = $4, updated_at = greatest($2, updated_at)
       WHERE id = $1 AND state = 'open' RETURNING ${COLS}`,
      [id, time, by, comment],
    );
    if (r.rows[0]) return { ok: true, alarm: toAlarm(r.rows[0]) };
    const a = await this.get(id);
    return a ? { ok: false, reason: 'not_open', alarm: a } : { ok: false, reason: 'not_found' };
  }

  async get(id: string): Promise<Alarm | null> {
    const r = await this.db.query<Row>(`SELECT ${COLS} FROM alarms WHERE id = $1`, [id]);
    return r.rows[0] ? toAlarm(r.rows[0]) : null;
  }

  /** Alarms matching the filters, newest raised first. */
  async list(q: Partial<AlarmQuery> & { limit: number }): Promise<Alarm[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.projectId) add('project_id = ?', q.projectId);
    if (q.deviceId) add('device_id = ?', q.deviceId);
    if (q.level) add('level = ?', q.level);
    if (q.state) add('state = ?', q.state);
    if (q.from !== undefined) add('raised_at >= ?', q.from);
    if (q.to !== undefined) add('raised_at < ?', q.to);
    params.push(q.limit);
    const r = await this.db.query<Row>(
      `SELECT ${COLS} FROM alarms ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC, id LIMIT $${params.length}`,
      params,
    );
    return r.rows.map(toAlarm);
  }

  /** Every alarm not cleared (the engine restores its state from these at start). */
  async open(): Promise<Alarm[]> {
    return (
      await this.db.query<Row>(`SELECT ${COLS} FROM alarms WHERE cleared_at IS NULL ORDER BY raised_at`)
    ).rows.map(toAlarm);
  }

  /** Alarms of a project that were open at `t` (raised at or before, not cleared by then). */
  async openAt(projectId: string, t: number): Promise<Alarm[]> {
    const r = await this.db.query<Row>(
      `SELECT ${COLS} FROM alarms WHERE project_id = $1 AND raised_at <= $2 AND (cleared_at IS NULL OR cleared_at > $2) ORDER BY raised_at DESC`,
      [projectId, t],
    );
    return r.rows.map(toAlarm);
  }

  /** Alarms of a project whose open interval meets [from, to] (for a replay). */
  async overlapping(projectId: string, from: number, to: number, limit: number): Promise<Alarm[]> {
    const r = await this.db.query<Row>(
      `SELECT ${COLS} FROM alarms WHERE project_id = $1 AND raised_at <= $3 AND (cleared_at IS NULL OR cleared_at > $2) ORDER BY raised_at LIMIT $4`,
      [projectId, from, to, limit],
    );
    return r.rows.map(toAlarm);
  }

  /** A project's overrides of the alarm lines ({} when it has none). */
  async thresholdOverrides(projectId: string): Promise<AlarmThresholdsOverrides> {
    const r = await this.db.query<{ overrides: AlarmThresholdsOverrides }>(
      'SELECT overrides FROM alarm_thresholds WHERE project_id = $1',
      [projectId],
    );
    return r.rows[0]?.overrides ?? {};
  }

  /**
   * What every project's alarm lines are made of: its region code (the jurisdiction's defaults) and its overrides
   * ({} when it has none). One narrow query for the whole city (the engine re-reads them all at once).
   */
  async thresholdInputs(): Promise<{ projectId: string; regionCode: string; overrides: AlarmThresholdsOverrides }[]> {
    const r = await this.db.query<{ id: string; region_code: string; overrides: AlarmThresholdsOverrides | null }>(
      'SELECT p.id, p.region_code, t.overrides FROM projects p LEFT JOIN alarm_thresholds t ON t.project_id = p.id',
    );
    return r.rows.map((x) => ({ projectId: x.id, regionCode: x.region_code.trim(), overrides: x.overrides ?? {} }));
  }

  /** Replaces a project's overrides (the caller validated them). */
  async setThresholdOverrides(projectId: string, o: AlarmThresholdsOverrides): Promise<void> {
    await this.db.query(
      `INSERT INTO alarm_thresholds (project_id, overrides, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (project_id) DO UPDATE SET overrides = EXCLUDED.overrides, updated_at = EXCLUDED.updated_at`,
      [projectId, JSON.stringify(o), Date.now()],
    );
  }
}
