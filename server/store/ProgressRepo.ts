import type { ActualStatus, ElementActual, ScheduleTask, SelectableElement } from '../../models/Progress.js';
import type { Db } from './Db.js';

/** Where a stored schedule came from. */
export type ScheduleSource = 'csv' | 'json' | 'ifc';

export interface StoredSchedule {
  modelId: string;
  source: ScheduleSource;
  importedAt: number;
  tasks: ScheduleTask[];
}

interface TaskRow {
  task_id: string;
  name: string;
  planned_start: string;
  planned_finish: string;
  selector: ScheduleTask['selector'] | string;
}

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

const STATUS_COLUMN: Record<ActualStatus, string> = {
  started: 'started_on',
  finished: 'finished_on',
  inspected: 'inspected_on',
};

/**
 * Schedules and actual element status of models. Dates go in and out as `YYYY-MM-DD` text (`::text`): the `pg`
 * driver would otherwise turn a `date` into a local-midnight Date and shift it by the server's time zone.
 */
export class ProgressRepo {
  constructor(private readonly db: Db) {}

  /** The project of a model, or null when the model does not exist. */
  async projectOfModel(modelId: string): Promise<string | null> {
    const r = await this.db.query<{ project_id: string }>('SELECT project_id FROM models WHERE id = $1', [modelId]);
    return r.rows[0]?.project_id ?? null;
  }

  /** Replaces the model's schedule with `tasks` in one transaction. */
  async replaceSchedule(modelId: string, source: ScheduleSource, tasks: readonly ScheduleTask[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM schedule_tasks WHERE model_id = $1', [modelId]);
      if (tasks.length) {
        await tx.query(
          `INSERT INTO schedule_tasks (model_id, task_id, ord, name, planned_start, planned_finish, selector)
           SELECT $1, t.id, t.ord, t.name, t.s::date, t.f::date, t.sel
             FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::jsonb[]) AS t(id, ord, name, s, f, sel)`,
          [
            modelId,
            tasks.map((t) => t.id),
            tasks.map((_, i) => i),
            tasks.map((t) => t.name),
            tasks.map((t) => t.plannedStart),
            tasks.map((t) => t.plannedFinish),
            tasks.map((t) => JSON.stringify(t.selector)),
          ],
        );
      }
      await tx.query(
        `INSERT INTO schedules (model_id, source, imported_at) VALUES ($1, $2, $3)
         ON CONFLICT (model_id) DO UPDATE SET source = EXCLUDED.source, imported_at = EXCLUDED.imported_at`,
        [modelId, source, Date.now()],
      );
    });
  }

  /** The model's schedule in import order, or null when none was imported. */
  async schedule(modelId: string): Promise<StoredSchedule | null> {
    const head = await this.db.query<{ source: ScheduleSource; imported_at: string | number }>(
      'SELECT source, imported_at FROM schedules WHERE model_id = $1',
      [modelId],
    );
    if (!head.rows[0]) return null;
    const r = await this.db.query<TaskRow>(
      'SELECT task_id, name, planned_start::text, planned_finish::text, selector FROM schedule_tasks WHERE model_id = $1 ORDER BY ord',
      [modelId],
    );
    return {
      modelId,
      source: head.rows[0].source,
      importedAt: Number(head.rows[0].imported_at),
      tasks: r.rows.map((t) => ({
        id: t.task_id,
        name: t.name,
        plannedStart: t.planned_start,
        plannedFinish: t.planned_finish,
        selector: json(t.selector),
      })),
    };
  }

  /** Models of a project that have a schedule. */
  async scheduledModels(projectId: string): Promise<string[]> {
    const r = await this.db.query<{ id: string }>(
      'SELECT m.id FROM models m JOIN schedules s ON s.model_id = m.id WHERE m.project_id = $1 ORDER BY m.created_at, m.id',
      [projectId],
    );
    return r.rows.map((x) => x.id);
  }

  /** The element index of a model as selectors see it (class, storey). */
  async selectableElements(modelId: string): Promise<SelectableElement[]> {
    const r = await this.db.query<{
      global_id: string;
      ifc_class: string;
      storey_id: string | null;
      storey_name: string | null;
    }>('SELECT global_id, ifc_class, storey_id, storey_name FROM elements WHERE model_id = $1', [modelId]);
    return r.rows.map((e) => ({
      globalId: e.global_id,
      ifcClass: e.ifc_class,
      storeyId: e.storey_id,
      storeyName: e.storey_name,
    }));
  }

  /** Which of `globalIds` are in the model's element index. */
  async knownElements(modelId: string, globalIds: string[]): Promise<Set<string>> {
    const r = await this.db.query<{ global_id: string }>(
      'SELECT global_id FROM elements WHERE model_id = $1 AND global_id = ANY($2::text[])',
      [modelId, globalIds],
    );
    return new Set(r.rows.map((x) => x.global_id));
  }

  /** Sets the date of `status` on each element (a later record for the same status replaces the date). */
  async record(modelId: string, globalIds: string[], status: ActualStatus, date: string): Promise<void> {
    if (!globalIds.length) return;
    const col = STATUS_COLUMN[status];
    await this.db.query(
      `INSERT INTO element_progress (model_id, global_id, ${col}, updated_at)
       SELECT $1, g, $3::date, $4 FROM unnest($2::text[]) AS g
       ON CONFLICT (model_id, global_id) DO UPDATE SET ${col} = EXCLUDED.${col}, updated_at = EXCLUDED.updated_at`,
      [modelId, globalIds, date, Date.now()],
    );
  }

  /** Actual dates of every element of a model that has any. */
  async actuals(modelId: string): Promise<Map<string, ElementActual>> {
    const r = await this.db.query<{ global_id: string; s: string | null; f: string | null; i: string | null }>(
      'SELECT global_id, started_on::text AS s, finished_on::text AS f, inspected_on::text AS i FROM element_progress WHERE model_id = $1',
      [modelId],
    );
    return new Map(
      r.rows.map((x) => [
        x.global_id,
        {
          ...(x.s ? { startedOn: x.s } : {}),
          ...(x.f ? { finishedOn: x.f } : {}),
          ...(x.i ? { inspectedOn: x.i } : {}),
        },
      ]),
    );
  }
}
