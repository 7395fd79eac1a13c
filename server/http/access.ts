import type { Request } from 'express';
import type { LiveScope } from '../../models/protocol.js';

/** Who is asking. Accounts and roles come later; until then everyone is the anonymous viewer with full rights. */
export interface Principal {
  id: string;
  role: 'admin' | 'authority' | 'enterprise' | 'project' | 'viewer' | 'anonymous';
}

export type Action = 'read' | 'create' | 'update' | 'delete';

/** What a request touches. `projectId` lets a scope check decide without loading the record. */
export interface Resource {
  type: 'project' | 'enterprise' | 'config';
  id?: string;
  projectId?: string;
}

/**
 * The one place that decides access. Every route calls `require` before it acts, and every `/live` room join calls
 * `canWatch`, so a real policy can replace this open one without touching the routes.
 */
export interface AccessPolicy {
  /** Who sent the request, or null when it carries no valid credential. */
  principalOf(req: Request): Promise<Principal | null>;
  /** Throws an HttpError (401 / 403) when the principal may not do `action` on `resource`. */
  require(req: Request, action: Action, resource: Resource): Promise<Principal>;
  /** May this principal join the room of `scope`? */
  canWatch(principal: Principal | null, scope: LiveScope): Promise<boolean>;
}

const ANONYMOUS: Principal = { id: 'anonymous', role: 'anonymous' };

/** Allows everything: the policy until accounts exist. */
export const openAccessPolicy: AccessPolicy = {
  async principalOf() {
    return ANONYMOUS;
  },
  async require() {
    return ANONYMOUS;
  },
  async canWatch() {
    return true;
  },
};
