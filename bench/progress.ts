/**
 * 4D progress benchmark (pure, a few seconds): a 100k-element model on 50 storeys, a schedule of one class+storey task
 * per (storey, class) plus GlobalId tasks, 30 % of elements with actuals.
 *  - baseline: one pass over the elements building a Map by GlobalId (the least any resolution must do), same run;
 *  - planElements (selector resolution) and the state of every element on a date; ratio to the baseline.
 */
import {
  planElements,
  progressStateAt,
  projectProgress,
  type PlannedElement,
  type ScheduleTask,
  type SelectableElement,
} from '../models/Progress.js';

const STOREYS = Number(process.env.BENCH_STOREYS ?? 50);
const PER_STOREY = 2000;
const CLASSES = ['IfcWall', 'IfcSlab', 'IfcColumn', 'IfcBeam', 'IfcDoor', 'IfcWindow'];
const gid = (i: number) => `E${i.toString(36)}`.padEnd(22, '_');

const elements: SelectableElement[] = [];
for (let s = 0; s < STOREYS; s++)
  for (let k = 0; k < PER_STOREY; k++)
    elements.push({
      globalId: gid(s * PER_STOREY + k),
      ifcClass: CLASSES[k % CLASSES.length]!,
      storeyId: `S${s}`,
      storeyName: `Level ${s + 1}`,
    });
const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
const tasks: ScheduleTask[] = [];
for (let s = 0; s < STOREYS; s++)
  CLASSES.forEach((c, ci) =>
    tasks.push({
      id: `T${s}-${c}`,
      name: `${c} L${s + 1}`,
      plannedStart: day(s * 7 + ci),
      plannedFinish: day(s * 7 + ci + 5),
      selector: { ifcClass: c, storey: `Level ${s + 1}` },
    }),
  );
for (let i = 0; i < 200; i++)
  tasks.push({
    id: `G${i}`,
    name: `fix ${i}`,
    plannedStart: day(i),
    plannedFinish: day(i + 2),
    selector: { globalIds: Array.from({ length: 50 }, (_, j) => gid((i * 50 + j) % elements.length)) },
  });
const actuals = new Map(
  elements
    .filter((_, i) => i % 10 < 3)
    .map((e, i) => [e.globalId, { startedOn: day(i % 300), ...(i % 2 ? { finishedOn: day((i % 300) + 4) } : {}) }]),
);

const time = (fn: () => unknown, runs = 5) => {
  fn();
  const t = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return (performance.now() - t) / runs;
};

const base = time(() => new Map(elements.map((e) => [e.globalId, e])));
console.log(
  `elements ${elements.length}, tasks ${tasks.length} (${STOREYS * CLASSES.length} class+storey, 200 x 50 GlobalIds)`,
);
console.log(`baseline  Map by GlobalId over all elements: ${base.toFixed(1)} ms`);
const plan = time(() => planElements(tasks, elements), 3);
console.log(`planElements (resolve every selector):      ${plan.toFixed(1)} ms  ratio ${(plan / base).toFixed(1)}x`);
const { plans } = planElements(tasks, elements);
const states = time(() => {
  const out: Record<string, string> = {};
  for (const [g, p] of plans) out[g] = progressStateAt(p, actuals.get(g), '2025-06-01');
  return out;
});
console.log(
  `state of ${plans.size} elements on a date:      ${states.toFixed(1)} ms  ratio ${(states / base).toFixed(1)}x`,
);
const planned: PlannedElement[] = [...plans].map(([globalId, p]) => ({
  globalId,
  ...p,
  ...(actuals.get(globalId) ? { actual: actuals.get(globalId)! } : {}),
}));
const pct = time(() => projectProgress('00000000-0000-4000-8000-000000000001', planned, '2025-06-01'));
console.log(
  `progress % per project + ${STOREYS} storeys:      ${pct.toFixed(1)} ms  ratio ${(pct / base).toFixed(1)}x`,
);
