import { Router } from 'express';
import { api } from '../../models/api/index.js';
import { inRegion } from '../../models/District.js';
import type { NoticeCounts, NoticeTally } from '../../models/NoticeCounts.js';
import type { AppContext } from '../context.js';
import { districtList } from '../basemap/basemapRouter.js';
import { route } from './route.js';

const zero = (): NoticeTally => ({ openNotices: 0, overdueNotices: 0 });
const add = (a: NoticeTally, b: NoticeTally) => {
  a.openNotices += b.openNotices;
  a.overdueNotices += b.overdueNotices;
};
/** Most overdue first, then most open: what a wall should read first. */
const worstFirst = (a: NoticeTally, b: NoticeTally) =>
  b.overdueNotices - a.overdueNotices || b.openNotices - a.openNotices;

/**
 * `GET /api/v1/notices/counts` (models/NoticeCounts.ts): open and overdue rectification notices per project,
 * enterprise and district, over the projects the requester may read: the scope of the REST list of topics (both
 * follow grantCoversProject through the access policy), so a wall never counts a notice its reader cannot open.
 */
export function noticesRouter(ctx: AppContext): Router {
  const r = Router();
  const { store, access } = ctx;
  route(r, api.notices.counts, async (req, res) => {
    await access.require(req, 'read', { type: 'project' });
    const now = Date.now();
    const [visibility, projects, enterprises, counts] = await Promise.all([
      access.visibleProjects(req),
      store.projects.list({}),
      store.enterprises.list(),
      store.topics.countsByProject(now),
    ]);
    const readable = visibility.all ? projects : projects.filter((p) => visibility.projectIds.includes(p.id));
    const byProject = new Map(counts.map((c) => [c.projectId, c]));
    const tallyOf = (id: string): NoticeTally => {
      const c = byProject.get(id);
      return c ? { openNotices: c.openNotices, overdueNotices: c.overdueNotices } : zero();
    };
    const totals = zero();
    const perEnterprise = new Map<string, NoticeTally>();
    for (const p of readable) {
      const t = tallyOf(p.id);
      add(totals, t);
      const e = perEnterprise.get(p.enterpriseId) ?? zero();
      add(e, t);
      perEnterprise.set(p.enterpriseId, e);
    }
    const names = new Map(enterprises.map((e) => [e.id, e.name]));
    const body: NoticeCounts = {
      at: now,
      totals,
      projects: readable
        .map((p) => ({
          projectId: p.id,
          name: p.name,
          enterpriseId: p.enterpriseId,
          regionCode: p.regionCode,
          ...tallyOf(p.id),
        }))
        .sort(worstFirst),
      enterprises: [...perEnterprise]
        .map(([enterpriseId, t]) => ({ enterpriseId, name: names.get(enterpriseId) ?? '', ...t }))
        .sort(worstFirst),
      districts: districtList().map(({ code, name }) => {
        const t = zero();
        for (const p of readable) if (inRegion(p.regionCode, code)) add(t, tallyOf(p.id));
        return { code, name, ...t };
      }),
    };
    res.json(body);
  });
  return r;
}
