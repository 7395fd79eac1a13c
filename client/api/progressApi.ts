import { api } from '../../models/api/index.js';
import { ModelProgressStates, RecordAnswer, ScheduleImportAnswer } from '../../models/api/progress.js';
import { BimModel } from '../../models/BimModel.js';
import { ProgressRecord, type ProjectProgress, Schedule, type IsoDay } from '../../models/Progress.js';
import { parseAnswer } from './ApiError.js';
import { restAt } from './ApiClient.js';

export { ModelProgressStates, RecordAnswer, ScheduleImportAnswer };

/** The models of a project (the 4D panel needs the ones that are converted). Malformed items are skipped. */
export async function fetchProjectModels(projectId: string, baseUrl = ''): Promise<BimModel[]> {
  const body = await restAt(baseUrl).raw(api.models.listOfProject, { params: { id: projectId } });
  return Array.isArray(body)
    ? body.flatMap((m) => {
        const r = BimModel.safeParse(m);
        return r.success ? [r.data] : [];
      })
    : [];
}

/** States of a model's planned elements on a day; null when the model has no schedule yet (404). */
export async function fetchProgressStates(
  modelId: string,
  date: IsoDay,
  baseUrl = '',
): Promise<ModelProgressStates | null> {
  const body = await restAt(baseUrl).raw(api.progress.states, {
    params: { id: modelId },
    query: { date },
    accept: [404],
  });
  const r = ModelProgressStates.safeParse(body);
  return r.success ? r.data : null;
}

export async function fetchProjectProgress(projectId: string, date: IsoDay, baseUrl = ''): Promise<ProjectProgress> {
  return restAt(baseUrl).call(api.progress.ofProject, { params: { id: projectId }, query: { date }, what: 'progress' });
}

/** Uploads a schedule CSV as is (the server reads every planner dialect); 207 = some rows refused. */
export async function uploadScheduleCsv(modelId: string, csv: string, baseUrl = ''): Promise<ScheduleImportAnswer> {
  return restAt(baseUrl).call(api.progress.importSchedule, {
    params: { id: modelId },
    raw: { body: csv, contentType: 'text/csv' },
    what: 'schedule import answer',
  });
}

/** Records elements as started / finished / inspected on a day. */
export async function recordProgress(modelId: string, rec: ProgressRecord, baseUrl = ''): Promise<RecordAnswer> {
  const body = await restAt(baseUrl).raw(api.progress.record, {
    params: { id: modelId },
    body: ProgressRecord.parse(rec),
    accept: [404],
  });
  return parseAnswer(RecordAnswer, body, 'progress record answer');
}

/** A model's stored schedule (tasks with the elements each resolved to); null when it has none (404). */
export async function fetchSchedule(modelId: string, baseUrl = ''): Promise<Schedule | null> {
  const body = await restAt(baseUrl).raw(api.progress.schedule, { params: { id: modelId }, accept: [404] });
  const r = Schedule.safeParse(body);
  return r.success ? r.data : null;
}
