import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { jwtVerify, SignJWT } from 'jose';
import type { Store } from '../store/Store.js';

/** Name of the httpOnly session cookie. */
export const SESSION_COOKIE = 'st_session';
const ISSUER = 'site-twin';
const SECRET_KEY = 'auth_secret';

/** What a session token says: the user and the token version it was issued under. */
export interface SessionClaims {
  userId: string;
  version: number;
  /** Epoch ms (set by `verify`, from the token's `exp`). */
  expiresAt?: number;
}

/**
 * Session tokens: HS256 JWTs (jose) carrying the user id and its token version. The secret is AUTH_SECRET, or a
 * random one that the first node keeps in the store (`app_meta`), so every node of a cluster verifies every token.
 */
export class SessionTokens {
  private constructor(
    private readonly key: Uint8Array,
    readonly ttlMs: number,
  ) {}

  static async open(store: Store, configured: string | undefined, ttlHours: number): Promise<SessionTokens> {
    let secret = configured;
    if (!secret) {
      await store.meta.setOnce(SECRET_KEY, { secret: randomBytes(48).toString('base64url') });
      secret = (await store.meta.get<{ secret: string }>(SECRET_KEY))!.secret;
    }
    return new SessionTokens(new TextEncoder().encode(secret), ttlHours * 3_600_000);
  }

  async issue(c: SessionClaims, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
    const expiresAt = now + this.ttlMs;
    const token = await new SignJWT({ ver: c.version })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(c.userId)
      .setIssuer(ISSUER)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The claims of a valid, unexpired token, or null. A token without `exp` never expires: refused (jose checks exp only when present). */
  async verify(token: string): Promise<SessionClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'sub'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.ver !== 'number') return null;
      return {
        userId: payload.sub,
        version: payload.ver,
        ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}),
      };
    } catch {
      return null;
    }
  }
}

/** The value of one cookie in a `Cookie` header. */
export function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  const h = Array.isArray(header) ? header.join('; ') : header;
  if (!h) return undefined;
  for (const part of h.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The session token of a request: `Authorization: Bearer <jwt>` or the session cookie. Device keys (`stk_…`) travel
 * in the same header on the ingest path; they are not JWTs and are ignored here.
 */
export function tokenOf(
  headers: Record<string, string | string[] | undefined>,
  authToken?: unknown,
): string | undefined {
  if (typeof authToken === 'string' && authToken) return authToken;
  const a = headers.authorization;
  const h = Array.isArray(a) ? a[0] : a;
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  if (m && m[1]!.split('.').length === 3) return m[1];
  return cookieValue(headers.cookie, SESSION_COOKIE);
}

/** Sets the session cookie: httpOnly (no script reads it), SameSite=Lax (no cross-site POST carries it). */
export function setSessionCookie(req: Request, res: Response, token: string, expiresAt: number): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
}
