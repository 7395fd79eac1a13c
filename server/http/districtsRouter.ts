import { Router } from 'express';
import { api } from '../../models/api/index.js';
import { inRegion, type DistrictFigures, type DistrictFiguresResponse } from '../../models/District.js';
import { CHINA_UTC_OFFSET_MIN, localDayStart } from '../../models/localTime.js';
import { scopeOfGrant } from '../../models/User.js';
import type { AppContext } from '../context.js';
import { districtList } from '../basemap/basemapRouter.js';
import { route } from './route.js';

/**
 * `GET /api/v1/districts/figures` (models/District.ts): the district layer's colouring figures, over the projects
 * the requester's project list shows (the same visibility), so a district never counts what its reader cannot open.
 * One KPI computation per district with readable projects (ten districts in the demo city).
 */
export function districtsRouter(ctx: AppContext): Router {
  const r = Router();
  const { store, access } = ctx;
  route(r, api.districts.figures, async (req, res) => {
    await access.require(req, 'read', { type: 'project' });
    const [principal, visibility, all] = await Promise.all([
      access.principalOf(req),
      access.visibleProjects(req),
      store.projects.list({}),
    ]);
    const readable = new Set(visibility.all ? all.map((p) => p.id) : visibility.projectIds);
    const projects = all.filter((p) => readable.has(p.id));
    const now = Date.now();
    const dayStart = localDayStart(now);
    const districts = await Promise.all(
      districtList().map(async ({ code, name }): Promise<DistrictFigures> => {
        const mine = projects.filter((p) => inRegion(p.regionCode, code));
        const base = {
          code,
          name,
          projects: mine.length,
          underConstruction: mine.filter((p) => p.status === 'under_construction').length,
        };
        if (!mine.length) return { ...base, openAlarms: 0, dustExceedances: 0, workersOnSite: 0 };
        const k = await store.kpis.kpis({ projectIds: mine.map((p) => p.id) }, now, dayStart, CHINA_UTC_OFFSET_MIN);
        return {
          ...base,
          openAlarms: k.alarms.alarm + k.alarms.prewarning,
          dustExceedances: k.dustExceedances,
          workersOnSite: k.workersOnSite,
        };
      }),
    );
    const scope = principal?.grant ? scopeOfGrant(principal.grant) : null;
    const body: DistrictFiguresResponse = {
      at: now,
      regionPrefix: scope?.kind === 'region' ? scope.regionPrefix : null,
      districts,
    };
    res.json(body);
  });
  return r;
}
