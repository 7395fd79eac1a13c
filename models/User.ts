import { z } from 'zod';
import { safeText } from './text.js';

/**
 * What an account may see, by role:
 * - `admin`: everything, and user management;
 * - `authority`: the projects of a region (a GB/T 2260 code prefix, `3702` = Qingdao), read, plus acknowledging alarms;
 * - `enterprise`: the projects of one enterprise, read and configure;
 * - `project`: a list of projects, read and configure;
 * - `viewer`: read only, within its `scope`.
 */
export const UserRole = z.enum(['admin', 'authority', 'enterprise', 'project', 'viewer']);
export type UserRole = z.infer<typeof UserRole>;

/** A region code prefix: 2 to 6 digits of a GB/T 2260 code. */
export const RegionPrefix = z.string().regex(/^\d{2,6}$/, 'a GB/T 2260 region code prefix (2-6 digits)');

/** The projects a viewer may read: all, a region, an enterprise's, or a list. */
export const ViewerScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('region'), regionPrefix: RegionPrefix }),
  z.object({ kind: z.literal('enterprise'), enterpriseId: z.string().uuid() }),
  z.object({ kind: z.literal('projects'), projectIds: z.array(z.string().uuid()).min(1).max(1000) }),
]);
export type ViewerScope = z.infer<typeof ViewerScope>;

/** A role with the scope it carries. One shape per role so a scope can never be missing or of the wrong kind. */
export const UserGrant = z.discriminatedUnion('role', [
  z.object({ role: z.literal('admin') }),
  z.object({ role: z.literal('authority'), regionPrefix: RegionPrefix }),
  z.object({ role: z.literal('enterprise'), enterpriseId: z.string().uuid() }),
  z.object({ role: z.literal('project'), projectIds: z.array(z.string().uuid()).min(1).max(1000) }),
  z.object({ role: z.literal('viewer'), scope: ViewerScope }),
]);
export type UserGrant = z.infer<typeof UserGrant>;

/** The projects a grant reads, as a viewer scope: every role's scope maps onto the same four shapes. */
/** The facts about a project a scope check needs: its id, its enterprise and its GB/T 2260 region code. */
export interface ProjectFacts {
  id: string;
  enterpriseId: string;
  regionCode: string;
}

/** Does the grant cover this project? The one scope rule, used by the server's access policy and the topic rules. */
export function grantCoversProject(g: UserGrant, p: ProjectFacts): boolean {
  const s = scopeOfGrant(g);
  switch (s.kind) {
    case 'all':
      return true;
    case 'region':
      return p.regionCode.startsWith(s.regionPrefix);
    case 'enterprise':
      return p.enterpriseId === s.enterpriseId;
    case 'projects':
      return s.projectIds.includes(p.id);
  }
}

export function scopeOfGrant(g: UserGrant): ViewerScope {
  switch (g.role) {
    case 'admin':
      return { kind: 'all' };
    case 'authority':
      return { kind: 'region', regionPrefix: g.regionPrefix };
    case 'enterprise':
      return { kind: 'enterprise', enterpriseId: g.enterpriseId };
    case 'project':
      return { kind: 'projects', projectIds: g.projectIds };
    case 'viewer':
      return g.scope;
  }
}

/** A login name: letters, digits, `.`, `_`, `-`, `@`; compared case-insensitively (stored lower case). */
export const Username = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits, . _ - @')
  .transform((s) => s.toLowerCase());

/** At least 10 characters: long enough that a rate-limited online guess cannot succeed. */
export const Password = z.string().min(10, 'at least 10 characters').max(256);

/** An account as served (never with its password hash). */
export const User = z.object({
  id: z.string().uuid(),
  username: z.string(),
  displayName: z.string(),
  grant: UserGrant,
  disabled: z.boolean(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type User = z.infer<typeof User>;

/** `POST /api/v1/users` (admins). */
export const UserCreate = z
  .object({
    username: Username,
    displayName: safeText().trim().max(200).default(''),
    password: Password,
    grant: UserGrant,
  })
  .strict();
export type UserCreate = z.infer<typeof UserCreate>;

/** `PATCH /api/v1/users/:id` (admins): any subset. */
export const UserPatch = z
  .object({
    displayName: safeText().trim().max(200).optional(),
    password: Password.optional(),
    grant: UserGrant.optional(),
    disabled: z.boolean().optional(),
  })
  .strict();
export type UserPatch = z.infer<typeof UserPatch>;

/** `POST /api/v1/auth/password`: a user changes its own password (answers like a login, with a fresh session). */
export const PasswordChange = z.object({ currentPassword: z.string().min(1).max(256), newPassword: Password }).strict();
export type PasswordChange = z.infer<typeof PasswordChange>;

/** `POST /api/v1/auth/login`. */
export const LoginRequest = z
  .object({ username: safeText().trim().min(1).max(64), password: z.string().min(1).max(256) })
  .strict();
export type LoginRequest = z.infer<typeof LoginRequest>;

/** Answer of a login: the account and the session token (also set as the httpOnly `st_session` cookie). */
export const LoginResponse = z.object({ user: User, token: z.string(), expiresAt: z.number().int() });
export type LoginResponse = z.infer<typeof LoginResponse>;

/** One audit entry: who did what to which record, and when. */
export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.number().int(),
  /** The user id, `anonymous` when auth is off, or the username tried on a failed login. */
  actor: z.string(),
  /** `login.ok`, `login.failed`, `alarm.ack`, `project.create`, `device.update`, `thresholds.update`, `user.create`, … */
  action: z.string(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** `GET /api/v1/audit?action=&actor=&from=&to=&limit=` (admins). */
export const AuditQuery = z
  .object({
    action: safeText().max(64).optional(),
    actor: safeText().max(64).optional(),
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(200),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuery>;
