import { z } from 'zod';
import { BimModel } from '../../models/BimModel.js';
import { ProgressRecord, ProgressState, ProjectProgress, Schedule, type IsoDay } from '../../models/Progress.js';
import { getJson, parseAnswer, requestJson } from './ApiError.js';

/** The models of a project (the 4D panel needs the ones that are converted). Malformed items are skipped. */
export async function fetchProjectModels(projectId: string, baseUrl = ''): Promise<BimModel[]> {
  const body = await getJson(`${baseUrl}/api/v1/projects/${projectId}/models`);
  return Array.isArray(body) ? body.flatMap((m) => { const r = BimModel.safeParse(m); return r.success ? [r.data] : []; }) : [];
}

/** `GET /api/v1/models/:id/progress-state?date=`: GlobalId -> state on that day. */
export const ModelProgressStates = z.object({ modelId: z.string().uuid(), date: z.string(), states: z.record(z.string(), ProgressState) });
export type ModelProgressStates = z.infer<typeof ModelProgressStates>;

/** States of a model's planned elements on a day; null when the model has no schedule yet (404). */
export async function fetchProgressStates(modelId: string, date: IsoDay, baseUrl = ''): Promise<ModelProgressStates | null> {
  const body = await requestJson(`${baseUrl}/api/v1/models/${modelId}/progress-state?date=${date}`, { accept: [404] });
  const r = ModelProgressStates.safeParse(body);
  return r.success ? r.data : null;
}

export async function fetchProjectProgress(projectId: string, date: IsoDay, baseUrl = ''): Promise<ProjectProgress> {
  return parseAnswer(ProjectProgress, await getJson(`${baseUrl}/api/v1/projects/${projectId}/progress?date=${date}`), 'progress');
}

/** What a schedule import reports (server/ops/progress.ts ScheduleImportResult). */
export const ScheduleImportAnswer = z.object({
  modelId: z.string(),
  source: z.string(),
  imported: z.number().int(),
  rejected: z.array(z.object({ line: z.number().int().optional(), index: z.number().int().optional(), code: z.string(), message: z.string() }).passthrough()),
  unmatchedTasks: z.array(z.string()),
  warnings: z.array(z.string()).default([]),
});
export type ScheduleImportAnswer = z.infer<typeof ScheduleImportAnswer>;

/** Uploads a schedule CSV as is (the server reads every planner dialect); 207 = some rows refused. */
export async function uploadScheduleCsv(modelId: string, csv: string, baseUrl = ''): Promise<ScheduleImportAnswer> {
  const body = await requestJson(`${baseUrl}/api/v1/models/${modelId}/schedule`, { method: 'POST', body: csv, contentType: 'text/csv' });
  return parseAnswer(ScheduleImportAnswer, body, 'schedule import answer');
}

export const RecordAnswer = z.object({ recorded: z.number().int(), rejected: z.array(z.object({ globalId: z.string(), message: z.string() }).passthrough()) });

/** Records elements as started / finished / inspected on a day. */
export async function recordProgress(modelId: string, rec: ProgressRecord, baseUrl = ''): Promise<z.infer<typeof RecordAnswer>> {
  const body = await requestJson(`${baseUrl}/api/v1/models/${modelId}/progress`, { method: 'POST', body: ProgressRecord.parse(rec), accept: [404] });
  return parseAnswer(RecordAnswer, body, 'progress record answer');
}

/** A model's stored schedule (tasks with the elements each resolved to); null when it has none (404). */
export async function fetchSchedule(modelId: string, baseUrl = ''): Promise<Schedule | null> {
  const body = await requestJson(`${baseUrl}/api/v1/models/${modelId}/schedule`, { accept: [404] });
  const r = Schedule.safeParse(body);
  return r.success ? r.data : null;
}
