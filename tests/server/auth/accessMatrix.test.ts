import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type LiveServerMessage } from '../../../models/protocol.js';
import type { UserGrant } from '../../../models/User.js';
import { FIXTURE_PASSWORD, makeProjectFixture, makeUser, type ProjectFixture } from '../../helpers/auth.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

// Acceptance 1: for every resource type and every role, one allowed and one forbidden request, over HTTP and /live.
let t: TestServer;
let admin: string;
let E1: string;
let E2: string;
/** P1: E1 in Qingdao (370202); P2: E2 in Qingdao (370212); P3: E2 in Beijing (110101). */
let P1: ProjectFixture;
let P2: ProjectFixture;
let P3: ProjectFixture;
const tokens: Record<string, string> = {};

interface RoleCase {
  role: string;
  grant: () => UserGrant;
  allowed: () => ProjectFixture;
  forbidden: () => ProjectFixture;
  /** A write the role may do, and one it may not (method, path, body). */
  write: () => { ok: [string, string, unknown]; no: [string, string, unknown] };
  city: boolean;
  /** Every project the role sees (for the room checks). */
  sees: () => ProjectFixture[];
}

const patchDevice = (f: ProjectFixture): [string, string, unknown] => [
  'PATCH',
  `/api/v1/devices/${f.deviceId}`,
  { name: `renamed ${Date.now()}` },
];
const CASES: RoleCase[] = [
  {
    role: 'admin',
    grant: () => ({ role: 'admin' }),
    allowed: () => P3,
    forbidden: () => P3,
    write: () => ({ ok: patchDevice(P3), no: ['GET', '/api/v1/users', undefined] }),
    city: true,
    sees: () => [P1, P2, P3],
  },
  {
    role: 'authority',
    grant: () => ({ role: 'authority', regionPrefix: '3702' }),
    allowed: () => P1,
    forbidden: () => P3,
    write: () => ({ ok: ['POST', `/api/v1/alarms/${P1.alarmId}/ack`, { by: 'inspector' }], no: patchDevice(P1) }),
    city: false,
    sees: () => [P1, P2],
  },
  {
    role: 'enterprise',
    grant: () => ({ role: 'enterprise', enterpriseId: E1 }),
    allowed: () => P1,
    forbidden: () => P2,
    write: () => ({ ok: patchDevice(P1), no: ['DELETE', `/api/v1/projects/${P1.projectId}`, undefined] }),
    city: false,
    sees: () => [P1],
  },
  {
    role: 'project',
    grant: () => ({ role: 'project', projectIds: [P1.projectId] }),
    allowed: () => P1,
    forbidden: () => P2,
    write: () => ({ ok: patchDevice(P1), no: ['PATCH', `/api/v1/projects/${P1.projectId}`, { name: 'x' }] }),
    city: false,
    sees: () => [P1],
  },
  {
    role: 'viewer',
    grant: () => ({ role: 'viewer', scope: { kind: 'region', regionPrefix: '370212' } }),
    allowed: () => P2,
    forbidden: () => P1,
    write: () => ({ ok: ['GET', `/api/v1/projects/${P2.projectId}/progress`, undefined], no: patchDevice(P2) }),
    city: false,
    sees: () => [P2],
  },
];

/** One read per resource type, of fixture `f`. */
const READS: Array<[string, (f: ProjectFixture) => string]> = [
  ['project', (f) => `/api/v1/projects/${f.projectId}`],
  ['model', (f) => `/api/v1/models/${f.modelId}`],
  ['element', (f) => `/api/v1/models/${f.modelId}/elements/${encodeURIComponent(f.globalId)}`],
  ['device', (f) => `/api/v1/devices/${f.deviceId}`],
  ['reading', (f) => `/api/v1/devices/${f.deviceId}/latest`],
  ['alarm', (f) => `/api/v1/projects/${f.projectId}/alarms`],
  ['tour', (f) => `/api/v1/tours/${f.tourId}`],
  ['wall', (f) => `/api/v1/kpis?tier=project&id=${f.projectId}`],
];

beforeAll(async () => {
  t = await startTestServer({ env: { AUTH: 'on' } });
  await makeUser(t.store, 'root', { role: 'admin' });
  admin = await t.login('root', FIXTURE_PASSWORD);
  E1 = (await t.api('POST', '/api/v1/enterprises', { name: '甲建设' }, { token: admin })).body.id;
  E2 = (await t.api('POST', '/api/v1/enterprises', { name: '乙建设' }, { token: admin })).body.id;
  P1 = await makeProjectFixture(t, admin, E1, '370202', '甲-市南');
  P2 = await makeProjectFixture(t, admin, E2, '370212', '乙-崂山');
  P3 = await makeProjectFixture(t, admin, E2, '110101', '乙-北京');
  for (const c of CASES) {
    await makeUser(t.store, `u.${c.role}`, c.grant());
    tokens[c.role] = await t.login(`u.${c.role}`, FIXTURE_PASSWORD);
  }
}, 120_000);
afterAll(() => t?.close());

