import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  DEFAULT_CITY_TOUR_ID,
  defaultCityTour,
  defaultProjectTour,
  TourCreate,
  TourPatch,
  type Tour,
} from '../../models/Tour.js';
import { ErrorCode } from '../../models/errors.js';
import type { AppContext } from '../context.js';
import type { Visibility } from '../auth/access.js';
import { AppError, notFound, parseOr400 } from '../errors.js';
import { api } from '../../models/api/index.js';
import { route } from './route.js';

const Id = z.string().uuid();

/**
 * Tours: saved city tours under `/tours`, project tours under `/projects/:id/tours`, one tour at `/tours/:id` (a
 * shareable id). When nothing is saved, the lists hold a generated default tour (`default-city`, `default-<project>`),
 * which `/tours/:id` also serves, so a link to it works before anyone saved a tour.
 */
export function toursRouter(ctx: AppContext): Router {
  const r = Router();
  const { store, access } = ctx;

  const projectOf = async (req: Request, action: 'read' | 'update') => {
    const p = Id.safeParse(req.params.id);
    if (!p.success) throw notFound('Project', String(req.params.id));
    await access.require(req, action, { type: 'tour', projectId: p.data });
    const project = await store.projects.get(p.data);
    if (!project) throw notFound('Project', p.data);
    return project;
  };
  /**
   * May the requester read this tour? Only when it reads every project the tour visits: the tour's own and each
   * stop's. A whole tour is hidden rather than its foreign stops filtered out: captions and the order of stops are
   * one piece of writing, and a filtered copy saved back would silently drop the other stops. A city tour's stop
   * without a project is a view over the city, so such a tour is for those who read every project.
   */
  const readable = (v: Visibility, t: Pick<Tour, 'projectId' | 'viewpoints'>): boolean => {
    if (v.all) return true;
    const ids = new Set(v.projectIds);
    if (t.projectId && !ids.has(t.projectId)) return false;
    return t.viewpoints.every((s) => (s.projectId ? ids.has(s.projectId) : t.projectId !== null));
  };
  /**
   * Writes need write rights on every project the tour visits; a city tour (no project of its own) is an admin's.
   * A stop in a project the requester may not change answers 403 whether that project exists or not.
   */
  const requireWrite = async (
    req: Request,
    action: 'create' | 'update' | 'delete',
    t: Pick<Tour, 'projectId' | 'viewpoints'>,
  ) => {
    await access.require(req, action, t.projectId ? { type: 'tour', projectId: t.projectId } : { type: 'tour' });
    for (const pid of new Set(
      t.viewpoints.flatMap((s) => (s.projectId && s.projectId !== t.projectId ? [s.projectId] : [])),
    )) {
      try {
        await access.require(req, 'update', { type: 'tour', projectId: pid });
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== ErrorCode.NOT_FOUND) throw err;
        throw new AppError(ErrorCode.FORBIDDEN, 'A stop of this tour is in a project you may not change', {
          projectId: pid,
        });
      }
    }
  };
  const savedTour = async (req: Request, action: 'read' | 'update' | 'delete'): Promise<Tour> => {
    const raw = String(req.params.id);
    const p = Id.safeParse(raw);
    if (!p.success) throw notFound('Tour', raw);
    const t = await store.tours.get(p.data);
    // A tour the requester may not read answers as a missing one (its id says nothing to an outsider).
    if (!t || !readable(await access.visibleProjects(req), t)) {
      await access.require(req, 'read', { type: 'tour' }); // 401 first for a request without a session
      throw notFound('Tour', p.data);
    }
    if (action !== 'read') await requireWrite(req, action, t);
    return t;
  };
  // The generated city tour flies over the projects the requester may read, no others.
  const cityDefault = async (req: Request) => {
    const v = await access.visibleProjects(req);
    const ids = v.all ? null : new Set(v.projectIds);
    return defaultCityTour(
      (await store.projects.list()).filter((p) => !ids || ids.has(p.id)),
      Date.now(),
    );
  };
  const visibleOf = async (req: Request, list: Tour[]) => {
    const v = await access.visibleProjects(req);
    return list.filter((t) => readable(v, t));
  };

  route(r, api.tours.listCity, async (req, res) => {
    await access.require(req, 'read', { type: 'tour' });
    const saved = await visibleOf(req, await store.tours.list(null));
    res.json(saved.length ? saved : [await cityDefault(req)]);
  });

  route(r, api.tours.createCity, async (req, res) => {
    const body = parseOr400(TourCreate, req.body, 'tour');
    await requireWrite(req, 'create', { projectId: null, viewpoints: body.viewpoints });
    const t = await store.tours.create(null, body);
    ctx.log.info({ tourId: t.id }, 'city tour saved');
    res.status(201).location(`/api/v1/tours/${t.id}`).json(t);
  });

  route(r, api.tours.listOfProject, async (req, res) => {
    const p = await projectOf(req, 'read');
    const saved = await visibleOf(req, await store.tours.list(p.id));
    res.json(saved.length ? saved : [defaultProjectTour(p, Date.now())]);
  });

  route(r, api.tours.createOfProject, async (req, res) => {
    const p = await projectOf(req, 'update');
    const body = parseOr400(TourCreate, req.body, 'tour');
    await requireWrite(req, 'create', { projectId: p.id, viewpoints: body.viewpoints });
    const t = await store.tours.create(p.id, body);
    ctx.log.info({ tourId: t.id, projectId: p.id }, 'project tour saved');
    res.status(201).location(`/api/v1/tours/${t.id}`).json(t);
  });

  route(r, api.tours.get, async (req, res) => {
    const raw = String(req.params.id);
    if (raw === DEFAULT_CITY_TOUR_ID) {
      await access.require(req, 'read', { type: 'tour' });
      return void res.json(await cityDefault(req));
    }
    const m = /^default-(.+)$/.exec(raw);
    if (m) {
      const pid = Id.safeParse(m[1]);
      if (!pid.success) throw notFound('Tour', raw);
      await access.require(req, 'read', { type: 'project', id: pid.data, projectId: pid.data });
      const p = await store.projects.get(pid.data);
      if (!p) throw notFound('Tour', raw);
      return void res.json(defaultProjectTour(p, Date.now()));
    }
    res.json(await savedTour(req, 'read'));
  });

  route(r, api.tours.update, async (req, res) => {
    if (String(req.params.id).startsWith('default-'))
      throw new AppError(
        ErrorCode.CONFLICT,
        'A generated tour cannot be changed: save your own with POST (it then replaces the default)',
      );
    const patch = parseOr400(TourPatch, req.body, 'tour patch');
    const t = await savedTour(req, 'update');
    if (patch.viewpoints) await requireWrite(req, 'update', { projectId: t.projectId, viewpoints: patch.viewpoints });
    res.json(await store.tours.update(t.id, patch));
  });

  route(r, api.tours.delete, async (req, res) => {
    if (String(req.params.id).startsWith('default-'))
      throw new AppError(ErrorCode.CONFLICT, 'A generated tour cannot be deleted');
    const t = await savedTour(req, 'delete');
    await store.tours.delete(t.id);
    res.status(204).end();
  });

  return r;
}
