import { expect } from 'vitest';
import type { Measure } from '../../../models/alarmRules/types.js';
import { IDLE, rawLevel, stepChannel, type ChannelState, type Transition } from '../../../models/alarmState.js';

/** The one measure of `rule` among those a reading produced (fails the test when it is missing). */
export function only(ms: Measure[], rule: string): Measure {
  const m = ms.find((x) => x.rule === rule);
  expect(m, `no measure ${rule} among ${ms.map((x) => x.rule).join(', ')}`).toBeDefined();
  return m!;
}

/**
 * Feeds readings (time, measure) of one rule through the state machine, the way the engine does, and returns the
 * transitions as `kind:level@time` strings.
 */
export function drive(samples: [time: number, m: Measure][], start: ChannelState = IDLE): string[] {
  let s = start;
  const out: string[] = [];
  for (const [time, m] of samples) {
    const r = stepChannel(s, m.value, time, m);
    s = r.state;
    if (r.transition) out.push(describe(r.transition, time));
  }
  return out;
}

const describe = (t: Transition, time: number) =>
  t.kind === 'raise'
    ? `raise:${t.level}@${time}`
    : t.kind === 'escalate'
      ? `escalate:${t.to}@${time}`
      : `clear@${time}`;

/** Raw levels (no duration, no hysteresis) of the measures built from each value. */
export function levels(make: (v: number) => Measure, values: number[]): (string | null)[] {
  return values.map((v) => rawLevel(make(v).value, make(v)));
}
