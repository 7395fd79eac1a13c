import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { ErrorCode, httpStatusOf } from '../../models/errors.js';
import { IsoDay, isoDayOf, ProgressRecord, progressCsv } from '../../models/Progress.js';
import type { LiveServerMessage } from '../../models/protocol.js';
import type { AppContext } from '../context.js';
import type { ModelService } from '../ifc/ModelService.js';
import {
  modelStates,
  plannedElements,
  projectProgressOf,
  tasksFrom,
  type ScheduleImportResult,
} from '../ops/progress.js';
import type { StoredModel } from '../store/ModelRepo.js';
import { AppError, notFound, parseOr400 } from '../errors.js';
import { api } from '../../models/api/index.js';
import { route } from './route.js';

const Id = z.string().uuid();
const DAY_MS = 86_400_000;

/** `?date=` as a calendar day; today (UTC) when absent. */
function dateOf(req: Request): string {
  const raw = req.query.date;
  if (raw === undefined) return isoDayOf(Date.now());
  return parseOr400(IsoDay, raw, 'date (YYYY-MM-DD)');
}

/**
 * 4D progress: a model's schedule (CSV, JSON or the model's own IfcWorkSchedule), actual element status, the state
 * of each element on a date, and progress % per project and storey (JSON and CSV).
 */
export function progressRouter(ctx: AppContext, models: Pick<ModelService, 'readSchedule'>): Router {
  const r = Router();
  const { store, access, config } = ctx;
  const csvBody = express.text({
    type: ['text/csv', 'text/plain', 'application/csv'],
    limit: `${config.MAX_JSON_KB * 4}kb`,
  });

  const loadModel = async (req: Request, action: 'read' | 'update'): Promise<StoredModel> => {
    const p = Id.safeParse(req.params.id);
    if (!p.success) throw notFound('Model', String(req.params.id));
    const m = await store.models.get(p.data);
    if (!m) throw notFound('Model', p.data);
    await access.require(req, action, { type: 'model', id: m.id, projectId: m.projectId });
    return m;
  };
  const loadProject = async (req: Request) => {
    const p = Id.safeParse(req.params.id);
    if (!p.success) throw notFound('Project', String(req.params.id));
    await access.require(req, 'read', { type: 'project', id: p.data, projectId: p.data });
    if (!(await store.projects.get(p.data))) throw notFound('Project', p.data);
    return p.data;
  };
  const announce = (m: StoredModel) => {
    const msg: LiveServerMessage = { type: 'progress.updated', modelId: m.id, projectId: m.projectId };
    ctx.live.toProject(m.projectId, msg);
  };

  route(r, api.progress.importSchedule, csvBody, async (req, res) => {
    const m = await loadModel(req, 'update');
    let input: Parameters<typeof tasksFrom>[0];
    if (typeof req.body === 'string') input = { csv: req.body };
    else {
      const body = parseOr400(
        api.progress.importSchedule.body,
        req.body,
        'schedule import ({ "tasks": [...] }, { "source": "ifc" }, or a text/csv body)',
      );
      input =
        'tasks' in body
          ? { json: body.tasks }
          : { ifcOf: m, dataDir: config.DATA_DIR, readSchedule: (id, path) => models.readSchedule(id, path) };
    }
    const parsed = await tasksFrom(input);
    if (!parsed.tasks.length) {
      throw new AppError(
        ErrorCode.VALIDATION_FAILED,
        parsed.rejected.length
          ? `No usable task: all ${parsed.rejected.length} were refused; see details.rejected`
          : 'The schedule has no task',
        {
          rejected: parsed.rejected,
          warnings: parsed.warnings,
        },
      );
    }
    await store.progress.replaceSchedule(m.id, parsed.source, parsed.tasks);
    const planned = await plannedElements(store, m.id);
    const result: ScheduleImportResult = {
      modelId: m.id,
      source: parsed.source,
      imported: parsed.tasks.length,
      rejected: parsed.rejected,
      unmatchedTasks: parsed.tasks.filter((t) => !planned?.counts.get(t.id)).map((t) => t.id),
      warnings: parsed.warnings,
    };
    ctx.log.info(
      {
        modelId: m.id,
        projectId: m.projectId,
        source: parsed.source,
        imported: result.imported,
        rejected: result.rejected.length,
      },
      'schedule imported',
    );
    announce(m);
    res.status(parsed.rejected.length ? 207 : 200).json(result);
  });

  route(r, api.progress.schedule, async (req, res) => {
    const m = await loadModel(req, 'read');
    const s = await store.progress.schedule(m.id);
    if (!s)
      throw new AppError(
        ErrorCode.NOT_FOUND,
        `Model ${m.id} has no schedule: POST one to /api/v1/models/${m.id}/schedule`,
      );
    const planned = await plannedElements(store, m.id);
    res.json({ ...s, tasks: s.tasks.map((t) => ({ ...t, elementCount: planned?.counts.get(t.id) ?? 0 })) });
  });

  route(r, api.progress.record, async (req, res) => {
    const m = await loadModel(req, 'update');
    const body = parseOr400(ProgressRecord, req.body, 'progress record');
    // Status is what happened on site: a day beyond tomorrow (UTC, so every time zone's today passes) is a typo.
    if (body.date > isoDayOf(Date.now() + DAY_MS))
      throw new AppError(ErrorCode.VALIDATION_FAILED, `date ${body.date} is in the future`, {
        issues: [{ path: 'date', message: 'in the future' }],
      });
    const unique = [...new Set(body.globalIds)];
    const known = await store.progress.knownElements(m.id, unique);
    const rejected = body.globalIds
      .map((g, index) => ({ index, globalId: g }))
      .filter((x) => !known.has(x.globalId))
      .map((x) => ({ ...x, code: ErrorCode.NOT_FOUND, message: `Element ${x.globalId} is not in model ${m.id}` }));
    const ok = unique.filter((g) => known.has(g));
    await store.progress.record(m.id, ok, body.status, body.date);
    ctx.log.info(
      {
        modelId: m.id,
        projectId: m.projectId,
        status: body.status,
        date: body.date,
        recorded: ok.length,
        rejected: rejected.length,
      },
      'progress recorded',
    );
    if (ok.length) announce(m);
    const result = { recorded: ok.length, rejected };
    if (!ok.length)
      res.status(httpStatusOf[ErrorCode.NOT_FOUND]).json({
        code: ErrorCode.NOT_FOUND,
        message: `None of the ${rejected.length} elements is in model ${m.id}`,
        ...result,
      });
    else res.status(rejected.length ? 207 : 200).json(result);
  });

  route(r, api.progress.states, async (req, res) => {
    const m = await loadModel(req, 'read');
    const date = dateOf(req);
    const states = await modelStates(store, m.id, date);
    if (!states)
      throw new AppError(
        ErrorCode.NOT_FOUND,
        `Model ${m.id} has no schedule: POST one to /api/v1/models/${m.id}/schedule`,
      );
    res.json({ modelId: m.id, date, states });
  });

  route(r, api.progress.ofProject, async (req, res) => {
    const projectId = await loadProject(req);
    res.json(await projectProgressOf(store, projectId, dateOf(req)));
  });

  route(r, api.progress.csvOfProject, async (req, res) => {
    const projectId = await loadProject(req);
    const date = dateOf(req);
    const p = await projectProgressOf(store, projectId, date);
    // The BOM makes Excel read UTF-8 (storey names are often Chinese).
    res
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="progress-${projectId}-${date}.csv"`)
      .send('\uFEFF' + progressCsv(p));
  });

  return r;
}
