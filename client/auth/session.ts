import type { LiveScope } from '../../models/protocol.js';
import { scopeOfGrant, type User, type UserGrant } from '../../models/User.js';
import { Event } from '../core/Event.js';
import { fetchMe, type Me } from './authApi.js';

/**
 * The page's idea of who is logged in, shared by the tools that must follow it: the `/live` socket (its principal is
 * fixed at the handshake, so a login must reconnect it) and the controls that only some roles may use.
 */
export const onSessionChanged = new Event<User | null>();

let known: Promise<Me> | null = null;

/** Who is logged in (asked once, then kept until a login or logout says otherwise). */
export function currentSession(): Promise<Me> {
  known ??= fetchMe().catch((err: unknown) => {
    known = null; // a failure is not an answer: ask again next time
    throw err;
  });
  return known;
}

/** A login (or logout) happened: remembers the account and tells every listener. */
export function sessionChanged(user: User | null): void {
  known = Promise.resolve({ user, auth: 'on' });
  onSessionChanged.trigger(user);
}

/** What an account may change, mirroring server/auth/rules.ts for the controls the client shows. */
export type WriteKind = 'alarm.ack' | 'progress';

/**
 * May this session use a write control? Without accounts (AUTH=off) everyone may; a viewer never; an authority only
 * acknowledges alarms (rules.ts). Scope is not checked here: the page only lists what the account may read.
 */
export function mayWrite(me: Me | null, what: WriteKind): boolean {
  if (!me) return false;
  if (me.auth === 'off') return true;
  const g: UserGrant | undefined = me.user?.grant;
  if (!g || g.role === 'viewer') return false;
  if (g.role === 'authority') return what === 'alarm.ack';
  return true;
}

/**
 * The `/live` rooms the map page watches for this session: the widest tier the account reads (the server refuses the
 * city room to anyone who does not read every project, so an enterprise or a project account asking for it got no
 * project, device or alarm pushes on the map). Without accounts, or before a login, the city.
 */
export function liveScopesOf(me: Me | null): LiveScope[] {
  const g = me?.user?.grant;
  if (!g) return [{ kind: 'city' }];
  const s = scopeOfGrant(g);
  switch (s.kind) {
    case 'all':
      return [{ kind: 'city' }];
    case 'region':
      return [{ kind: 'region', regionPrefix: s.regionPrefix }];
    case 'enterprise':
      return [{ kind: 'enterprise', enterpriseId: s.enterpriseId }];
    case 'projects':
      return s.projectIds.map((projectId) => ({ kind: 'project', projectId }));
  }
}

/** `liveScopesOf` the current session (the city when the session cannot be asked: the subscribe then says why). */
export async function sessionLiveScopes(): Promise<LiveScope[]> {
  return liveScopesOf(await currentSession().catch(() => null));
}
