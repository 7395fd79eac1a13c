import { Router, type Request } from 'express';
import { z } from 'zod';
import { ErrorCode } from '../../models/errors.js';
import {
  AuditQuery,
  LoginRequest,
  PasswordChange,
  UserCreate,
  UserPatch,
  type LoginResponse,
} from '../../models/User.js';
import type { AppContext } from '../context.js';
import { AppError, notFound, parseOr400 } from '../errors.js';
import { publicUser } from '../store/UserRepo.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { rateLimited } from './RateLimiter.js';
import { TokenBuckets } from '../security/TokenBuckets.js';
import { clearSessionCookie, setSessionCookie, type SessionTokens } from './sessions.js';
import { api, routePath } from '../../models/api/index.js';

const Id = z.string().uuid();
/** Wait before checking a password for a username that is over its attempt rate (see authRouter). */
export const LOGIN_SLOWDOWN_MS = 1000;

/** The client's address as seen by this server (no proxy trust is configured: X-Forwarded-For is not read). */
export const ipOf = (req: Request) => req.socket.remoteAddress ?? 'unknown';

/**
 * Accounts: `POST /auth/login` (cookie + `{ user, token, expiresAt }`), `POST /auth/logout`, `GET /auth/me`,
 * `POST /auth/password` (own password), users
 * CRUD under `/users` and the audit log under `/audit` (admins).
 */
