import { describe, expect, it } from 'vitest';
import { progressStateAt } from '../../../models/Progress.js';
import {
  colourMapOf,
  dayNumber,
  dayOfNumber,
  PROGRESS_STYLE,
  sliderRange,
  stateCounts,
} from '../../../client/schedule4d/progressColours.js';

describe('4D colours', () => {
  it('maps each element state to its legend colour, one entry per planned element', () => {
    const states = { A: 'done', B: 'behind', C: 'not_started', D: 'ahead', E: 'on_time' } as const;
    const m = colourMapOf(states);
    expect(m.size).toBe(5);
    expect(m.get('A')).toBe(PROGRESS_STYLE.done.color);
    expect(m.get('B')).toBe(PROGRESS_STYLE.behind.color);
    expect(new Set(Object.values(PROGRESS_STYLE).map((s) => s.color)).size).toBe(5); // five distinguishable colours
    expect(stateCounts({ ...states, F: 'done' })).toEqual({ done: 2, ahead: 1, on_time: 1, behind: 1, not_started: 1 });
  });

  it('colours the states the model computes, day by day', () => {
    const plan = { plannedStart: '2025-03-06', plannedFinish: '2025-03-12' };
    const actual = { startedOn: '2025-03-07' };
    const on = (d: string) => colourMapOf({ W: progressStateAt(plan, actual, d) }).get('W');
    expect(on('2025-03-05')).toBe(PROGRESS_STYLE.not_started.color);
    expect(on('2025-03-08')).toBe(PROGRESS_STYLE.on_time.color);
    expect(on('2025-03-13')).toBe(PROGRESS_STYLE.behind.color);
  });

  it('spans the slider over the schedule, a week either side, and today', () => {
    expect(dayOfNumber(dayNumber('2025-03-01'))).toBe('2025-03-01');
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(sliderRange([{ plannedStart: '2025-03-01', plannedFinish: '2025-03-12' }], '2025-03-05')).toEqual({
      min: '2025-02-22',
      max: '2025-03-19',
    });
    expect(sliderRange([{ plannedStart: '2025-03-01', plannedFinish: '2025-03-12' }], '2026-01-01')).toEqual({
      min: '2025-02-22',
      max: '2026-01-08',
    });
    expect(sliderRange([], '2025-03-05')).toEqual({ min: '2025-02-26', max: '2025-03-12' });
  });
});
