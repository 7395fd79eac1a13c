import { z } from 'zod';
import { Alarm } from '../../models/Alarm.js';
import { Kpis, type KpiTier } from '../../models/Kpis.js';
import { ItemScore, ProjectReadiness, ReadinessGrade } from '../../models/Readiness.js';
import { getJson, parseAnswer } from './ApiError.js';

/** `GET /api/v1/kpis` for a wall's tier and scope. */
export async function fetchKpis(tier: KpiTier, id: string | null, baseUrl = '', signal?: AbortSignal): Promise<Kpis> {
  const q = new URLSearchParams({ tier });
  if (id) q.set('id', id);
  return parseAnswer(Kpis, await getJson(`${baseUrl}/api/v1/kpis?${q}`, signal), 'KPIs');
}

/**
 * Alarms not cleared (`open`, or `acknowledged`), newest first. Each item is parsed alone: one malformed alarm is skipped, the ticker keeps the rest.
 */
export async function fetchOpenAlarms(opts: { projectId?: string; limit?: number; state?: 'open' | 'acknowledged' } = {}, baseUrl = ''): Promise<Alarm[]> {
  const q = new URLSearchParams({ state: opts.state ?? 'open', limit: String(opts.limit ?? 50) });
  if (opts.projectId) q.set('projectId', opts.projectId);
  const body = await getJson(`${baseUrl}/api/v1/alarms?${q}`);
  if (!Array.isArray(body)) return [];
  return body.flatMap((a) => {
    const r = Alarm.safeParse(a);
    return r.success ? [r.data] : [];
  });
}

/** `GET /api/v1/projects/:id/readiness`. */
export async function fetchProjectReadiness(projectId: string, baseUrl = ''): Promise<ProjectReadiness> {
  return parseAnswer(ProjectReadiness, await getJson(`${baseUrl}/api/v1/projects/${projectId}/readiness`), 'readiness');
}

/**
 * `GET /api/v1/readiness`: the city table. The router builds this answer from the models' readiness schemas (it has no
 * schema of its own in models/), so it is composed here from those same schemas.
 */
export const CityReadiness = z.object({
  at: z.number().int(),
  grades: z.record(ReadinessGrade, z.number().int()),
  items: z.array(ItemScore.pick({ id: true, label: true, points: true, veto: true })),
  projects: z.array(ProjectReadiness.extend({ name: z.string() })),
});
export type CityReadiness = z.infer<typeof CityReadiness>;

export async function fetchCityReadiness(baseUrl = ''): Promise<CityReadiness> {
  return parseAnswer(CityReadiness, await getJson(`${baseUrl}/api/v1/readiness`), 'readiness table');
}
