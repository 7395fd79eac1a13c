import type { Request } from 'express';
import { ErrorCode } from '../../models/errors.js';
import type { LiveScope } from '../../models/protocol.js';
import type { AccessPolicy, Action, HandshakeLike, Principal, Resource, Visibility } from './access.js';
import { AppError, notFound } from '../errors.js';
import type { Store } from '../store/Store.js';
import type { StoredUser } from '../store/UserRepo.js';
import { ProjectOwners } from './ProjectOwners.js';
import { allows, seesAll, seesProject, seesRegion } from './rules.js';
import { tokenOf, type SessionTokens } from './sessions.js';

const USER_TTL_MS = 5_000;

/** What the routes call each resource in their 404 (`notFound(label, id)`), so both answers are the same bytes. */
const LABEL: Partial<Record<Resource['type'], string>> = {
  project: 'Project',
  device: 'Device',
  reading: 'Device',
  model: 'Model',
  alarm: 'Alarm',
  tour: 'Tour',
};

/** The 404 a route gives for this resource's id when it is missing (the project's when the resource has no id). */
function hiddenAs404(r: Resource): AppError {
  const label = r.id !== undefined ? LABEL[r.type] : undefined;
  return label ? notFound(label, r.id!) : notFound('Project', r.projectId!);
}

/** The principal of a stored user. */
export function principalOfUser(u: StoredUser): Principal {
  return { id: u.id, role: u.grant.role, username: u.username, grant: u.grant };
}

/**
 * The access policy with accounts (AUTH=on): a session token (bearer or cookie) names a user; the user's grant
 * decides, through the rules in rules.ts, against the project that owns the resource (from a cached index).
 */
export class ScopedAccessPolicy implements AccessPolicy {
  readonly owners: ProjectOwners;
  // Users are looked up on every request: a short cache keeps that off the store, and `invalidate` drops an entry
  // at once when an admin changes or disables the user (on this node; other nodes within USER_TTL_MS).
  private readonly users = new Map<string, { user: StoredUser | null; at: number }>();
  private readonly byRequest = new WeakMap<Request, Promise<Principal | null>>();

  constructor(
    private readonly store: Store,
    private readonly tokens: SessionTokens,
  ) {
    this.owners = new ProjectOwners(store);
  }

  private async user(id: string): Promise<StoredUser | null> {
    const hit = this.users.get(id);
    if (hit && Date.now() - hit.at < USER_TTL_MS) return hit.user;
    const user = await this.store.users.get(id);
    if (this.users.size > 10_000) this.users.clear();
    this.users.set(id, { user, at: Date.now() });
    return user;
  }

  private async fromToken(token: string | undefined): Promise<Principal | null> {
    if (!token) return null;
    const claims = await this.tokens.verify(token);
    if (!claims) return null;
    const u = await this.user(claims.userId);
    if (!u || u.disabled || u.tokenVersion !== claims.version) return null;
    return { ...principalOfUser(u), ...(claims.expiresAt !== undefined ? { expiresAt: claims.expiresAt } : {}) };
  }

  principalOf(req: Request): Promise<Principal | null> {
    let p = this.byRequest.get(req);
    if (!p) {
      p = this.fromToken(tokenOf(req.headers));
      this.byRequest.set(req, p);
    }
    return p;
  }

  principalOfHandshake(h: HandshakeLike): Promise<Principal | null> {
    return this.fromToken(tokenOf(h.headers, h.auth.token));
  }

  async require(req: Request, action: Action, resource: Resource): Promise<Principal> {
    const p = await this.principalOf(req);
    if (!p || !p.grant)
      throw new AppError(
        ErrorCode.UNAUTHENTICATED,
        'Log in first: POST /api/v1/auth/login, then send the cookie or Authorization: Bearer <token>',
      );
    const owner = resource.projectId ? await this.owners.get(resource.projectId) : undefined;
    const needsAll = resource.type === 'enterprise' && (resource.enterpriseId ?? resource.id) !== undefined;
    const owners = needsAll ? await this.owners.all() : [];
    if (!allows(p.grant, action, resource, owner, owners)) {
      // A project-bound resource the principal may not even read (or whose project does not exist) answers as a
      // missing id would: a 403 there would tell an outsider that the id exists. 403 stays for read-but-not-write.
      if (resource.projectId !== undefined && (!owner || !seesProject(p.grant, owner))) throw hiddenAs404(resource);
      throw new AppError(ErrorCode.FORBIDDEN, `Your role (${p.role}) may not ${action} this ${resource.type}`, {
        role: p.role,
        action,
        resource: resource.type,
      });
    }
    return p;
  }

  async canWatch(principal: Principal | null, scope: LiveScope): Promise<boolean> {
    const g = principal?.grant;
    if (!g) return false;
    // The city room carries every project's telemetry, so only someone who reads every project may join it;
    // scoped users watch their projects' rooms.
    if (scope.kind === 'city') return seesAll(g);
    if (scope.kind === 'enterprise')
      return allows(g, 'read', { type: 'wall', enterpriseId: scope.enterpriseId }, undefined, []);
    // A region room carries every project of the region, today's and tomorrow's: only for a region inside one's own.
    if (scope.kind === 'region') return seesRegion(g, scope.regionPrefix);
    const owner = await this.owners.get(scope.projectId);
    return !!owner && seesProject(g, owner);
  }

  async visibleProjects(req: Request): Promise<Visibility> {
    const g = (await this.principalOf(req))?.grant;
    if (!g) return { all: false, projectIds: [] };
    if (seesAll(g)) return { all: true };
    return { all: false, projectIds: (await this.owners.all()).filter((o) => seesProject(g, o)).map((o) => o.id) };
  }

  invalidate(what: { projects?: boolean; userId?: string }): void {
    if (what.projects) this.owners.invalidate();
    if (what.userId) this.users.delete(what.userId);
  }
}