describe('access matrix over HTTP', () => {
  it('without a session every resource answers 401 unauthenticated', async () => {
    for (const [type, path] of READS) {
      const r = await t.api('GET', path(P1));
      expect([type, r.status, r.body.code]).toEqual([type, 401, 'unauthenticated']);
    }
  });

  for (const c of CASES) {
    it(`${c.role}: reads each resource type in scope, none outside`, async () => {
      const token = c.role === 'admin' ? admin : tokens[c.role]!;
      for (const [type, path] of READS) {
        const ok = await t.api('GET', path(c.allowed()), undefined, { token });
        expect([type, 'allowed', ok.status]).toEqual([type, 'allowed', 200]);
        if (c.role === 'admin') {
          // An admin sees everything: the forbidden case is a forged token (signed with another secret).
          const forged = token.slice(0, token.lastIndexOf('.') + 1) + 'A'.repeat(43);
          const no = await t.api('GET', path(c.forbidden()), undefined, { token: forged });
          expect([type, 'forged', no.status]).toEqual([type, 'forged', 401]);
        } else {
          // Out of scope reads like a missing id (404), so an outsider learns nothing about which ids exist.
          const no = await t.api('GET', path(c.forbidden()), undefined, { token });
          expect([type, 'forbidden', no.status, no.body.code]).toEqual([type, 'forbidden', 404, 'not_found']);
        }
      }
      const { ok, no } = c.write();
      const w = await t.api(ok[0], ok[1], ok[2], { token });
      expect([ok[0], ok[1], w.status], JSON.stringify(w.body)).toEqual([ok[0], ok[1], 200]);
      if (c.role !== 'admin') {
        const f = await t.api(no[0], no[1], no[2], { token });
        expect([no[0], no[1], f.status]).toEqual([no[0], no[1], 403]);
      }
    });
  }

  it('lists are narrowed to the scope: projects, enterprises, alarms', async () => {
    const ids = async (role: string, path: string) =>
      ((await t.api('GET', path, undefined, { token: tokens[role] ?? admin })).body as Array<{ id: string }>)
        .map((x) => x.id)
        .sort();
    const all = [P1, P2, P3].map((f) => f.projectId);
    expect(await ids('admin', '/api/v1/projects')).toEqual(expect.arrayContaining(all));
    expect(await ids('authority', '/api/v1/projects')).toEqual([P1.projectId, P2.projectId].sort());
    expect(await ids('enterprise', '/api/v1/projects')).toEqual([P1.projectId]);
    expect(await ids('project', '/api/v1/projects')).toEqual([P1.projectId]);
    expect(await ids('viewer', '/api/v1/projects')).toEqual([P2.projectId]);
    expect(await ids('enterprise', '/api/v1/enterprises')).toEqual([E1]);
    expect(await ids('viewer', '/api/v1/alarms')).toEqual([P2.alarmId]);
  });

  it('walls: an enterprise wall for its enterprise only; the city wall narrowed to an authority region', async () => {
    expect(
      (await t.api('GET', `/api/v1/kpis?tier=enterprise&id=${E1}`, undefined, { token: tokens.enterprise })).status,
    ).toBe(200);
    expect(
      (await t.api('GET', `/api/v1/kpis?tier=enterprise&id=${E2}`, undefined, { token: tokens.enterprise })).status,
    ).toBe(403);
    const city = await t.api('GET', '/api/v1/kpis?tier=city', undefined, { token: tokens.authority });
    expect(city.status).toBe(200);
    expect(city.body.projects.total).toBe(2); // P1 and P2, not Beijing's P3
    expect(
      (await t.api('GET', '/api/v1/kpis?tier=city&id=110000', undefined, { token: tokens.authority })).status,
    ).toBe(403);
    expect((await t.api('GET', '/api/v1/kpis?tier=city', undefined, { token: tokens.enterprise })).status).toBe(403);
  });

  it("walls: figures kept for one caller's scope never answer another's (the KPI cache)", async () => {
    const kpis = async (path: string, role: string) => {
      const r = await t.api('GET', path, undefined, { token: tokens[role] ?? admin });
      return [r.status, r.status === 200 ? r.body.projects.total : null];
    };
    // The admin's whole city and each enterprise are computed first and kept (KPI_CACHE_MS: the push period, 5 s).
    expect(await kpis('/api/v1/kpis?tier=city', 'admin')).toEqual([200, 3]);
    expect(await kpis(`/api/v1/kpis?tier=enterprise&id=${E2}`, 'admin')).toEqual([200, 2]);
    expect(await kpis(`/api/v1/kpis?tier=enterprise&id=${E1}`, 'admin')).toEqual([200, 1]);
    expect(await kpis(`/api/v1/kpis?tier=project&id=${P2.projectId}`, 'admin')).toEqual([200, 1]);
    // Within that window the same requests of narrower callers: their own scope, or refused.
    expect(await kpis('/api/v1/kpis?tier=city', 'authority')).toEqual([200, 2]);
    expect(await kpis('/api/v1/kpis?tier=city&id=37', 'authority')).toEqual([200, 2]);
    expect(await kpis(`/api/v1/kpis?tier=enterprise&id=${E2}`, 'enterprise')).toEqual([403, null]);
    expect(await kpis(`/api/v1/kpis?tier=enterprise&id=${E1}`, 'enterprise')).toEqual([200, 1]);
    expect(await kpis('/api/v1/kpis?tier=city', 'enterprise')).toEqual([403, null]);
    // Another enterprise's project is not found for it, as without any cache.
    expect(await kpis(`/api/v1/kpis?tier=project&id=${P2.projectId}`, 'enterprise')).toEqual([404, null]);
    // And the other way round: the narrower figures kept do not answer the admin's whole city.
    expect(await kpis('/api/v1/kpis?tier=city', 'admin')).toEqual([200, 3]);
  });

  it('users and the audit log are for admins only', async () => {
    expect((await t.api('GET', '/api/v1/users', undefined, { token: admin })).status).toBe(200);
    for (const role of ['authority', 'enterprise', 'project', 'viewer']) {
      expect((await t.api('GET', '/api/v1/audit', undefined, { token: tokens[role] })).status).toBe(403);
      expect(
        (
          await t.api(
            'POST',
            '/api/v1/users',
            { username: `x${role}`, password: 'long-enough-pw', grant: { role: 'admin' } },
            { token: tokens[role] },
          )
        ).status,
      ).toBe(403);
    }
  });
});

