import { Router } from 'express';
import { z } from 'zod';
import { EnterpriseCreate } from '../../models/Enterprise.js';
import type { AppContext } from '../context.js';
import { notFound, parseOr400 } from '../errors.js';
import { api } from '../../models/api/index.js';
import { route } from './route.js';

/** `/api/v1/enterprises`: list, get, create. */
export function enterprisesRouter(ctx: AppContext): Router {
  const r = Router();
  route(r, api.enterprises.list, async (req, res) => {
    await ctx.access.require(req, 'read', { type: 'enterprise' });
    const all = await ctx.store.enterprises.list();
    const v = await ctx.access.visibleProjects(req);
    if (v.all) return void res.json(all);
    // A scoped user sees the enterprises of its projects, and its own enterprise even before it has a project.
    const ids = new Set(v.projectIds);
    const own = (await ctx.access.principalOf(req))?.grant;
    const keep = new Set((await ctx.store.projects.list()).filter((p) => ids.has(p.id)).map((p) => p.enterpriseId));
    if (own?.role === 'enterprise') keep.add(own.enterpriseId);
    res.json(all.filter((e) => keep.has(e.id)));
  });
  route(r, api.enterprises.get, async (req, res) => {
    const id = z.string().uuid().safeParse(req.params.id);
    if (!id.success) throw notFound('Enterprise', req.params.id);
    await ctx.access.require(req, 'read', { type: 'enterprise', id: id.data });
    const e = await ctx.store.enterprises.get(id.data);
    if (!e) throw notFound('Enterprise', id.data);
    res.json(e);
  });
  route(r, api.enterprises.create, async (req, res) => {
    const body = parseOr400(EnterpriseCreate, req.body, 'enterprise');
    await ctx.access.require(req, 'create', { type: 'enterprise' });
    const e = await ctx.store.enterprises.create(body);
    res.status(201).location(`/api/v1/enterprises/${e.id}`).json(e);
  });
  return r;
}
