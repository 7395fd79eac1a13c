import { z } from 'zod';
import { safeText } from './text.js';
import { csvLine } from './Csv.js';
import { IfcGlobalId } from './Device.js';

/**
 * 4D progress: a schedule of tasks, each selecting model elements, and the actual status of each element.
 *
 * Dates are calendar days (`YYYY-MM-DD`), not instants: a schedule says "walls of level 2 from 3 March to 14 March",
 * and comparing days avoids every time-zone question between the site, the server and the viewer.
 */

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `s` is a real calendar day in `YYYY-MM-DD` form (rejects 2025-02-30). */
export function isIsoDay(s: string): boolean {
  const m = DAY_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** A calendar day `YYYY-MM-DD`; ISO days compare correctly as strings. */
export const IsoDay = z.string().refine(isIsoDay, 'a date is a calendar day YYYY-MM-DD');
export type IsoDay = string;

/** The UTC calendar day of an epoch-ms instant. */
export function isoDayOf(ms: number): IsoDay {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Which elements a task covers: explicit GlobalIds, or every element of an IFC class (optionally on one storey, by
 * storey name or storey GlobalId). A class also matches its `…StandardCase` subtype, since IFC2x3 exporters write
 * `IfcWallStandardCase` where the planner thinks "IfcWall".
 */
export const ElementSelector = z.union([
  z.object({ globalIds: z.array(IfcGlobalId).min(1).max(10_000) }).strict(),
  z
    .object({
      ifcClass: z.string().regex(/^Ifc[A-Za-z0-9]+$/i, 'ifcClass is an IFC entity name such as IfcWall'),
      storey: safeText().trim().min(1).max(200).optional(),
    })
    .strict(),
]);
export type ElementSelector = z.infer<typeof ElementSelector>;

/** One schedule task: planned window (both days inclusive) and the elements it builds. */
export const ScheduleTask = z
  .object({
    /** Task code, unique within the schedule (WBS code, IfcTask GlobalId, or the CSV row). */
    id: safeText().trim().min(1).max(64),
    name: safeText().trim().min(1).max(300),
    plannedStart: IsoDay,
    plannedFinish: IsoDay,
    selector: ElementSelector,
  })
  .strict()
  .refine((t) => t.plannedStart <= t.plannedFinish, {
    message: 'plannedFinish is before plannedStart',
    path: ['plannedFinish'],
  });
export type ScheduleTask = z.infer<typeof ScheduleTask>;

/** `POST /api/v1/models/:id/schedule` as JSON: replaces the model's schedule with these tasks. */
export const ScheduleImport = z.object({ tasks: z.array(z.unknown()).max(20_000) }).strict();

/** A stored schedule: its tasks, where it came from, and how many elements each task resolved to. */
export const Schedule = z.object({
  modelId: z.string().uuid(),
  source: z.enum(['csv', 'json', 'ifc']),
  importedAt: z.number().int(),
  tasks: z.array(ScheduleTask.and(z.object({ elementCount: z.number().int().nonnegative() }))),
});
export type Schedule = z.infer<typeof Schedule>;

/** What happened to an element on site. `inspected` implies finished. */
export const ActualStatus = z.enum(['started', 'finished', 'inspected']);
export type ActualStatus = z.infer<typeof ActualStatus>;

/** `POST /api/v1/models/:id/progress`: these elements reached `status` on `date`. */
export const ProgressRecord = z
  .object({
    globalIds: z.array(safeText().max(64)).min(1).max(10_000),
    status: ActualStatus,
    date: IsoDay,
  })
  .strict();
export type ProgressRecord = z.infer<typeof ProgressRecord>;

/** The actual dates of one element (each set when recorded). */
export interface ElementActual {
  startedOn?: IsoDay;
  finishedOn?: IsoDay;
  inspectedOn?: IsoDay;
}

/** The planned window of one element: the earliest start and latest finish of all tasks that select it. */
export interface ElementPlan {
  plannedStart: IsoDay;
  plannedFinish: IsoDay;
}

/** Colour classes of the 4D view. */
export const ProgressState = z.enum(['ahead', 'on_time', 'behind', 'not_started', 'done']);
export type ProgressState = z.infer<typeof ProgressState>;

/**
 * State of one planned element on `date`, counting only what was recorded on or before that day:
 * - `done`: finished or inspected by `date` (whether it was late is history; the colour says "built").
 * - started, not finished: `behind` if `date` is after the planned finish; `ahead` if `date` is before the planned
 *   start (work began early); otherwise `on_time`.
 * - not started: `not_started` up to and including the planned start day (starting on the day is on plan);
 *   `behind` after it.
 */
export function progressStateAt(plan: ElementPlan, actual: ElementActual | undefined, date: IsoDay): ProgressState {
  const finished = [actual?.finishedOn, actual?.inspectedOn].some((d) => d !== undefined && d <= date);
  if (finished) return 'done';
  const started = actual?.startedOn !== undefined && actual.startedOn <= date;
  if (started) {
    if (date > plan.plannedFinish) return 'behind';
    if (date < plan.plannedStart) return 'ahead';
    return 'on_time';
  }
  return date <= plan.plannedStart ? 'not_started' : 'behind';
}

/** One planned element, as the percentage counts it. */
export interface PlannedElement extends ElementPlan {
  globalId: string;
  /** Storey name (or storey GlobalId when unnamed); null when the element is not on a storey. */
  storey: string | null;
  actual?: ElementActual;
}

/** Progress of a group of elements on a date. */
export const ProgressFigures = z.object({
  /** Elements the schedule covers. */
  planned: z.number().int(),
  /** Of those, finished or inspected by the date. */
  done: z.number().int(),
  /** Of those, whose planned finish is on or before the date (where the plan says we should be). */
  dueByPlan: z.number().int(),
  /** done / planned x 100, one decimal; 0 when nothing is planned. */
  percent: z.number(),
  /** dueByPlan / planned x 100, one decimal. */
  plannedPercent: z.number(),
  /** Element count per state. */
  states: z.record(ProgressState, z.number().int()),
});
export type ProgressFigures = z.infer<typeof ProgressFigures>;

/** `GET /api/v1/projects/:id/progress?date=`. */
export const ProjectProgress = z.object({
  projectId: z.string().uuid(),
  date: IsoDay,
  total: ProgressFigures,
  storeys: z.array(ProgressFigures.extend({ storey: z.string().nullable() })),
});
export type ProjectProgress = z.infer<typeof ProjectProgress>;

const pct = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 1000) / 10);

