import { api } from '../../models/api/index.js';
import { CityReadiness } from '../../models/api/ops.js';
import { Alarm } from '../../models/Alarm.js';
import { type Kpis, type KpiTier } from '../../models/Kpis.js';
import { type ProjectReadiness } from '../../models/Readiness.js';
import { restAt } from './ApiClient.js';

export { CityReadiness };

/** The wall KPIs for a tier and scope (`api.ops.kpis`). */
export async function fetchKpis(tier: KpiTier, id: string | null, baseUrl = '', signal?: AbortSignal): Promise<Kpis> {
  return restAt(baseUrl).call(api.ops.kpis, {
    query: { tier, ...(id ? { id } : {}) },
    ...(signal ? { signal } : {}),
    what: 'KPIs',
  });
}

/**
 * Alarms not cleared (`open`, or `acknowledged`), newest first. Each item is parsed alone: one malformed alarm is skipped, the ticker keeps the rest.
 */
export async function fetchOpenAlarms(
  opts: { projectId?: string; limit?: number; state?: 'open' | 'acknowledged' } = {},
  baseUrl = '',
): Promise<Alarm[]> {
  const query = {
    state: opts.state ?? 'open',
    limit: opts.limit ?? 50,
    ...(opts.projectId ? { projectId: opts.projectId } : {}),
  };
  const body = await restAt(baseUrl).raw(api.alarms.list, { query });
  if (!Array.isArray(body)) return [];
  return body.flatMap((a) => {
    const r = Alarm.safeParse(a);
    return r.success ? [r.data] : [];
  });
}

/** A project's readiness score (`api.ops.readinessOfProject`). */
export async function fetchProjectReadiness(projectId: string, baseUrl = ''): Promise<ProjectReadiness> {
  return restAt(baseUrl).call(api.ops.readinessOfProject, { params: { id: projectId }, what: 'readiness' });
}

/** The city readiness table (`api.ops.readiness`; its schema is the contract's CityReadiness). */
export async function fetchCityReadiness(baseUrl = ''): Promise<CityReadiness> {
  return restAt(baseUrl).call(api.ops.readiness, { what: 'readiness table' });
}
