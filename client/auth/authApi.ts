import { z } from 'zod';
import { LoginResponse, User, type UserGrant } from '../../models/User.js';
import { ApiError, parseAnswer, requestJson } from '../api/ApiError.js';
import { t } from '../i18n/i18n.js';

/**
 * `GET /api/v1/auth/me`: the account of the session, or `user: null` with `auth: 'off'` when the server runs without
 * accounts. Composed from the User schema of models/ (the router answers this shape without a schema of its own).
 */
export const Me = z.object({ user: User.nullable(), auth: z.enum(['on', 'off']) });
export type Me = z.infer<typeof Me>;

/**
 * Who is logged in. Never triggers the login itself (a 401 here just means "nobody"), and a server without the auth
 * routes (404) counts as auth off.
 */
export async function fetchMe(baseUrl = ''): Promise<Me> {
  try {
    const body = await requestJsonNoLogin(`${baseUrl}/api/v1/auth/me`);
    return parseAnswer(Me, body, 'session');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return { user: null, auth: 'off' };
    if (err instanceof ApiError && err.code === 'unauthenticated') return { user: null, auth: 'on' };
    throw err;
  }
}

/** Logs in: the server sets the httpOnly session cookie; the token in the answer is not kept (the cookie is enough). */
export async function login(username: string, password: string, baseUrl = ''): Promise<User> {
  const body = await requestJsonNoLogin(`${baseUrl}/api/v1/auth/login`, { method: 'POST', body: { username, password } });
  return parseAnswer(LoginResponse, body, 'login answer').user;
}

export async function logout(baseUrl = ''): Promise<void> {
  await requestJsonNoLogin(`${baseUrl}/api/v1/auth/logout`, { method: 'POST', body: {} });
}

/** A short label of what an account may see: "authority · 3702". */
export function grantLabel(g: UserGrant): string {
  switch (g.role) {
    case 'admin':
      return t('role.admin');
    case 'authority':
      return `${t('role.authority')} · ${g.regionPrefix}`;
    case 'enterprise':
      return t('role.enterprise');
    case 'project':
      return `${t('role.project')} · ${g.projectIds.length}`;
    case 'viewer':
      return t('role.viewer');
  }
}

// Auth calls must not wait for a login themselves (a failed login would wait for itself).
function requestJsonNoLogin(url: string, opts: Parameters<typeof requestJson>[1] = {}): Promise<unknown> {
  return requestJson(url, { ...opts, noLogin: true });
}
