import type { Request } from 'express';
import type { LiveScope } from '../../models/protocol.js';
import type { UserGrant } from '../../models/User.js';

/** Who is asking: a user (with the role and scope of its grant), or the anonymous principal when AUTH=off. */
export interface Principal {
  id: string;
  role: 'admin' | 'authority' | 'enterprise' | 'project' | 'viewer' | 'anonymous';
  /** The login name (users only). */
  username?: string;
  /** The role and its scope (users only; server/auth/ScopedAccessPolicy decides from it). */
  grant?: UserGrant;
  /** When the session that names it expires (epoch ms; sessions only): a live socket is closed then. */
  expiresAt?: number;
}

export type Action = 'read' | 'create' | 'update' | 'delete';

/**
 * What a request touches. `projectId` lets a scope check decide without loading the record: routes that only know a
 * child id (model, device, alarm) load it and pass its project. A resource without `projectId` is a list or a create.
 */
export interface Resource {
  type:
    | 'project'
    | 'enterprise'
    | 'config'
    | 'device'
    | 'model'
    | 'element'
    | 'reading'
    | 'alarm'
    | 'thresholds'
    | 'tour'
    | 'wall'
    | 'user'
    | 'audit'
    | 'vendor';
  id?: string;
  projectId?: string;
  /** For `enterprise` and the enterprise `wall`. */
  enterpriseId?: string;
}

/** Which projects a principal may read: all of them, or a list (lists and city figures are narrowed to it). */
export type Visibility = { all: true } | { all: false; projectIds: string[] };

/** What a Socket.IO handshake offers to identify its sender. */
export interface HandshakeLike {
  headers: Record<string, string | string[] | undefined>;
  auth: Record<string, unknown>;
}

/**
 * The one place that decides access. Every route calls `require` before it acts, and every `/live` room join calls
 * `canWatch`, so a real policy can replace this open one without touching the routes.
 */
export interface AccessPolicy {
  /** Who sent the request, or null when it carries no valid credential. */
  principalOf(req: Request): Promise<Principal | null>;
  /** Who opened a socket (`auth.token` or the session cookie), or null. */
  principalOfHandshake(h: HandshakeLike): Promise<Principal | null>;
  /** Throws an AppError (401 / 403) when the principal may not do `action` on `resource`. */
  require(req: Request, action: Action, resource: Resource): Promise<Principal>;
  /** May this principal join the room of `scope`? */
  canWatch(principal: Principal | null, scope: LiveScope): Promise<boolean>;
  /** The projects the requester may read (after `require` passed for the list). */
  visibleProjects(req: Request): Promise<Visibility>;
  /** Forget cached facts after a write (a project moved to another enterprise, a user changed). */
  invalidate(what: { projects?: boolean; userId?: string }): void;
}

const ANONYMOUS: Principal = { id: 'anonymous', role: 'anonymous' };

/** Allows everything: the policy when AUTH=off. */
export const openAccessPolicy: AccessPolicy = {
  async principalOf() {
    return ANONYMOUS;
  },
  async principalOfHandshake() {
    return ANONYMOUS;
  },
  async require() {
    return ANONYMOUS;
  },
  async canWatch() {
    return true;
  },
  async visibleProjects() {
    return { all: true };
  },
  invalidate() {},
};
