import { Router, type Request } from 'express';
import { z } from 'zod';
import { ErrorCode } from '../../models/errors.js';
import { parseBBox } from '../../models/geo.js';
import { BAD_TEXT_MESSAGE, isSafeText } from '../../models/text.js';
import { ProjectCreate, ProjectPatch, projectToFeature, type ProjectQuery } from '../../models/Project.js';
import { mayReassign } from '../auth/rules.js';
import type { AppContext } from '../context.js';
import { AppError, notFound, parseOr400 } from '../errors.js';
import { api } from '../../models/api/index.js';
import { route } from './route.js';

const Id = z.string().uuid();

/** Reads `?q=` and `?bbox=` into a ProjectQuery, or throws 400. */
export function parseProjectQuery(query: Record<string, unknown>): ProjectQuery {
  const out: ProjectQuery = {};
  if (query.bbox !== undefined) {
    if (typeof query.bbox !== 'string') throw new AppError(ErrorCode.BAD_BBOX, 'bbox must be given once');
    const r = parseBBox(query.bbox);
    if (!r.ok) throw new AppError(ErrorCode.BAD_BBOX, r.reason, { bbox: query.bbox });
    out.bbox = r.bbox;
  }
  if (query.q !== undefined) {
    if (typeof query.q !== 'string' || query.q.length > 200)
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'q must be one string of at most 200 characters');
    if (!isSafeText(query.q))
      throw new AppError(ErrorCode.VALIDATION_FAILED, `q: ${BAD_TEXT_MESSAGE}`, {
        issues: [{ path: 'q', message: BAD_TEXT_MESSAGE }],
      });
    if (query.q.trim()) out.q = query.q.trim();
  }
  return out;
}

function projectId(raw: string | undefined): string {
  const r = Id.safeParse(raw);
  if (!r.success) throw notFound('Project', String(raw));
  return r.data;
}

/** `/api/v1/projects` and `/api/v1/projects.geojson`. */
export function projectsRouter(ctx: AppContext): Router {
  const r = Router();
  const { store, live, access } = ctx;
  /** Only the projects the requester's scope covers. */
  const visible = async <P extends { id: string }>(req: Request, list: P[]): Promise<P[]> => {
    const v = await access.visibleProjects(req);
    if (v.all) return list;
    const ids = new Set(v.projectIds);
    return list.filter((p) => ids.has(p.id));
  };

  route(r, api.projects.geojson, async (req, res) => {
    await access.require(req, 'read', { type: 'project' });
    const list = await visible(req, await store.projects.list(parseProjectQuery(req.query)));
    res.type('application/geo+json').json({ type: 'FeatureCollection', features: list.map(projectToFeature) });
  });

  route(r, api.projects.list, async (req, res) => {
    await access.require(req, 'read', { type: 'project' });
    res.json(await visible(req, await store.projects.list(parseProjectQuery(req.query))));
  });

  route(r, api.projects.get, async (req, res) => {
    const id = projectId(req.params.id);
    await access.require(req, 'read', { type: 'project', id, projectId: id });
    const p = await store.projects.get(id);
    if (!p) throw notFound('Project', id);
    res.json(p);
  });

  route(r, api.projects.create, async (req, res) => {
    const body = parseOr400(ProjectCreate, req.body, 'project');
    await access.require(req, 'create', { type: 'project' });
    if (!(await store.enterprises.get(body.enterpriseId)))
      throw new AppError(ErrorCode.CONFLICT, `Enterprise ${body.enterpriseId} does not exist`, {
        field: 'enterpriseId',
      });
    const p = await store.projects.create(body);
    ctx.log.info({ projectId: p.id }, 'project created');
    live.publishProject({ type: 'project.created', project: p });
    res.status(201).location(`/api/v1/projects/${p.id}`).json(p);
  });

  route(r, api.projects.update, async (req, res) => {
    const id = projectId(req.params.id);
    const patch = parseOr400(ProjectPatch, req.body, 'project patch');
    const me = await access.require(req, 'read', { type: 'project', id, projectId: id });
    const cur = await store.projects.get(id);
    if (!cur) throw notFound('Project', id);
    const to = { enterpriseId: patch.enterpriseId ?? cur.enterpriseId, regionCode: patch.regionCode ?? cur.regionCode };
    // An authority may only hand supervision over (regionCode alone); every other change needs update rights.
    const regionOnly = Object.keys(patch).every((k) => k === 'regionCode');
    if (!(regionOnly && me.grant?.role === 'authority'))
      await access.require(req, 'update', { type: 'project', id, projectId: id });
    if (!mayReassign(me.grant, cur, to))
      throw new AppError(
        ErrorCode.FORBIDDEN,
        'Only an admin may give a project to another enterprise, and only an admin or the authority of both regions may move it to another region',
        {
          fields: Object.keys(patch).filter((k) => k === 'enterpriseId' || k === 'regionCode'),
        },
      );
    if (patch.enterpriseId && !(await store.enterprises.get(patch.enterpriseId)))
      throw new AppError(ErrorCode.CONFLICT, `Enterprise ${patch.enterpriseId} does not exist`, {
        field: 'enterpriseId',
      });
    const p = await store.projects.update(id, patch);
    if (!p) throw notFound('Project', id);
    ctx.log.info({ projectId: id, fields: Object.keys(patch) }, 'project updated');
    live.publishProject({ type: 'project.updated', project: p });
    res.json(p);
  });

  route(r, api.projects.delete, async (req, res) => {
    const id = projectId(req.params.id);
    await access.require(req, 'delete', { type: 'project', id, projectId: id });
    if (!(await store.projects.delete(id))) throw notFound('Project', id);
    ctx.log.info({ projectId: id }, 'project deleted');
    live.publishProject({ type: 'project.deleted', projectId: id });
    res.status(204).end();
  });

  return r;
}
