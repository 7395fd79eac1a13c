import { describe, expect, it } from 'vitest';
import { sortReadiness, type ReadinessRow } from '../../../client/readiness/readinessSort.js';

const row = (
  name: string,
  score: number,
  grade: ReadinessRow['grade'],
  veto: string[] = [],
  crane = 'met',
): ReadinessRow => ({ projectId: name, name, score, grade, vetoFailed: veto, items: [{ id: 'crane', status: crane }] });
const rows = [
  row('B', 80, 'good'),
  row('A', 95, 'fail', ['dust']),
  row('C', 80, 'good', [], 'missing'),
  row('D', 40, 'fail', ['crane', 'dust'], 'partial'),
];

describe('readiness table sort', () => {
  it('sorts by each column both ways, names breaking ties', () => {
    expect(sortReadiness(rows, 'score', 'desc').map((r) => r.name)).toEqual(['A', 'B', 'C', 'D']);
    expect(sortReadiness(rows, 'score', 'asc').map((r) => r.name)).toEqual(['D', 'B', 'C', 'A']);
    expect(sortReadiness(rows, 'name', 'asc').map((r) => r.name)).toEqual(['A', 'B', 'C', 'D']);
    // Grade first, then score within a grade: a vetoed 95 is still a fail.
    expect(sortReadiness(rows, 'grade', 'desc').map((r) => r.name)).toEqual(['B', 'C', 'A', 'D']);
    expect(sortReadiness(rows, 'veto', 'desc').map((r) => r.name)).toEqual(['D', 'A', 'B', 'C']);
    expect(sortReadiness(rows, 'item:crane', 'asc').map((r) => r.name)).toEqual(['C', 'D', 'A', 'B']);
  });

  it('does not change the input', () => {
    const copy = rows.map((r) => r.name);
    sortReadiness(rows, 'score', 'asc');
    expect(rows.map((r) => r.name)).toEqual(copy);
  });
});
