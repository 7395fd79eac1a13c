import { levelRank, type AlarmLevel, type AlarmStateName } from './Alarm.js';
import type { Measure, MeasureLines } from './alarmRules/types.js';

/**
 * What the engine remembers per (device, rule) between readings. Times are reading times (epoch ms), so a replayed
 * or delayed series behaves as it did live.
 */
export interface ChannelState {
  /** The level raised and not yet cleared (the worst reached), or null. */
  active: AlarmLevel | null;
  /** Since when the value has been continuously at or past the pre-warning line (worse side). */
  prewarnSince?: number;
  /** Since when the value has been continuously at or past the alarm line. */
  alarmSince?: number;
  /** Since when the value has been continuously inside the clearing line (lowest line minus the hysteresis band). */
  clearSince?: number;
  /** Time of the last sample taken; an older sample is ignored. */
  lastTime?: number;
}

/** What a sample changed. */
export type Transition =
  | { kind: 'raise'; level: AlarmLevel }
  | { kind: 'escalate'; from: AlarmLevel; to: AlarmLevel }
  | { kind: 'clear'; from: AlarmLevel };

/** A channel with nothing raised and nothing pending. */
export const IDLE: ChannelState = Object.freeze({ active: null });

/** A channel restored from a stored open alarm: it starts raised, with no timers running. */
export function restoredChannel(level: AlarmLevel, lastTime?: number): ChannelState {
  return { active: level, ...(lastTime !== undefined ? { lastTime } : {}) };
}

/**
 * The line under which a raised alarm clears: the lowest line moved by the hysteresis band (band = `hysteresisPct` %
 * of that line) towards the safe side. Expressed in the measure's own unit.
 */
export function clearingLine(lines: MeasureLines): number {
  const lowest = lines.prewarnAt ?? lines.alarmAt;
  const band = (Math.abs(lowest) * lines.hysteresisPct) / 100;
  return lines.direction === 'below' ? lowest + band : lowest - band;
}

/** The level a value is at, without hysteresis or duration (for display). */
export function rawLevel(value: number, lines: MeasureLines): AlarmLevel | null {
  const d = lines.direction === 'below' ? -1 : 1;
  if (d * value >= d * lines.alarmAt) return 'alarm';
  if (lines.prewarnAt !== undefined && d * value >= d * lines.prewarnAt) return 'prewarning';
  return null;
}

/**
 * Has a condition that started at `since` lasted `minDurationMs` by `time`? A module function, not a closure made in
 * every step: the server runs under tsx (esbuild keepNames), where each closure created also pays a `__name`
 * (Object.defineProperty) call, and this runs for every measure of every reading (3.2 s of a 150 s profile of
 * bench/city.ts on PostgreSQL, 10 250 readings/s).
 */
function held(since: number | undefined, time: number, lines: MeasureLines): boolean {
  return since !== undefined && time - since >= lines.minDurationMs;
}

/**
 * One step of the alarm state machine: raise -> (escalate pre-warning -> alarm) -> clear.
 *
 * - A level is raised (or escalated to) only after the value stayed at or past its line for `minDurationMs`,
 *   so a spike, or a value dancing on the line, raises nothing.
 * - A raised alarm clears only after the value stayed inside the clearing line (see `clearingLine`) for
 *   `minDurationMs`: a value just under the line does not clear it, so it cannot flap.
 * - The level never drops while raised: the record keeps the worst level reached until it clears.
 * - Acknowledging is not part of this machine: an acknowledged alarm is still raised here and clears the same way.
 *
 * Pure: returns the new state and at most one transition.
 */
export function stepChannel(
  s: ChannelState,
  value: number,
  time: number,
  lines: MeasureLines,
): { state: ChannelState; transition: Transition | null } {
  if (s.lastTime !== undefined && time < s.lastTime) return { state: s, transition: null };
  const d = lines.direction === 'below' ? -1 : 1;
  const atAlarm = d * value >= d * lines.alarmAt;
  const atPre = lines.prewarnAt !== undefined && d * value >= d * lines.prewarnAt;
  const safe = d * value < d * clearingLine(lines);
  const next: ChannelState = { active: s.active, lastTime: time };
  if (atAlarm) next.alarmSince = s.alarmSince ?? time;
  if (atPre || atAlarm) next.prewarnSince = s.prewarnSince ?? time;
  if (safe) next.clearSince = s.clearSince ?? time;

  let transition: Transition | null = null;
  if (s.active !== 'alarm' && held(next.alarmSince, time, lines)) {
    transition =
      s.active === null ? { kind: 'raise', level: 'alarm' } : { kind: 'escalate', from: s.active, to: 'alarm' };
    next.active = 'alarm';
  } else if (s.active === null && lines.prewarnAt !== undefined && held(next.prewarnSince, time, lines)) {
    transition = { kind: 'raise', level: 'prewarning' };
    next.active = 'prewarning';
  } else if (s.active !== null && held(next.clearSince, time, lines)) {
    transition = { kind: 'clear', from: s.active };
    next.active = null;
  }
  return { state: next, transition };
}

/** Steps a whole series (oldest first) and lists the transitions with their times: for tests and replays. */
export function runSeries(
  samples: { time: number; value: number }[],
  lines: MeasureLines,
  start: ChannelState = IDLE,
): { state: ChannelState; transitions: (Transition & { time: number })[] } {
  let state = start;
  const transitions: (Transition & { time: number })[] = [];
  for (const { time, value } of samples) {
    const r = stepChannel(state, value, time, lines);
    state = r.state;
    if (r.transition) transitions.push({ ...r.transition, time });
  }
  return { state, transitions };
}

/** The lifecycle state after an event; an escalation re-opens an acknowledged alarm (it is a new, worse condition). */
export function nextStateName(
  current: AlarmStateName,
  event: 'raise' | 'escalate' | 'acknowledge' | 'clear',
): AlarmStateName {
  if (event === 'clear') return 'cleared';
  if (event === 'acknowledge') return current === 'open' ? 'acknowledged' : current;
  return 'open';
}

/** Why an alarm cannot be acknowledged, or null when it can (only an open alarm can: once, and never after clearing). */
export function ackRefusal(state: AlarmStateName): string | null {
  if (state === 'cleared') return 'The alarm is already cleared';
  if (state === 'acknowledged') return 'The alarm is already acknowledged';
  return null;
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

/** People's words for a raised level, e.g. `Load of rated 104 % (alarm at 100 %)`. */
export function alarmMessage(
  m: Pick<Measure, 'label' | 'value' | 'unit' | 'prewarnAt' | 'alarmAt'>,
  level: AlarmLevel,
): string {
  const line = level === 'alarm' ? m.alarmAt : (m.prewarnAt ?? m.alarmAt);
  const unit = m.unit ? ` ${m.unit}` : '';
  return `${m.label} ${fmt(m.value)}${unit} (${level === 'alarm' ? 'alarm' : 'pre-warning'} at ${fmt(line)}${unit})`;
}

/** The line of a level (what `threshold` of the record holds). */
export function lineOf(m: Pick<Measure, 'prewarnAt' | 'alarmAt'>, level: AlarmLevel): number {
  return level === 'alarm' ? m.alarmAt : (m.prewarnAt ?? m.alarmAt);
}

export { levelRank };
