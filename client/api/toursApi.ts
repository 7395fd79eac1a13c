import { Tour } from '../../models/Tour.js';
import { getJson, parseAnswer } from './ApiError.js';

/** One tour by id (saved, or a generated `default-…` one). */
export async function fetchTour(id: string, baseUrl = ''): Promise<Tour> {
  return parseAnswer(Tour, await getJson(`${baseUrl}/api/v1/tours/${encodeURIComponent(id)}`), 'tour');
}

/** A project's tours, or the city tours when projectId is null; a malformed tour is skipped. */
export async function fetchTours(projectId: string | null, baseUrl = ''): Promise<Tour[]> {
  const body = await getJson(projectId ? `${baseUrl}/api/v1/projects/${projectId}/tours` : `${baseUrl}/api/v1/tours`);
  return Array.isArray(body) ? body.flatMap((t) => (Tour.safeParse(t).success ? [Tour.parse(t)] : [])) : [];
}
