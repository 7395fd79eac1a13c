import { ErrorCode } from '../../models/errors.js';
import type { UserGrant } from '../../models/User.js';
import type { Principal } from './access.js';
import { AppError } from '../errors.js';
import type { ProjectScope } from '../store/projectScope.js';

/**
 * Narrows a city-wide figure's scope (`/kpis?tier=city`, `/attendance`, `/readiness`) to what the principal reads:
 * the whole city for admins and unscoped viewers, its region for an authority or a regional viewer, its enterprise or
 * its projects otherwise. Returns the scopes to combine (one, except for a list of projects), or throws 403 when the
 * request asks for a region outside the principal's.
 */
export function cityScopesFor(p: Principal | null, requested: ProjectScope): ProjectScope[] {
  const g: UserGrant | undefined = p?.grant;
  if (!g) return [requested]; // AUTH=off: the open policy
  const scope =
    g.role === 'admin'
      ? ({ kind: 'all' } as const)
      : g.role === 'authority'
        ? ({ kind: 'region', regionPrefix: g.regionPrefix } as const)
        : g.role === 'viewer'
          ? g.scope
          : null;
  if (scope?.kind === 'all') return [requested];
  const forbidden = () => new AppError(ErrorCode.FORBIDDEN, 'That region is outside your scope', { requested });
  if (scope?.kind === 'region') {
    const mine = scope.regionPrefix;
    if ('all' in requested) return [{ regionPrefix: mine }];
    if ('regionPrefix' in requested) {
      if (requested.regionPrefix.startsWith(mine)) return [requested];
      if (mine.startsWith(requested.regionPrefix)) return [{ regionPrefix: mine }];
    }
    throw forbidden();
  }
  if (!('all' in requested)) throw forbidden();
  const enterpriseId =
    g.role === 'enterprise' ? g.enterpriseId : scope?.kind === 'enterprise' ? scope.enterpriseId : undefined;
  if (enterpriseId) return [{ enterpriseId }];
  const ids = g.role === 'project' ? g.projectIds : scope?.kind === 'projects' ? scope.projectIds : [];
  return ids.map((projectId) => ({ projectId }));
}

/** The one scope of a figure that cannot be summed over several (KPIs, city attendance): 403 for a project list. */
export function singleCityScope(p: Principal | null, requested: ProjectScope, hint: string): ProjectScope {
  const s = cityScopesFor(p, requested);
  if (s.length !== 1) throw new AppError(ErrorCode.FORBIDDEN, `Your role sees single projects: ${hint}`);
  return s[0]!;
}
