import { Router } from 'express';
import { z } from 'zod';
import { AlarmAck, AlarmQuery } from '../../models/Alarm.js';
import {
  AlarmThresholdsOverrides,
  defaultThresholds,
  jurisdictionOf,
  resolveThresholds,
} from '../../models/alarmRules/thresholds.js';
import { ErrorCode } from '../../models/errors.js';
import type { AlarmEngine } from '../alarms/AlarmEngine.js';
import type { AppContext } from '../context.js';
import { AppError, notFound, parseOr400 } from '../errors.js';
import { api } from '../../models/api/index.js';
import { route } from './route.js';

const Id = z.string().uuid();
/** An acknowledgement without an account behind it: the name is required. */
const AlarmAckNamed = AlarmAck.required({ by: true });

/** A path id that is not a UUID names nothing: 404, like an unknown one. */
export function pathId(raw: string | undefined, what: string): string {
  const r = Id.safeParse(raw);
  if (!r.success) throw notFound(what, String(raw));
  return r.data;
}

/**
 * `/api/v1/alarms` (list, filter, acknowledge), `/api/v1/projects/:id/alarms` and the project's alarm lines
 * (`/api/v1/projects/:id/alarm-thresholds`: defaults by jurisdiction, overrides per project).
 */
export function alarmsRouter(ctx: AppContext, engine: AlarmEngine): Router {
  const r = Router();
  const { store, access } = ctx;

  const requireProject = async (id: string) => {
    const p = await store.projects.get(id);
    if (!p) throw notFound('Project', id);
    return p;
  };

  route(r, api.alarms.list, async (req, res) => {
    const q = parseOr400(AlarmQuery, req.query, 'alarm query');
    await access.require(req, 'read', { type: 'alarm', ...(q.projectId ? { projectId: q.projectId } : {}) });
    const v = q.projectId ? ({ all: true } as const) : await access.visibleProjects(req);
    if (v.all) return void res.json(await store.alarms.list(q));
    // A scoped user: the newest of each visible project's alarms, merged (a scope holds tens of projects).
    const lists = await Promise.all(v.projectIds.map((projectId) => store.alarms.list({ ...q, projectId })));
    res.json(
      lists
        .flat()
        .sort((a, b) => b.raisedAt - a.raisedAt || a.id.localeCompare(b.id))
        .slice(0, q.limit),
    );
  });

  route(r, api.alarms.listOfProject, async (req, res) => {
    const id = pathId(req.params.id, 'Project');
    const q = parseOr400(AlarmQuery, { ...req.query, projectId: id }, 'alarm query');
    await access.require(req, 'read', { type: 'alarm', projectId: id });
    await requireProject(id);
    res.json(await store.alarms.list(q));
  });

  route(r, api.alarms.ack, async (req, res) => {
    const id = pathId(req.params.id, 'Alarm');
    const parsed = parseOr400(AlarmAck, req.body ?? {}, 'acknowledgement');
    const existing = await store.alarms.get(id);
    if (!existing) throw notFound('Alarm', id);
    const principal = await access.require(req, 'update', { type: 'alarm', id, projectId: existing.projectId });
    // An account signs with its own name: a typed name could be anyone's. Without accounts the body must say who.
    const body = principal.username
      ? { ...parsed, by: principal.username }
      : parseOr400(AlarmAckNamed, req.body ?? {}, 'acknowledgement');
    res.locals.ackBy = body.by; // for the audit entry
    const out = await store.alarms.acknowledge(id, body.by, body.comment, Date.now());
    if (!out.ok && out.reason === 'not_found') throw notFound('Alarm', id);
    if (!out.ok) {
      const a = out.alarm;
      throw new AppError(
        ErrorCode.ALARM_NOT_OPEN,
        a.state === 'cleared'
          ? 'The alarm is already cleared'
          : `The alarm was already acknowledged by ${a.acknowledgedBy ?? 'someone'}`,
        { state: a.state },
      );
    }
    ctx.log.info(
      { projectId: out.alarm.projectId, deviceId: out.alarm.deviceId, alarmId: id, by: body.by },
      'alarm acknowledged',
    );
    engine.publish(out.alarm);
    res.json(out.alarm);
  });

  const thresholdsView = async (id: string) => {
    const p = await requireProject(id);
    const overrides = await store.alarms.thresholdOverrides(id);
    return {
      projectId: id,
      jurisdiction: jurisdictionOf(p.regionCode),
      defaults: defaultThresholds(p.regionCode),
      overrides,
      effective: resolveThresholds(p.regionCode, overrides),
    };
  };

  route(r, api.alarms.thresholds, async (req, res) => {
    const id = pathId(req.params.id, 'Project');
    await access.require(req, 'read', { type: 'thresholds', projectId: id });
    res.json(await thresholdsView(id));
  });

  route(r, api.alarms.setThresholds, async (req, res) => {
    const id = pathId(req.params.id, 'Project');
    const overrides = parseOr400(AlarmThresholdsOverrides, req.body, 'alarm thresholds');
    await access.require(req, 'update', { type: 'thresholds', projectId: id });
    await requireProject(id);
    await store.alarms.setThresholdOverrides(id, overrides);
    engine.invalidateThresholds(id);
    ctx.log.info({ projectId: id, sections: Object.keys(overrides) }, 'alarm thresholds changed');
    res.json(await thresholdsView(id));
  });

  return r;
}
