import { api } from '../../models/api/index.js';
import { Me } from '../../models/api/auth.js';
import { type User, type UserGrant } from '../../models/User.js';
import { ApiError } from '../api/ApiError.js';
import { restAt } from '../api/ApiClient.js';
import { t } from '../i18n/i18n.js';

/** The session's account (`api.auth.me`), or `user: null` with `auth: 'off'` when the server runs without accounts. */
export { Me };

/**
 * Who is logged in. Never triggers the login itself (a 401 here just means "nobody"), and a server without the auth
 * routes (404) counts as auth off.
 */
export async function fetchMe(baseUrl = ''): Promise<Me> {
  try {
    return await restAt(baseUrl).call(api.auth.me, { noLogin: true, what: 'session' });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return { user: null, auth: 'off' };
    if (err instanceof ApiError && err.code === 'unauthenticated') return { user: null, auth: 'on' };
    throw err;
  }
}

/**
 * Logs in: the server sets the httpOnly session cookie; the token in the answer is not kept (the cookie is enough).
 * Like every auth call it is `noLogin`: a failed login must not wait for a login itself.
 */
export async function login(username: string, password: string, baseUrl = ''): Promise<User> {
  return (
    await restAt(baseUrl).call(api.auth.login, { body: { username, password }, noLogin: true, what: 'login answer' })
  ).user;
}

/** Logs out (the same empty JSON body as before the contract: the route reads none). */
export async function logout(baseUrl = ''): Promise<void> {
  await restAt(baseUrl).raw(api.auth.logout, { noLogin: true, raw: { body: '{}', contentType: 'application/json' } });
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
