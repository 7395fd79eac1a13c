import { Router, type Request } from 'express';
import { z } from 'zod';
import { ErrorCode } from '../../models/errors.js';
import { regionPrefix } from '../../models/Kpis.js';
import type { ReadinessConfig, ReadinessGrade } from '../../models/Readiness.js';
import type { AppContext } from '../context.js';
import { cityAttendanceOf, projectAttendance, readinessOf } from '../ops/opsFigures.js';
import type { KpiCache } from '../ops/KpiCache.js';
import type { ProjectScope } from '../store/projectScope.js';
import { AppError, notFound, parseOr400 } from '../errors.js';
import { cityScopesFor, singleCityScope } from '../auth/cityScope.js';
import { api } from '../../models/api/index.js';
import { RegionQuery } from '../../models/api/ops.js';
import { route } from './route.js';

const Id = z.string().uuid();

/**
 * Command-center figures: wall KPIs per tier, attendance (counts only) per project and for the city, smart-site
 * readiness per project and as a city table.
 */
export function opsRouter(ctx: AppContext, readiness: ReadinessConfig, kpis: KpiCache): Router {
  const r = Router();
  const { store, access } = ctx;

  const project = async (req: Request): Promise<string> => {
    const p = Id.safeParse(req.params.id);
    if (!p.success) throw notFound('Project', String(req.params.id));
    await access.require(req, 'read', { type: 'project', id: p.data, projectId: p.data });
    if (!(await store.projects.get(p.data))) throw notFound('Project', p.data);
    return p.data;
  };
  const cityScope = (req: Request): ProjectScope => {
    const q = parseOr400(RegionQuery, req.query, 'query');
    return q.region ? { regionPrefix: regionPrefix(q.region) } : { all: true };
  };
  /** The requested city scope narrowed to the requester's (server/auth/cityScope). */
  const scopesOf = async (req: Request) => cityScopesFor(await access.principalOf(req), cityScope(req));

  route(r, api.ops.kpis, async (req, res) => {
    const q = parseOr400(api.ops.kpis.query, req.query, 'KPI query (tier=city|enterprise|project&id=)');
    if (q.tier === 'project') {
      await access.require(req, 'read', { type: 'project', id: q.id!, projectId: q.id! });
      if (!(await store.projects.get(q.id!))) throw notFound('Project', q.id!);
    } else if (q.tier === 'enterprise') {
      await access.require(req, 'read', { type: 'wall', enterpriseId: q.id! });
      if (!(await store.enterprises.get(q.id!))) throw notFound('Enterprise', q.id!);
    } else {
      await access.require(req, 'read', { type: 'project' });
      const s = singleCityScope(
        await access.principalOf(req),
        q.id ? { regionPrefix: regionPrefix(q.id) } : { all: true },
        'ask tier=enterprise or tier=project',
      );
      if ('regionPrefix' in s) q.id = s.regionPrefix;
      else if (!('all' in s))
        throw new AppError(
          ErrorCode.FORBIDDEN,
          'The city wall is for the authority: ask tier=enterprise or tier=project',
        );
    }
    // After the access check and the narrowing above: the cache is keyed by the query as narrowed (at most
    // KPI_CACHE_MS old; `at` says when the figures were computed).
    res.json(await kpis.get(q));
  });

  route(r, api.ops.attendanceOfProject, async (req, res) => {
    res.json(await projectAttendance(store, await project(req)));
  });

  route(r, api.ops.attendance, async (req, res) => {
    await access.require(req, 'read', { type: 'project' });
    const scope = singleCityScope(await access.principalOf(req), cityScope(req), 'ask /projects/:id/attendance');
    res.json(await cityAttendanceOf(store, scope));
  });

  route(r, api.ops.readinessOfProject, async (req, res) => {
    const id = await project(req);
    const [one] = await readinessOf(store, readiness, { projectId: id });
    if (!one) throw new AppError(ErrorCode.NOT_FOUND, `Project ${id} does not exist`);
    res.json(one);
  });

  route(r, api.ops.readiness, async (req, res) => {
    await access.require(req, 'read', { type: 'project' });
    const list = (await Promise.all((await scopesOf(req)).map((s) => readinessOf(store, readiness, s)))).flat();
    const names = new Map((await store.projects.list()).map((p) => [p.id, p.name]));
    const grades: Record<ReadinessGrade, number> = { fail: 0, pass: 0, good: 0, excellent: 0 };
    for (const p of list) grades[p.grade]++;
    res.json({
      at: Date.now(),
      grades,
      items: readiness.items.map((i) => ({ id: i.id, label: i.label, points: i.points, veto: i.veto })),
      projects: list
        .map((p) => ({ ...p, name: names.get(p.projectId) ?? '' }))
        .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name)),
    });
  });

  return r;
}
