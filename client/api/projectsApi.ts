import { api } from '../../models/api/index.js';
import { Project } from '../../models/Project.js';
import { ApiError, ClientErrorCode } from './ApiError.js';
import { restAt } from './ApiClient.js';

/** A loaded project list, with the items that failed their schema (skipped, not fatal). */
export interface ProjectList {
  projects: Project[];
  rejected: { index: number; reason: string }[];
}

/**
 * Loads every project. Each item is parsed on its own so one malformed project never hides the rest of the city;
 * the skipped ones are reported to the caller.
 */
export async function fetchProjects(baseUrl = '', signal?: AbortSignal): Promise<ProjectList> {
  const body = await restAt(baseUrl).raw(api.projects.list, signal ? { signal } : {});
  if (!Array.isArray(body))
    throw new ApiError(ClientErrorCode.BAD_RESPONSE, `GET ${api.projects.list.path} did not return a list`);
  const out: ProjectList = { projects: [], rejected: [] };
  body.forEach((item, index) => {
    const r = Project.safeParse(item);
    if (r.success) out.projects.push(r.data);
    else
      out.rejected.push({ index, reason: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  });
  return out;
}
