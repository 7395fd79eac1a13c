import { REPLAY_MAX_STEPS, type ProjectReplay, type ProjectStateAt } from '../../models/Replay.js';
import type { Store } from '../store/Store.js';

/** Most readings one replay answer may be built from (beyond, the answer would take seconds: narrow the range). */
export const REPLAY_MAX_READINGS = 2_000_000;
/** Most alarms listed with a replay. */
const REPLAY_MAX_ALARMS = 5000;

/** The site at `t`: every device's last reading and merged values, and the alarms open then. */
export async function projectStateAt(
  store: Store,
  projectId: string,
  t: number,
  lookbackMs: number,
): Promise<ProjectStateAt> {
  const [devices, alarms] = await Promise.all([
    store.replay.stateAt(projectId, t, lookbackMs),
    store.alarms.openAt(projectId, t),
  ]);
  return { projectId, t, lookbackMs, devices, alarms };
}

/** Thrown when a replay would be built from more than REPLAY_MAX_READINGS readings. */
export class ReplayTooLargeError extends Error {
  override name = 'ReplayTooLargeError';
  constructor(readonly readings: number) {
    super(`The range holds ${readings} readings, more than ${REPLAY_MAX_READINGS}: narrow from/to`);
  }
}

/**
 * A compact replay: the state at `from` (step 0), then per step the last value of each numeric field that arrived
 * in that step, held forward until the next. Steps: from, from + step, ... up to the first
 * at or after `to`.
 */
export async function buildReplay(
  store: Store,
  projectId: string,
  from: number,
  to: number,
  stepMs: number,
  lookbackMs: number,
): Promise<ProjectReplay> {
  const steps = Math.ceil((to - from) / stepMs) + 1;
  if (steps > REPLAY_MAX_STEPS) throw new RangeError(`${steps} steps is more than ${REPLAY_MAX_STEPS}`);
  const last = from + (steps - 1) * stepMs;
  const n = await store.replay.countReadings(projectId, from, last);
  if (n > REPLAY_MAX_READINGS) throw new ReplayTooLargeError(n);
  const [start, rows, alarms] = await Promise.all([
    store.replay.stateAt(projectId, from, lookbackMs),
    store.replay.stepValues(projectId, from, last, stepMs),
    store.alarms.overlapping(projectId, from, last, REPLAY_MAX_ALARMS),
  ]);
  const series = new Map<string, Map<string, (number | null)[]>>();
  const fieldOf = (deviceId: string, field: string) => {
    let fields = series.get(deviceId);
    if (!fields) series.set(deviceId, (fields = new Map()));
    let arr = fields.get(field);
    if (!arr) fields.set(field, (arr = new Array<number | null>(steps).fill(null)));
    return arr;
  };
  for (const s of start) {
    series.set(s.deviceId, series.get(s.deviceId) ?? new Map());
    for (const [field, v] of Object.entries(s.values)) if (typeof v === 'number') fieldOf(s.deviceId, field)[0] = v;
  }
  for (const r of rows) fieldOf(r.deviceId, r.field)[r.step] = r.value;
  // Sample and hold: a step without a new value shows the last one.
  for (const fields of series.values()) {
    for (const arr of fields.values()) for (let k = 1; k < steps; k++) if (arr[k] === null) arr[k] = arr[k - 1]!;
  }
  return {
    projectId,
    from,
    to,
    stepMs,
    steps,
    devices: start.map((s) => ({
      deviceId: s.deviceId,
      kind: s.kind,
      fields: Object.fromEntries(series.get(s.deviceId) ?? []),
    })),
    alarms,
  };
}
