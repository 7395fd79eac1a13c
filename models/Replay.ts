import { z } from 'zod';
import { Alarm } from './Alarm.js';
import { DeviceKind } from './Device.js';
import { Reading } from './Reading.js';

/** Default window behind `t` in which a field's last value still counts for a state (older fields are stale). */
export const STATE_LOOKBACK_MS = 24 * 3_600_000;
/** Most samples per device series in one replay answer. */
export const REPLAY_MAX_STEPS = 10_000;
/** Smallest replay step: the player interpolates between samples, finer steps only add bytes. */
export const REPLAY_MIN_STEP_MS = 100;

/** One device at an instant: its last reading at or before it and each field's last value (merged, with times). */
export const DeviceStateAt = z.object({
  deviceId: z.string().uuid(),
  kind: DeviceKind,
  last: Reading.nullable(),
  values: z.record(z.string(), z.unknown()),
  fieldTimes: z.record(z.string(), z.number().int()),
});
export type DeviceStateAt = z.infer<typeof DeviceStateAt>;

/** `GET /api/v1/projects/:id/state-at?t=`: the site as it was at `t`, with the alarms open then. */
export const ProjectStateAt = z.object({
  projectId: z.string().uuid(),
  t: z.number().int(),
  lookbackMs: z.number().int(),
  devices: z.array(DeviceStateAt),
  alarms: z.array(Alarm),
});
export type ProjectStateAt = z.infer<typeof ProjectStateAt>;

/**
 * `GET /api/v1/projects/:id/replay?from&to&stepMs`: per device, each numeric field sampled at `from + k * stepMs`
 * (k = 0..steps-1, the last sample at or after `to`) as the last value at or before that instant (sample and hold;
 * null before the first known value). The player interpolates between samples. `alarms` are those open at some
 * point of [from, to], with their raise / clear times.
 */
export const ProjectReplay = z.object({
  projectId: z.string().uuid(),
  from: z.number().int(),
  to: z.number().int(),
  stepMs: z.number().int(),
  steps: z.number().int(),
  devices: z.array(
    z.object({
      deviceId: z.string().uuid(),
      kind: DeviceKind,
      fields: z.record(z.string(), z.array(z.number().nullable())),
    }),
  ),
  alarms: z.array(Alarm),
});
export type ProjectReplay = z.infer<typeof ProjectReplay>;

/** The instant of sample `k` of a replay. */
export function replayTime(r: Pick<ProjectReplay, 'from' | 'stepMs'>, k: number): number {
  return r.from + k * r.stepMs;
}
