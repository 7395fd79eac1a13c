import type { Alarm } from '../../models/Alarm.js';
import type { ProjectReplay } from '../../models/Replay.js';

/** Reading fields that are angles in degrees: interpolated along the shorter arc. */
const ANGLE_FIELDS = new Set(['slewDeg', 'windDirDeg', 'headingDeg']);
/** Counts: shown as the held sample, never as a fraction between two. */
const STEP_FIELDS = new Set(['persons', 'floor', 'reeving', 'onSite']);

/**
 * A device's values at instant `t` from a replay answer: each field between the two samples around `t`, linear
 * (angles by the shorter arc, counts held); a field null at both sides (unknown then) is left out. `t` outside the
 * answer is clamped to its first / last sample.
 */
export function valuesAt(
  r: Pick<ProjectReplay, 'from' | 'stepMs' | 'steps'>,
  fields: Record<string, (number | null)[]>,
  t: number,
): Record<string, number> {
  const pos = Math.min(Math.max((t - r.from) / r.stepMs, 0), Math.max(r.steps - 1, 0));
  const k = Math.floor(pos);
  const frac = pos - k;
  const out: Record<string, number> = {};
  for (const [name, series] of Object.entries(fields)) {
    const a = series[k] ?? null;
    const b = series[Math.min(k + 1, series.length - 1)] ?? null;
    if (a === null && b === null) continue;
    if (a === null || b === null || frac === 0 || STEP_FIELDS.has(name)) {
      // Sample and hold: the value in force at t is the sample at or before it.
      if (a !== null) out[name] = a;
      continue;
    }
    let d = b - a;
    if (ANGLE_FIELDS.has(name)) d = ((((d + 180) % 360) + 360) % 360) - 180;
    let v = a + d * frac;
    if (ANGLE_FIELDS.has(name)) v = ((v % 360) + 360) % 360;
    out[name] = v;
  }
  return out;
}

/** The alarms of a replay that were open (raised and not yet cleared) at `t`, newest raised first. */
export function alarmsOpenAt(alarms: Alarm[], t: number): Alarm[] {
  return alarms
    .filter((a) => a.raisedAt <= t && (a.clearedAt === undefined || a.clearedAt > t))
    .sort((a, b) => b.raisedAt - a.raisedAt);
}

/** Replay speeds offered (x real time). */
export const REPLAY_SPEEDS = [1, 5, 10, 30, 60] as const;

/**
 * The window and step to fetch for playing from `t` at `speed`: about 30 s of wall time per request, at most
 * ~1000 samples per field (steps of whole seconds, at least one).
 */
export function replayWindow(t: number, speed: number, endT: number): { from: number; to: number; stepMs: number } {
  const spanMs = Math.max(5 * 60_000, speed * 30_000);
  const stepMs = Math.max(1000, Math.ceil(spanMs / 1000 / 1000) * 1000);
  const from = Math.floor(t / 1000) * 1000;
  return { from, to: Math.max(from + stepMs, Math.min(endT, from + spanMs)), stepMs };
}