describe('access matrix over Socket.IO /live', () => {
  const join = (token: string | undefined, scope: object) =>
    new Promise<{ ok: boolean; error?: { code: string } }>((resolve, reject) => {
      const s = t.live({ protocolVersion: PROTOCOL_VERSION, ...(token ? { token } : {}) });
      s.on('connect_error', reject);
      s.on(
        'connect',
        () => void s.emitWithAck('msg', { type: 'subscribe', scope } as never).then(resolve as never, reject),
      );
    });

  it('without a session no room can be joined', async () => {
    expect(await join(undefined, { kind: 'project', projectId: P1.projectId })).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
  });

  for (const c of CASES) {
    it(`${c.role}: joins its project room and gets that project's pushes only; other rooms refused`, async () => {
      const token = c.role === 'admin' ? admin : tokens[c.role]!;
      const allowed = c.allowed();
      const others = [P1, P2, P3].filter((f) => f.projectId !== allowed.projectId);
      const s = t.live({ protocolVersion: PROTOCOL_VERSION, token });
      const got: LiveServerMessage[] = [];
      s.on('msg', (m) => got.push(m));
      await new Promise<void>((r) => s.on('connect', () => r()));
      expect(
        await s.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId: allowed.projectId } }),
      ).toEqual({ ok: true });
      const sees = new Set(c.sees().map((f) => f.projectId));
      for (const f of others) {
        const r = await s.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId: f.projectId } });
        if (sees.has(f.projectId)) expect(r.ok).toBe(true);
        else expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
      const city = await s.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'city' } });
      expect(city.ok).toBe(c.city);
      // Pushes of every kind for every project: project record, device, reading; only the allowed ones may arrive.
      const seq = 100 + CASES.indexOf(c) * 10;
      for (const f of [P1, P2, P3]) {
        await t.api('PATCH', `/api/v1/projects/${f.projectId}`, { address: `addr ${seq}` }, { token: admin });
        await t.api('PATCH', `/api/v1/devices/${f.deviceId}`, { name: `dev ${seq}` }, { token: admin });
        await t.api(
          'POST',
          '/api/v1/ingest',
          [{ deviceId: f.deviceId, seq, time: Date.now(), values: { loadT: 3, ratedLoadT: 8, momentPct: 30 } }],
          { token: f.apiKey },
        );
      }
      const projectOf = (m: LiveServerMessage): string[] =>
        m.type === 'project.updated'
          ? [m.project.id]
          : m.type === 'device.updated'
            ? [m.device.projectId]
            : m.type === 'telemetry.batch'
              ? m.readings.map((r) => r.projectId)
              : m.type === 'snapshot'
                ? m.devices.map((d) => d.projectId)
                : [];
      await expect
        .poll(
          () =>
            got
              .filter((m) => m.type === 'telemetry.batch')
              .flatMap(projectOf)
              .includes(allowed.projectId),
          { timeout: 5000 },
        )
        .toBe(true);
      expect(got.some((m) => m.type === 'project.updated' && m.project.id === allowed.projectId)).toBe(true);
      expect(got.some((m) => m.type === 'device.updated' && m.device.projectId === allowed.projectId)).toBe(true);
      const seen = new Set(got.flatMap(projectOf));
      expect([...seen].sort()).toEqual([...sees].sort());
      s.close();
    });
  }

  it('enterprise wall room: its own enterprise only', async () => {
    expect(await join(tokens.enterprise, { kind: 'enterprise', enterpriseId: E1 })).toEqual({ ok: true });
    expect(await join(tokens.enterprise, { kind: 'enterprise', enterpriseId: E2 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await join(tokens.authority, { kind: 'enterprise', enterpriseId: E1 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });
});