export function authRouter(ctx: AppContext, tokens: SessionTokens): Router {
  const r = Router();
  const { store, access, config, log } = ctx;
  const perMin = config.RATE_LIMIT_LOGIN_PER_MIN;
  // Refused (429) per address and per (address, username): a spray over many names from one address, and guesses at
  // one name from one address, are both stopped. Per username alone, attempts are only slowed (LOGIN_SLOWDOWN_MS
  // before the check): a bucket that refused per name let anyone lock an account out, its owner included, from
  // wherever they logged in. Burst = the per-minute figure, refilled evenly over the minute.
  const byIp = perMin > 0 ? new TokenBuckets(perMin / 60, perMin) : null;
  const byIpName = perMin > 0 ? new TokenBuckets(perMin / 60, perMin) : null;
  const byName = perMin > 0 ? new TokenBuckets(perMin / 60, perMin) : null;
  const audit = (
    req: Request,
    actor: string,
    action: string,
    target: string | null,
    details: Record<string, unknown> = {},
  ) =>
    store.audit
      .append({ actor, action, target, ip: ipOf(req), details })
      .catch((err) => log.error({ err, action }, 'audit: append failed'));

  r.post(routePath(api.auth.login), async (req, res) => {
    const body = parseOr400(LoginRequest, req.body, 'login');
    const name = body.username.toLowerCase();
    const ip = ipOf(req);
    for (const [b, key] of [
      [byIp, ip],
      [byIpName, `${ip}\u0000${name}`],
    ] as const) {
      const t = b?.take(key);
      if (t && !t.ok) {
        void audit(req, name, 'login.limited', null, {});
        throw rateLimited(t, 'login attempts');
      }
    }
    // A name guessed at from many addresses: every attempt at it waits, the owner's too, but none is refused.
    if (byName && !byName.take(name).ok) await new Promise((r) => setTimeout(r, LOGIN_SLOWDOWN_MS));
    const u = await store.users.findByUsername(name);
    const ok = await verifyPassword(u?.passwordHash, body.password);
    if (!u || !ok || u.disabled) {
      await audit(req, name, 'login.failed', u?.id ?? null, {
        reason: !u ? 'unknown user' : u.disabled && ok ? 'disabled' : 'wrong password',
      });
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'Wrong username or password');
    }
    const { token, expiresAt } = await tokens.issue({ userId: u.id, version: u.tokenVersion });
    await audit(req, u.id, 'login.ok', u.id, { username: u.username });
    setSessionCookie(req, res, token, expiresAt);
    res.json({ user: publicUser(u), token, expiresAt } satisfies LoginResponse);
  });

  r.post(routePath(api.auth.logout), async (req, res) => {
    const p = await access.principalOf(req);
    clearSessionCookie(req, res);
    if (p?.grant) await audit(req, p.id, 'logout', p.id);
    res.status(204).end();
  });

  r.get(routePath(api.auth.me), async (req, res) => {
    const p = await access.principalOf(req);
    if (!p) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Not logged in');
    if (!p.grant) return void res.json({ user: null, auth: 'off' }); // AUTH=off: everyone is the anonymous admin
    const u = await store.users.get(p.id);
    if (!u) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Not logged in');
    res.json({ user: publicUser(u), auth: 'on' });
  });

  // Own password: the current one is checked (same buckets as a login: it is a password guess too), the new one
  // bumps the token version so every other session of the user ends, and this session gets a fresh token.
  r.post(routePath(api.auth.password), async (req, res) => {
    const p = await access.principalOf(req);
    if (!p?.grant) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Log in first: POST /api/v1/auth/login');
    const body = parseOr400(PasswordChange, req.body, 'password change');
    const u = await store.users.get(p.id);
    if (!u || u.disabled) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Log in first: POST /api/v1/auth/login');
    for (const [b, key] of [
      [byIp, ipOf(req)],
      [byName, u.username],
    ] as const) {
      const t = b?.take(key);
      if (t && !t.ok) throw rateLimited(t, 'password attempts');
    }
    if (!(await verifyPassword(u.passwordHash, body.currentPassword))) {
      await audit(req, u.id, 'password.failed', u.id);
      throw new AppError(ErrorCode.FORBIDDEN, 'The current password is wrong', { field: 'currentPassword' });
    }
    const next = await store.users.update(u.id, { passwordHash: await hashPassword(body.newPassword) });
    if (!next) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Log in first: POST /api/v1/auth/login');
    // Every other session ends, its open /live sockets too (this page's socket reconnects with the fresh cookie).
    ctx.live.endSessions(u.id);
    await audit(req, u.id, 'password.change', u.id);
    const { token, expiresAt } = await tokens.issue({ userId: next.id, version: next.tokenVersion });
    setSessionCookie(req, res, token, expiresAt);
    res.json({ user: publicUser(next), token, expiresAt } satisfies LoginResponse);
  });

  const userId = (raw: unknown) => {
    const p = Id.safeParse(raw);
    if (!p.success) throw notFound('User', String(raw));
    return p.data;
  };

  r.get(routePath(api.users.list), async (req, res) => {
    await access.require(req, 'read', { type: 'user' });
    res.json((await store.users.list()).map(publicUser));
  });

  r.post(routePath(api.users.create), async (req, res) => {
    const body = parseOr400(UserCreate, req.body, 'user');
    await access.require(req, 'create', { type: 'user' });
    const u = await store.users.create({
      username: body.username,
      displayName: body.displayName,
      passwordHash: await hashPassword(body.password),
      grant: body.grant,
    });
    res.status(201).location(`/api/v1/users/${u.id}`).json(publicUser(u));
  });

  r.get(routePath(api.users.get), async (req, res) => {
    const id = userId(req.params.id);
    await access.require(req, 'read', { type: 'user', id });
    const u = await store.users.get(id);
    if (!u) throw notFound('User', id);
    res.json(publicUser(u));
  });

  r.patch(routePath(api.users.update), async (req, res) => {
    const id = userId(req.params.id);
    const patch = parseOr400(UserPatch, req.body, 'user patch');
    await access.require(req, 'update', { type: 'user', id });
    const u = await store.users.update(id, {
      ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
      ...(patch.password !== undefined ? { passwordHash: await hashPassword(patch.password) } : {}),
      ...(patch.grant !== undefined ? { grant: patch.grant } : {}),
      ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
    });
    if (!u) throw notFound('User', id);
    access.invalidate({ userId: id });
    // What ends the user's sessions (a new token version) also ends its live sockets, on every node.
    if (patch.password !== undefined || patch.grant !== undefined || patch.disabled === true) ctx.live.endSessions(id);
    res.json(publicUser(u));
  });

  r.delete(routePath(api.users.delete), async (req, res) => {
    const id = userId(req.params.id);
    const p = await access.require(req, 'delete', { type: 'user', id });
    if (p.id === id)
      throw new AppError(ErrorCode.CONFLICT, 'You cannot delete your own account: let another admin do it');
    if (!(await store.users.delete(id))) throw notFound('User', id);
    access.invalidate({ userId: id });
    ctx.live.endSessions(id);
    res.status(204).end();
  });

  r.get(routePath(api.users.audit), async (req, res) => {
    const q = parseOr400(AuditQuery, req.query, 'audit query');
    await access.require(req, 'read', { type: 'audit' });
    res.json(await store.audit.list(q));
  });

  return r;
}