/**
 * Progress % of a set of planned elements, weighted by element count: every planned element weighs 1, and it counts
 * as complete when finished or inspected on or before `date`; a started element counts 0 (a count of elements is what
 * a site team can check by walking the floor; quantities would need takeoffs the model may not carry).
 */
export function progressFigures(elements: readonly PlannedElement[], date: IsoDay): ProgressFigures {
  const states: Record<ProgressState, number> = { ahead: 0, on_time: 0, behind: 0, not_started: 0, done: 0 };
  let dueByPlan = 0;
  for (const e of elements) {
    states[progressStateAt(e, e.actual, date)]++;
    if (e.plannedFinish <= date) dueByPlan++;
  }
  const planned = elements.length;
  return {
    planned,
    done: states.done,
    dueByPlan,
    percent: pct(states.done, planned),
    plannedPercent: pct(dueByPlan, planned),
    states,
  };
}

/** Progress per project (all its models' planned elements) and per storey, storeys in name order. */
export function projectProgress(projectId: string, elements: readonly PlannedElement[], date: IsoDay): ProjectProgress {
  const byStorey = new Map<string | null, PlannedElement[]>();
  for (const e of elements) {
    const list = byStorey.get(e.storey);
    if (list) list.push(e);
    else byStorey.set(e.storey, [e]);
  }
  const storeys = [...byStorey.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b, 'en', { numeric: true })))
    .map(([storey, list]) => ({ storey, ...progressFigures(list, date) }));
  return { projectId, date, total: progressFigures(elements, date), storeys };
}

