import { describe, expect, it } from 'vitest';
import { liveScopesOf, mayWrite } from '../../../client/auth/session.js';
import type { Me } from '../../../client/auth/authApi.js';
import type { UserGrant } from '../../../models/User.js';

const as = (grant: UserGrant): Me => ({
  auth: 'on',
  user: { id: '00000000-0000-4000-8000-000000000001', username: 'u', displayName: 'u', grant } as Me['user'],
});

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
    for (const [me, ack, progress] of cases)
      expect([mayWrite(me, 'alarm.ack'), mayWrite(me, 'progress')], JSON.stringify(me)).toEqual([ack, progress]);
  });
});

describe('liveScopesOf (the /live rooms the map page watches)', () => {
  const E = '00000000-0000-4000-8000-000000000002';
  const P = ['00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004'];
  it('asks for the widest tier the account reads, never the city for a scoped account', () => {
    const cases: [Me | null, unknown][] = [
      [null, [{ kind: 'city' }]],
      [{ auth: 'off', user: null }, [{ kind: 'city' }]],
      [as({ role: 'admin' }), [{ kind: 'city' }]],
      [as({ role: 'viewer', scope: { kind: 'all' } }), [{ kind: 'city' }]],
      [as({ role: 'authority', regionPrefix: '3702' }), [{ kind: 'region', regionPrefix: '3702' }]],
      [
        as({ role: 'viewer', scope: { kind: 'region', regionPrefix: '370212' } }),
        [{ kind: 'region', regionPrefix: '370212' }],
      ],
      [as({ role: 'enterprise', enterpriseId: E }), [{ kind: 'enterprise', enterpriseId: E }]],
      [
        as({ role: 'viewer', scope: { kind: 'enterprise', enterpriseId: E } }),
        [{ kind: 'enterprise', enterpriseId: E }],
      ],
      [as({ role: 'project', projectIds: P }), P.map((projectId) => ({ kind: 'project', projectId }))],
    ];
    for (const [me, scopes] of cases) expect(liveScopesOf(me), JSON.stringify(me)).toEqual(scopes);
  });
});
