import { describe, expect, it } from 'vitest';
import {
  ackRefusal,
  alarmMessage,
  clearingLine,
  nextStateName,
  restoredChannel,
  runSeries,
  stepChannel,
} from '../../models/alarmState.js';

const L = { prewarnAt: 90, alarmAt: 100, minDurationMs: 2000, hysteresisPct: 3 };
const s = (pairs: [number, number][]) => pairs.map(([time, value]) => ({ time, value }));
const kinds = (r: ReturnType<typeof runSeries>) =>
  r.transitions.map((t) =>
    t.kind === 'raise'
      ? `raise:${t.level}@${t.time}`
      : t.kind === 'escalate'
        ? `escalate:${t.to}@${t.time}`
        : `clear@${t.time}`,
  );

describe('alarm state machine', () => {
  it('raises -> escalates -> clears, keeping the worst level while raised', () => {
    const r = runSeries(
      s([
        [0, 92],
        [2000, 92],
        [3000, 105],
        [5000, 105],
        [6000, 92],
        [20_000, 92],
        [21_000, 80],
        [23_000, 80],
      ]),
      L,
    );
    expect(kinds(r)).toEqual(['raise:prewarning@2000', 'escalate:alarm@5000', 'clear@23000']);
    expect(r.state.active).toBeNull();
  });

  it('raises straight to alarm when the alarm line held the minimum duration', () => {
    expect(
      kinds(
        runSeries(
          s([
            [0, 120],
            [2000, 120],
          ]),
          L,
        ),
      ),
    ).toEqual(['raise:alarm@2000']);
  });

  it('needs the level held continuously: a dip resets the timer', () => {
    expect(
      kinds(
        runSeries(
          s([
            [0, 95],
            [1500, 85],
            [2500, 95],
            [4000, 95],
            [4500, 95],
          ]),
          L,
        ),
      ),
    ).toEqual(['raise:prewarning@4500']);
  });

  it('clears only below the hysteresis band, and only after the minimum duration there', () => {
    expect(clearingLine(L)).toBeCloseTo(87.3, 9);
    expect(clearingLine({ ...L, prewarnAt: 2, alarmAt: 1, direction: 'below' })).toBeCloseTo(2.06, 9);
    const raised = [
      [0, 95],
      [2000, 95],
    ] as [number, number][];
    expect(kinds(runSeries(s([...raised, [3000, 87.5], [60_000, 87.5]]), L)), 'inside the band').toEqual([
      'raise:prewarning@2000',
    ]);
    expect(kinds(runSeries(s([...raised, [3000, 87], [4999, 87]]), L)), 'not long enough').toEqual([
      'raise:prewarning@2000',
    ]);
    expect(kinds(runSeries(s([...raised, [3000, 87], [5000, 87]]), L))).toEqual([
      'raise:prewarning@2000',
      'clear@5000',
    ]);
  });

  it('with no minimum duration a value on the line still does not flap (hysteresis alone)', () => {
    const series = Array.from({ length: 100 }, (_, i) => [i * 1000, i % 2 ? 100.1 : 99.9] as [number, number]);
    expect(kinds(runSeries(s(series), { ...L, minDurationMs: 0 }))).toEqual([
      'raise:prewarning@0',
      'escalate:alarm@1000',
    ]);
  });

  it('ignores a sample older than the last one', () => {
    const a = stepChannel({ active: null }, 120, 5000, L).state;
    expect(stepChannel(a, 120, 4000, L)).toEqual({ state: a, transition: null });
  });

  it('starts from a restored open alarm and clears it', () => {
    expect(
      kinds(
        runSeries(
          s([
            [10, 50],
            [2010, 50],
          ]),
          L,
          restoredChannel('alarm'),
        ),
      ),
    ).toEqual(['clear@2010']);
  });

  it('keeps acknowledgement apart: ack only when open, escalation re-opens, clear ends', () => {
    expect(nextStateName('open', 'acknowledge')).toBe('acknowledged');
    expect(nextStateName('acknowledged', 'escalate')).toBe('open');
    expect(nextStateName('acknowledged', 'clear')).toBe('cleared');
    expect(ackRefusal('open')).toBeNull();
    expect(ackRefusal('acknowledged')).toMatch(/already acknowledged/);
    expect(ackRefusal('cleared')).toMatch(/already cleared/);
  });

  it('words a message with the value and the line of the level', () => {
    expect(
      alarmMessage({ label: 'Load of rated', value: 104.44, unit: '%', prewarnAt: 90, alarmAt: 100 }, 'alarm'),
    ).toBe('Load of rated 104 % (alarm at 100 %)');
    expect(
      alarmMessage({ label: 'Wind speed', value: 9.25, unit: 'm/s', prewarnAt: 8, alarmAt: 10.8 }, 'prewarning'),
    ).toBe('Wind speed 9.25 m/s (pre-warning at 8.00 m/s)');
  });
});
