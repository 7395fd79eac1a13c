import { readFileSync } from 'node:fs';
import { ScheduleTask } from '../../../models/Progress.js';
import { normalizeDay } from '../../../models/ScheduleCsv.js';
import { createIfcApi, openModel, WebIFC, type IfcAPI } from './webIfc.js';

/**
 * Reads the 4D schedule an IFC4 model carries: IfcTask (in IfcWorkSchedule) with its IfcTaskTime, and the products
 * each task builds (IfcRelAssignsToProcess, or IfcRelAssignsToProduct as buildingSMART's own sample writes it).
 *
 * Only leaf tasks become schedule tasks: a summary task (one that nests others) spans all of its children, and
 * taking it as well would widen every element's window to the whole summary. A leaf task without products of its
 * own, or without a usable date, is skipped with a warning.
 */

type Ref = { value: number } | null | undefined;
type Line = Record<string, any> & { expressID: number; type: number };

const refId = (r: Ref) => (r && typeof r.value === 'number' ? r.value : null);
const refIds = (rs: Ref[] | Ref): number[] =>
  (Array.isArray(rs) ? rs : rs ? [rs] : []).map(refId).filter((v): v is number => v !== null);
const text = (v: unknown): string | null => {
  const x = v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v;
  return x === null || x === undefined || x === '' ? null : String(x);
};

export interface IfcScheduleResult {
  tasks: ScheduleTask[];
  /** How many IfcTask entities the file has (leaf or not). */
  taskCount: number;
  warnings: string[];
}

const ids = (api: IfcAPI, modelID: number, type: number): number[] => {
  const v = api.GetLineIDsWithType(modelID, type);
  const out: number[] = [];
  for (let i = 0; i < v.size(); i++) out.push(v.get(i));
  return out;
};

/** The planned window of a task: scheduled dates where given, else the early dates (what a CPM pass computed). */
function taskWindow(api: IfcAPI, modelID: number, task: Line): { start: string | null; finish: string | null } {
  const timeId = refId(task.TaskTime);
  if (timeId === null) return { start: null, finish: null };
  const t = api.GetLine(modelID, timeId) as Line;
  const day = (v: unknown) => {
    const s = text(v);
    return s ? normalizeDay(s) : null;
  };
  return {
    start: day(t.ScheduleStart) ?? day(t.EarlyStart) ?? day(t.ActualStart),
    finish: day(t.ScheduleFinish) ?? day(t.EarlyFinish) ?? day(t.ActualFinish),
  };
}

/** Reads the schedule of an open model. */
export function readWorkSchedule(api: IfcAPI, modelID: number): IfcScheduleResult {
  const warnings: string[] = [];
  const taskIds = ids(api, modelID, WebIFC.IFCTASK);
  const taskSet = new Set(taskIds);
  const parents = new Set<number>();
  for (const id of ids(api, modelID, WebIFC.IFCRELNESTS)) {
    const rel = api.GetLine(modelID, id) as Line;
    const parent = refId(rel.RelatingObject);
    if (parent !== null && taskSet.has(parent) && refIds(rel.RelatedObjects).some((c) => taskSet.has(c)))
      parents.add(parent);
  }
  const products = new Map<number, number[]>();
  const assign = (task: number, product: number) => {
    const list = products.get(task);
    if (list) list.push(product);
    else products.set(task, [product]);
  };
  for (const id of ids(api, modelID, WebIFC.IFCRELASSIGNSTOPROCESS)) {
    const rel = api.GetLine(modelID, id) as Line;
    const task = refId(rel.RelatingProcess);
    if (task !== null && taskSet.has(task)) for (const p of refIds(rel.RelatedObjects)) assign(task, p);
  }
  for (const id of ids(api, modelID, WebIFC.IFCRELASSIGNSTOPRODUCT)) {
    const rel = api.GetLine(modelID, id) as Line;
    const product = refId(rel.RelatingProduct);
    if (product !== null) for (const t of refIds(rel.RelatedObjects)) if (taskSet.has(t)) assign(t, product);
  }

  const tasks: ScheduleTask[] = [];
  for (const id of taskIds) {
    if (parents.has(id)) continue;
    const task = api.GetLine(modelID, id) as Line;
    const label = text(task.Name) ?? text(task.Identification) ?? `#${id}`;
    const gids: string[] = [];
    for (const p of products.get(id) ?? []) {
      const line = api.GetLine(modelID, p) as Line;
      const g = text(line.GlobalId);
      // A task assigned to a storey or space builds "what is in it": the selectors cannot say that, so it is skipped.
      if (g && line.type !== WebIFC.IFCBUILDINGSTOREY && line.type !== WebIFC.IFCSPACE) gids.push(g);
    }
    if (!gids.length) {
      warnings.push(`task "${label}" (#${id}) builds no element: skipped`);
      continue;
    }
    const w = taskWindow(api, modelID, task);
    if (!w.start || !w.finish) {
      warnings.push(`task "${label}" (#${id}) has no planned start and finish in its IfcTaskTime: skipped`);
      continue;
    }
    const parsed = ScheduleTask.safeParse({
      id: text(task.GlobalId) ?? `#${id}`,
      name: label,
      plannedStart: w.start,
      plannedFinish: w.finish,
      selector: { globalIds: [...new Set(gids)] },
    });
    if (parsed.success) tasks.push(parsed.data);
    else
      warnings.push(
        `task "${label}" (#${id}): ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
  }
  return { tasks, taskCount: taskIds.length, warnings };
}

/** Opens an IFC file, reads its schedule and closes it. */
export async function readWorkScheduleFile(path: string, api?: IfcAPI): Promise<IfcScheduleResult> {
  const ifc = api ?? (await createIfcApi());
  const modelID = openModel(ifc, new Uint8Array(readFileSync(path)));
  try {
    return readWorkSchedule(ifc, modelID);
  } finally {
    ifc.CloseModel(modelID);
  }
}
