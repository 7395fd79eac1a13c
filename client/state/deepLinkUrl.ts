import { z } from 'zod';

const Uuid = z.string().uuid();

/** The project id of a `?project=<id>` query, or null when absent or not a UUID (a mangled link selects nothing). */
export function projectIdFromSearch(search: string): string | null {
  const raw = new URLSearchParams(search).get('project');
  if (!raw) return null;
  const r = Uuid.safeParse(raw.trim().toLowerCase());
  return r.success ? r.data : null;
}

/** The query string with `project` set to id (or removed for null), keeping every other parameter. */
export function searchWithProject(search: string, id: string | null): string {
  const params = new URLSearchParams(search);
  if (id) params.set('project', id);
  else params.delete('project');
  const s = params.toString();
  return s ? `?${s}` : '';
}
