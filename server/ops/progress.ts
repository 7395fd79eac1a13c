import { existsSync } from 'node:fs';
import { ErrorCode, fieldIssues } from '../../models/errors.js';
import {
  planElements,
  progressStateAt,
  projectProgress,
  ScheduleTask,
  type IsoDay,
  type PlannedElement,
  type ProgressState,
  type ProjectProgress,
} from '../../models/Progress.js';
import { parseScheduleCsv, type CsvRowProblem } from '../../models/ScheduleCsv.js';
import { AppError } from '../errors.js';
import { modelDir, sourceFile, unpackedFile } from '../ifc/pipeline/files.js';
import type { IfcScheduleResult } from '../ifc/pipeline/workSchedule.js';
import type { StoredModel } from '../store/ModelRepo.js';
import type { ScheduleSource } from '../store/ProgressRepo.js';
import type { Store } from '../store/Store.js';

/** One refused task of an import: a CSV line or a JSON array index, and why. */
export interface TaskRejection {
  line?: number;
  index?: number;
  code: ErrorCode;
  message: string;
  /** The stable key of why (models/ScheduleCsv.ts CsvRowProblem) and the values its words need, for the client. */
  problem?: CsvRowProblem;
  params?: Record<string, string>;
}

/** What an import did: tasks kept, tasks refused, tasks that select no element of the model (likely a typo). */
export interface ScheduleImportResult {
  modelId: string;
  source: ScheduleSource;
  imported: number;
  rejected: TaskRejection[];
  unmatchedTasks: string[];
  warnings: string[];
}

/**
 * Parsed tasks from one of the three sources, before anything is stored. The model's own schedule is read by
 * `readSchedule` (ModelService.readSchedule: a job of the conversion workers, never web-ifc in this process).
 */
export async function tasksFrom(
  input:
    | { csv: string }
    | { json: unknown[] }
    | {
        ifcOf: StoredModel;
        dataDir: string;
        readSchedule: (modelId: string, path: string) => Promise<IfcScheduleResult>;
      },
): Promise<{ source: ScheduleSource; tasks: ScheduleTask[]; rejected: TaskRejection[]; warnings: string[] }> {
  if ('csv' in input) {
    const r = parseScheduleCsv(input.csv);
    return {
      source: 'csv',
      tasks: r.tasks,
      rejected: r.errors.map((e) => ({
        line: e.line,
        code: ErrorCode.VALIDATION_FAILED,
        message: e.message,
        problem: e.problem,
        ...(e.params ? { params: e.params } : {}),
      })),
      warnings: [],
    };
  }
  if ('json' in input) {
    const tasks: ScheduleTask[] = [];
    const rejected: TaskRejection[] = [];
    const seen = new Set<string>();
    input.json.forEach((raw, index) => {
      const p = ScheduleTask.safeParse(raw);
      if (!p.success)
        return void rejected.push({
          index,
          code: ErrorCode.VALIDATION_FAILED,
          message: fieldIssues(p.error)
            .map((i) => `${i.path}: ${i.message}`)
            .slice(0, 3)
            .join('; '),
          problem: 'invalid',
          params: { fields: [...new Set(fieldIssues(p.error).map((i) => i.path))].slice(0, 3).join(', ') },
        });
      if (seen.has(p.data.id))
        return void rejected.push({
          index,
          code: ErrorCode.DUPLICATE,
          message: `task id "${p.data.id}" is used by an earlier task`,
          problem: 'duplicate_id',
          params: { id: p.data.id },
        });
      seen.add(p.data.id);
      tasks.push(p.data);
    });
    return { source: 'json', tasks, rejected, warnings: [] };
  }
  const m = input.ifcOf;
  const dir = modelDir(input.dataDir, m.id);
  const path = [unpackedFile(dir), sourceFile(dir, 'ifc')].find((p) => existsSync(p));
  if (!path)
    throw new AppError(
      ErrorCode.UNPROCESSABLE,
      `The IFC file of model ${m.id} is not on this server${m.sourceKind === 'ifczip' ? ' unpacked' : ''}: import a CSV schedule instead`,
    );
  const r = await input.readSchedule(m.id, path);
  if (r.taskCount === 0)
    throw new AppError(
      ErrorCode.UNPROCESSABLE,
      `Model ${m.id} has no IfcTask (IfcWorkSchedule): import a CSV schedule instead`,
    );
  return { source: 'ifc', tasks: r.tasks, rejected: [], warnings: r.warnings };
}

/** The planned elements of one model with their actual dates. */
export async function plannedElements(
  store: Store,
  modelId: string,
): Promise<{ elements: PlannedElement[]; counts: Map<string, number> } | null> {
  const schedule = await store.progress.schedule(modelId);
  if (!schedule) return null;
  const [index, actuals] = await Promise.all([
    store.progress.selectableElements(modelId),
    store.progress.actuals(modelId),
  ]);
  const { plans, counts } = planElements(schedule.tasks, index);
  const elements: PlannedElement[] = [];
  for (const [globalId, p] of plans) {
    const a = actuals.get(globalId);
    elements.push({ globalId, ...p, ...(a ? { actual: a } : {}) });
  }
  return { elements, counts };
}

/** GlobalId -> state of every planned element of a model on `date` (what the viewer colours). */
export async function modelStates(
  store: Store,
  modelId: string,
  date: IsoDay,
): Promise<Record<string, ProgressState> | null> {
  const planned = await plannedElements(store, modelId);
  if (!planned) return null;
  const out: Record<string, ProgressState> = {};
  for (const e of planned.elements) out[e.globalId] = progressStateAt(e, e.actual, date);
  return out;
}

/** Progress of a project over all its scheduled models. */
export async function projectProgressOf(store: Store, projectId: string, date: IsoDay): Promise<ProjectProgress> {
  const all: PlannedElement[] = [];
  for (const modelId of await store.progress.scheduledModels(projectId)) {
    const planned = await plannedElements(store, modelId);
    if (planned) all.push(...planned.elements);
  }
  return projectProgress(projectId, all, date);
}
