import { z } from 'zod';
import { safeText } from './text.js';

/** Two levels per quantity: a pre-warning (act soon) and an alarm (stop). */
export const AlarmLevel = z.enum(['prewarning', 'alarm']);
export type AlarmLevel = z.infer<typeof AlarmLevel>;

/** Lifecycle of an alarm record: raised (open) -> acknowledged -> cleared. Acknowledging never clears. */
export const AlarmStateName = z.enum(['open', 'acknowledged', 'cleared']);
export type AlarmStateName = z.infer<typeof AlarmStateName>;

/** Numeric rank of a level, for comparisons (an escalation goes to a higher rank). */
export function levelRank(l: AlarmLevel | null | undefined): number {
  return l === 'alarm' ? 2 : l === 'prewarning' ? 1 : 0;
}

/**
 * One alarm as stored and served. `rule` names the check (`crane.load`, `env.pm10`, `crane.bit.overload`,
 * `crane.collision:<other device id>`); (deviceId, rule) identifies the condition, and at most one record per pair is
 * not cleared at a time. `value` / `threshold` are those of the last transition (raise or escalation), in the unit of
 * `quantity` (the reading field, e.g. `loadPct`, `noiseDb`). `level` only rises while the alarm is open: it holds the
 * worst level reached.
 */
export const Alarm = z.object({
  id: z.string().uuid(),
  projectId: z.string().uuid(),
  /**
   * The device the condition is about; null for an alarm about the project itself (rule `notice.overdue:<topic id>`:
   * a rectification notice past its deadline, anchored to no device), unique per (project, rule) while not cleared.
   */
  deviceId: z.string().uuid().nullable(),
  rule: z.string(),
  quantity: z.string(),
  level: AlarmLevel,
  value: z.number(),
  threshold: z.number(),
  /** Human-readable reason, e.g. "Load 104 % of rated (alarm at 100 %)". */
  message: z.string(),
  /** Rule-specific facts (e.g. the other crane and closest points of a collision risk). */
  details: z.record(z.string(), z.unknown()).optional(),
  state: AlarmStateName,
  raisedAt: z.number().int(),
  updatedAt: z.number().int(),
  acknowledgedAt: z.number().int().optional(),
  acknowledgedBy: z.string().optional(),
  ackComment: z.string().optional(),
  clearedAt: z.number().int().optional(),
});
export type Alarm = z.infer<typeof Alarm>;

/**
 * Body of `POST /api/v1/alarms/:id/ack`. With accounts (AUTH=on) the server signs with the logged-in username and
 * ignores `by`; without accounts `by` is required (there is no one else to name).
 */
export const AlarmAck = z
  .object({
    by: safeText().trim().min(1, 'say who acknowledges').max(100).optional(),
    comment: safeText().trim().max(2000).default(''),
  })
  .strict();
export type AlarmAck = z.infer<typeof AlarmAck>;

/** Most alarms one list request returns. */
export const ALARM_LIST_MAX = 1000;

const epochMs = z.coerce.number().int().min(0);

/**
 * Filters of `GET /api/v1/alarms` (query strings, so numbers are coerced). `from` / `to` bound `raisedAt`
 * ([from, to)); the list is newest first.
 */
export const AlarmQuery = z
  .object({
    projectId: z.string().uuid().optional(),
    deviceId: z.string().uuid().optional(),
    level: AlarmLevel.optional(),
    state: AlarmStateName.optional(),
    from: epochMs.optional(),
    to: epochMs.optional(),
    limit: z.coerce.number().int().min(1).max(ALARM_LIST_MAX).default(100),
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, {
    message: 'from must be before to',
    path: ['from'],
  });
export type AlarmQuery = z.infer<typeof AlarmQuery>;
