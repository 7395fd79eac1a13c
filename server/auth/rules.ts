import { grantCoversProject, scopeOfGrant, type UserGrant } from '../../models/User.js';
import type { Action, Resource } from './access.js';
import type { ProjectOwner } from './ProjectOwners.js';

/** Does the grant cover this project? */
export const seesProject = (g: UserGrant, p: ProjectOwner): boolean => grantCoversProject(g, p);

/** True when the grant reads every project (admin, or a viewer of everything). */
export function seesAll(g: UserGrant): boolean {
  return scopeOfGrant(g).kind === 'all';
}

/** Does the grant read every project of the region `prefix`, whatever projects it gets later? */
export function seesRegion(g: UserGrant, prefix: string): boolean {
  const s = scopeOfGrant(g);
  return s.kind === 'all' || (s.kind === 'region' && prefix.startsWith(s.regionPrefix));
}

/** May the grant read the enterprise (or its wall)? Its own, or one whose projects it sees all of (viewer: all). */
export function seesEnterprise(g: UserGrant, enterpriseId: string, owners: ProjectOwner[]): boolean {
  const s = scopeOfGrant(g);
  if (s.kind === 'all') return true;
  if (s.kind === 'enterprise') return s.enterpriseId === enterpriseId;
  // An authority or a project user reads the enterprise record of projects it sees, but not its whole wall (that
  // would count projects outside its scope): `wall` resources only pass the branches above.
  return owners.some((p) => p.enterpriseId === enterpriseId && seesProject(g, p));
}

/**
 * The rules, by role:
 * - admin: everything;
 * - authority: reads its region; acknowledges alarms there; moves a project between regions it holds (mayReassign);
 * - enterprise: reads and configures its projects (devices, models, progress, tours, thresholds, alarms, the project
 *   record), never deletes a project or creates one;
 * - project: reads and configures its projects' contents, not the project record;
 * - viewer: reads its scope, writes nothing.
 * Users, the audit log and city tours (toursRouter) are for admins only. `owner` is the project of a project-bound resource (undefined when
 * the project does not exist: then only an admin passes, and the route answers 404).
 */
export function allows(
  g: UserGrant,
  action: Action,
  r: Resource,
  owner: ProjectOwner | undefined,
  owners: ProjectOwner[],
): boolean {
  if (g.role === 'admin') return true;
  if (r.type === 'user' || r.type === 'audit') return false;
  const read = action === 'read';
  if (r.type === 'config') return read || g.role === 'authority';
  // Device vendors: a registry every signed-in account reads; sites register vendors and models; the blacklist is the
  // authority's (update = blacklist).
  if (r.type === 'vendor')
    return read || (action === 'create' ? g.role !== 'viewer' : action === 'update' && g.role === 'authority');
  if (r.type === 'enterprise') {
    if (!read) return false;
    const id = r.enterpriseId ?? r.id;
    return id === undefined ? true : seesEnterprise(g, id, owners); // the list is narrowed by the router
  }
  if (r.type === 'wall' && r.enterpriseId) {
    const s = scopeOfGrant(g);
    return read && (s.kind === 'all' || (s.kind === 'enterprise' && s.enterpriseId === r.enterpriseId));
  }
  if (r.projectId === undefined) {
    // A list (narrowed by visibleProjects) or a create (projects, enterprises: admins only).
    return read;
  }
  if (!owner || !seesProject(g, owner)) return false;
  if (read) return true;
  switch (g.role) {
    case 'authority':
      return r.type === 'alarm' && action === 'update';
    case 'enterprise':
      return !(r.type === 'project' && action !== 'update');
    case 'project':
      return r.type !== 'project';
    case 'viewer':
      return false;
  }
}

/**
 * May the grant change who owns (`enterpriseId`) or supervises (`regionCode`) a project? Only admins give a project to
 * another enterprise; a region changes with an admin or with the authority whose region holds both the old and the
 * new code. An enterprise moving its own project would take it, and its alarms, out of its regulator's sight.
 * `g` undefined is AUTH=off (everyone is the anonymous admin).
 */
export function mayReassign(
  g: UserGrant | undefined,
  from: ProjectOwner,
  to: { enterpriseId: string; regionCode: string },
): boolean {
  if (!g || g.role === 'admin') return true;
  if (to.enterpriseId !== from.enterpriseId) return false;
  if (to.regionCode === from.regionCode) return true;
  return (
    g.role === 'authority' && from.regionCode.startsWith(g.regionPrefix) && to.regionCode.startsWith(g.regionPrefix)
  );
}
