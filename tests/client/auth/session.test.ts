import { describe, expect, it } from 'vitest';
import { mayWrite } from '../../../client/auth/session.js';
import type { Me } from '../../../client/auth/authApi.js';
import type { UserGrant } from '../../../models/User.js';

const as = (grant: UserGrant): Me => ({ auth: 'on', user: { id: '00000000-0000-4000-8000-000000000001', username: 'u', displayName: 'u', grant } as Me['user'] });

describe('mayWrite (the client mirror of server/auth/rules.ts for its write controls)', () => {
  it('offers acknowledging and progress writes by role, as the server allows them', () => {
    const cases: [Me | null, boolean, boolean][] = [
      [{ auth: 'off', user: null }, true, true], // no accounts: everyone acts
      [{ auth: 'on', user: null }, false, false], // not logged in (yet)
      [null, false, false], // session not known
      [as({ role: 'admin' }), true, true],
      [as({ role: 'authority', regionPrefix: '3702' }), true, false],
      [as({ role: 'enterprise', enterpriseId: '00000000-0000-4000-8000-000000000002' }), true, true],
      [as({ role: 'project', projectIds: [] }), true, true],
      [as({ role: 'viewer', scope: { kind: 'all' } }), false, false],
    ];
    for (const [me, ack, progress] of cases) expect([mayWrite(me, 'alarm.ack'), mayWrite(me, 'progress')], JSON.stringify(me)).toEqual([ack, progress]);
  });
});
