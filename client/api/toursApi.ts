import { api } from '../../models/api/index.js';
import { Tour } from '../../models/Tour.js';
import { restAt } from './ApiClient.js';

/** One tour by id (saved, or a generated `default-…` one). */
export async function fetchTour(id: string, baseUrl = ''): Promise<Tour> {
  return restAt(baseUrl).call(api.tours.get, { params: { id }, what: 'tour' });
}

/** A project's tours, or the city tours when projectId is null; a malformed tour is skipped. */
export async function fetchTours(projectId: string | null, baseUrl = ''): Promise<Tour[]> {
  const c = restAt(baseUrl);
  const body = await (projectId
    ? c.raw(api.tours.listOfProject, { params: { id: projectId } })
    : c.raw(api.tours.listCity));
  return Array.isArray(body) ? body.flatMap((t) => (Tour.safeParse(t).success ? [Tour.parse(t)] : [])) : [];
}