/** A CSV cell: quoted when it holds the delimiter, a quote or a line break. */
/** The CSV report: one line per storey plus a total line (UTF-8, comma, header row). */
export function progressCsv(p: ProjectProgress): string {
  const head = [
    'storey',
    'planned',
    'done',
    'percent',
    'due_by_plan',
    'planned_percent',
    'ahead',
    'on_time',
    'behind',
    'not_started',
  ];
  const row = (name: string, f: ProgressFigures) =>
    csvLine([
      name,
      f.planned,
      f.done,
      f.percent,
      f.dueByPlan,
      f.plannedPercent,
      f.states.ahead,
      f.states.on_time,
      f.states.behind,
      f.states.not_started,
    ]);
  // Storey names come from the IFC: csvLine keeps a storey called `=HYPERLINK(...)` from running as a formula.
  return csvLine(head) + p.storeys.map((s) => row(s.storey ?? '(no storey)', s)).join('') + row('TOTAL', p.total);
}

/** An element of the index as selectors see it. */
export interface SelectableElement {
  globalId: string;
  ifcClass: string;
  storeyId: string | null;
  storeyName: string | null;
}

/** Does `selector` pick element `e`? Class names compare case-insensitively (STEP writes IFCWALL). */
export function selects(selector: ElementSelector, e: SelectableElement): boolean {
  if ('globalIds' in selector) return selector.globalIds.includes(e.globalId);
  const want = selector.ifcClass.toUpperCase();
  const cls = e.ifcClass.toUpperCase();
  if (cls !== want && cls !== `${want}STANDARDCASE`) return false;
  return selector.storey === undefined || selector.storey === e.storeyName || selector.storey === e.storeyId;
}

/**
 * Resolves a schedule against a model's elements: each selected element gets the earliest start and the latest
 * finish of the tasks that select it. Also returns how many elements each task selected (0 flags a typo in a
 * selector) so an import can report it.
 */
export function planElements(
  tasks: readonly ScheduleTask[],
  elements: readonly SelectableElement[],
): { plans: Map<string, ElementPlan & { storey: string | null }>; counts: Map<string, number> } {
  const plans = new Map<string, ElementPlan & { storey: string | null }>();
  const counts = new Map<string, number>();
  const byId = new Map(elements.map((e) => [e.globalId, e]));
  // Class selectors look up an index by class (and class + storey) instead of scanning every element per task:
  // a 100k-element model with hundreds of tasks would otherwise cost tasks x elements.
  const byClass = new Map<string, SelectableElement[]>();
  const add = (key: string, e: SelectableElement) => {
    const list = byClass.get(key);
    if (list) list.push(e);
    else byClass.set(key, [e]);
  };
  for (const e of elements) {
    const cls = e.ifcClass.toUpperCase();
    add(cls, e);
    if (e.storeyName !== null) add(`${cls}\u0000${e.storeyName}`, e);
    if (e.storeyId !== null && e.storeyId !== e.storeyName) add(`${cls}\u0000${e.storeyId}`, e);
  }
  const classPick = (sel: { ifcClass: string; storey?: string }) => {
    const want = sel.ifcClass.toUpperCase();
    const suffix = sel.storey === undefined ? '' : `\u0000${sel.storey}`;
    return [...(byClass.get(want + suffix) ?? []), ...(byClass.get(`${want}STANDARDCASE${suffix}`) ?? [])];
  };
  for (const t of tasks) {
    const picked =
      'globalIds' in t.selector
        ? t.selector.globalIds.map((g) => byId.get(g)).filter((e): e is SelectableElement => !!e)
        : classPick(t.selector);
    counts.set(t.id, picked.length);
    for (const e of picked) {
      const p = plans.get(e.globalId);
      if (!p)
        plans.set(e.globalId, {
          plannedStart: t.plannedStart,
          plannedFinish: t.plannedFinish,
          storey: e.storeyName ?? e.storeyId,
        });
      else {
        if (t.plannedStart < p.plannedStart) p.plannedStart = t.plannedStart;
        if (t.plannedFinish > p.plannedFinish) p.plannedFinish = t.plannedFinish;
      }
    }
  }
  return { plans, counts };
}
