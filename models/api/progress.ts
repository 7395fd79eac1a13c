import { z } from 'zod';
import { IsoDay, ProgressRecord, ProgressState, ProjectProgress, Schedule } from '../Progress.js';
import { endpoint } from './contract.js';

/** `?date=YYYY-MM-DD` (today, UTC, when absent). */
export const DateQuery = z.object({ date: IsoDay.optional() });

/** `GET /models/:id/progress-state?date=`: GlobalId -> state on that day. */
export const ModelProgressStates = z.object({
  modelId: z.string().uuid(),
  date: z.string(),
  states: z.record(z.string(), ProgressState),
});
export type ModelProgressStates = z.infer<typeof ModelProgressStates>;

/** What a schedule import reports (server/ops/progress.ts ScheduleImportResult); 207 when some rows were refused. */
export const ScheduleImportAnswer = z.object({
  modelId: z.string(),
  source: z.string(),
  imported: z.number().int(),
  rejected: z.array(
    z
      .object({
        line: z.number().int().optional(),
        index: z.number().int().optional(),
        code: z.string(),
        message: z.string(),
        /** Why, as a stable key (models/ScheduleCsv.ts CsvRowProblem), and the values its words need. */
        problem: z.string().optional(),
        params: z.record(z.string(), z.string()).optional(),
      })
      .passthrough(),
  ),
  unmatchedTasks: z.array(z.string()),
  warnings: z.array(z.string()).default([]),
});
export type ScheduleImportAnswer = z.infer<typeof ScheduleImportAnswer>;

/** What recording progress reports (207 when some GlobalIds are not in the model; 404 when none is). */
export const RecordAnswer = z.object({
  recorded: z.number().int(),
  rejected: z.array(z.object({ globalId: z.string(), message: z.string() }).passthrough()),
});
export type RecordAnswer = z.infer<typeof RecordAnswer>;

/** A schedule as JSON: `{ "tasks": [...] }`, or `{ "source": "ifc" }` for the model's own IfcWorkSchedule. */
export const ScheduleImportJson = z.union([
  z.object({ source: z.literal('ifc') }).strict(),
  z.object({ tasks: z.array(z.unknown()).max(20_000) }).strict(),
]);

export const progress = {
  importSchedule: endpoint({
    method: 'post',
    path: '/api/v1/models/:id/schedule',
    summary: "Replace a model's schedule (CSV body in any planner dialect, JSON tasks, or the IFC's own)",
    body: ScheduleImportJson,
    consumes: ['application/json', 'text/csv'],
    response: ScheduleImportAnswer,
    status: [200, 207],
  }),
  schedule: endpoint({
    method: 'get',
    path: '/api/v1/models/:id/schedule',
    summary: "A model's schedule with element counts per task",
    response: Schedule,
  }),
  record: endpoint({
    method: 'post',
    path: '/api/v1/models/:id/progress',
    summary: 'Record elements as started / finished / inspected on a day',
    body: ProgressRecord,
    response: RecordAnswer,
    status: [200, 207],
  }),
  states: endpoint({
    method: 'get',
    path: '/api/v1/models/:id/progress-state',
    summary: "The state of a model's planned elements on a day",
    query: DateQuery,
    response: ModelProgressStates,
  }),
  ofProject: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/progress',
    summary: 'Progress % per project and storey on a day',
    query: DateQuery,
    response: ProjectProgress,
  }),
  csvOfProject: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/progress.csv',
    summary: 'Progress per storey as CSV (UTF-8 with BOM)',
    query: DateQuery,
    produces: 'text/csv',
  }),
};
