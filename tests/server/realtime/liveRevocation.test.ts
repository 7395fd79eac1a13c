import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROTOCOL_VERSION,
  type LiveAck,
  type LiveClientToServer,
  type LiveServerMessage,
  type LiveServerToClient,
} from '../../../models/protocol.js';
import type { UserPatch } from '../../../models/User.js';
import { SessionTokens } from '../../../server/auth/sessions.js';
import { FIXTURE_PASSWORD, makeProjectFixture, makeUser, type ProjectFixture } from '../../helpers/auth.js';
import { createTestDatabase, jsonFetch, startChildServer, type ChildServer } from '../../helpers/childServer.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

// Issue 14 finding 3: a password change, a disable, a scope (grant) change or a delete ends every open /live socket of
// that user within seconds (5 s here), a blinked socket is not brought back by connection state recovery, and an
// expired session stops being served.
type LiveSocket = Socket<LiveServerToClient, LiveClientToServer>;
const SECRET = 'live-revocation-test-secret-0123456789abcdef';

/** A viewer as the browser's LiveClient is: reconnects by itself, with connection state recovery. */
function viewer(url: string, token: string, reconnection = true): { s: LiveSocket; got: LiveServerMessage[] } {
  const s: LiveSocket = ioClient(`${url}/live`, {
    auth: { protocolVersion: PROTOCOL_VERSION, token },
    transports: ['websocket'],
    forceNew: true,
    reconnection,
    reconnectionDelay: 50,
    reconnectionDelayMax: 50,
  });
  const got: LiveServerMessage[] = [];
  s.on('msg', (m) => got.push(m));
  return { s, got };
}
const connected = (s: LiveSocket) =>
  new Promise<void>((r, j) => (s.connected ? r() : (s.once('connect', () => r()), s.once('connect_error', j))));
const subscribe = (s: LiveSocket, projectId: string) =>
  s.timeout(5000).emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId } }) as Promise<LiveAck>;
const readingsOf = (got: LiveServerMessage[], deviceId: string) =>
  got.filter((m) => m.type === 'telemetry.batch' && m.readings.some((r) => r.deviceId === deviceId)).length;

let t: TestServer;
let admin: string;
let E1: string;
let E2: string;
let P1: ProjectFixture;
let seq = 1000;
const ingest = (f: ProjectFixture) =>
  t.api(
    'POST',
    '/api/v1/ingest',
    [{ deviceId: f.deviceId, seq: seq++, time: Date.now(), values: { loadT: 3, ratedLoadT: 8 } }],
    { token: f.apiKey },
  );

beforeAll(async () => {
  t = await startTestServer({ env: { AUTH: 'on', AUTH_SECRET: SECRET } });
  await makeUser(t.store, 'root', { role: 'admin' });
  admin = await t.login('root', FIXTURE_PASSWORD);
  E1 = (await t.api('POST', '/api/v1/enterprises', { name: '甲建设' }, { token: admin })).body.id;
  E2 = (await t.api('POST', '/api/v1/enterprises', { name: '乙建设' }, { token: admin })).body.id;
  P1 = await makeProjectFixture(t, admin, E1, '370202', '甲-市南');
}, 120_000);
afterAll(() => t?.close());

const REVOCATIONS: Array<[string, (id: string, token: string) => Promise<unknown>]> = [
  ['password change', (id) => patch(id, { password: 'a-brand-new-password' })],
  ['disable', (id) => patch(id, { disabled: true })],
  ['scope (grant) change', (id) => patch(id, { grant: { role: 'enterprise', enterpriseId: E2 } })],
  [
    'delete',
    async (id) => expect((await t.api('DELETE', `/api/v1/users/${id}`, undefined, { token: admin })).status).toBe(204),
  ],
  // The user's own change (POST /auth/password) ends its other sessions, its open sockets included.
  [
    'own password change',
    async (_id, token) =>
      expect(
        (
          await t.api(
            'POST',
            '/api/v1/auth/password',
            { currentPassword: FIXTURE_PASSWORD, newPassword: 'my-own-new-password' },
            { token },
          )
        ).status,
      ).toBe(200),
  ],
];
async function patch(id: string, body: UserPatch) {
  expect((await t.api('PATCH', `/api/v1/users/${id}`, body, { token: admin })).status).toBe(200);
}

describe('/live revocation', () => {
  for (const [what, revoke] of REVOCATIONS) {
    it(`${what}: every open socket of the user is cut within 5 s, recovery does not bring it back, no room can be joined`, async () => {
      const name = `u.${what.replace(/\W+/g, '-')}`;
      const userId = await makeUser(t.store, name, { role: 'enterprise', enterpriseId: E1 });
      const token = await t.login(name, FIXTURE_PASSWORD);
      const a = viewer(t.url, token);
      const b = viewer(t.url, token);
      // The third blinks (its transport drops) just before the revocation and comes back after it with its session id
      // and offset, asking for connection state recovery (it reconnects when told, so always after the revocation).
      const c = viewer(t.url, token, false);
      for (const v of [a, b, c]) {
        await connected(v.s);
        expect(await subscribe(v.s, P1.projectId)).toEqual({ ok: true });
      }
      expect((await ingest(P1)).status).toBe(200);
      await expect.poll(() => [a, b, c].every((v) => readingsOf(v.got, P1.deviceId) > 0)).toBe(true);

      await new Promise<void>((r) => {
        c.s.once('disconnect', () => r());
        c.s.io.engine.close();
      });
      await revoke(userId, token);
      // Cut: a and b are disconnected by the server (a revoked socket cannot stay re-scoped to rooms it lost).
      await expect.poll(() => [a.s.connected, b.s.connected], { timeout: 5000 }).toEqual([false, false]);
      // c comes back without its old session's rooms and missed packets.
      c.s.connect();
      await connected(c.s);
      expect(c.s.recovered).toBe(false);

      // Readings keep flowing: none reaches any of the three.
      const before = [a, b, c].map((v) => readingsOf(v.got, P1.deviceId));
      for (let i = 0; i < 3; i++) {
        expect((await ingest(P1)).status).toBe(200);
        await new Promise((r) => setTimeout(r, 200));
      }
      // And no room can be joined again with the old session, on a new connection or on the blinked one.
      for (const v of [a, b]) {
        v.s.connect();
        await connected(v.s);
        expect(await subscribe(v.s, P1.projectId)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
      }
      expect(await subscribe(c.s, P1.projectId)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
      expect((await ingest(P1)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 400));
      expect([a, b, c].map((v) => readingsOf(v.got, P1.deviceId))).toEqual(before);
      for (const v of [a, b, c]) v.s.close();
    });
  }

  it('a scope change re-scopes: after logging in again the user watches its new scope only', async () => {
    const userId = await makeUser(t.store, 'u.rescoped', { role: 'enterprise', enterpriseId: E1 });
    await patch(userId, { grant: { role: 'enterprise', enterpriseId: E2 } });
    const v = viewer(t.url, await t.login('u.rescoped', FIXTURE_PASSWORD));
    await connected(v.s);
    expect(await subscribe(v.s, P1.projectId)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    v.s.close();
  });

  it('a session whose token expires stops being served', async () => {
    const userId = await makeUser(t.store, 'u.expiring', { role: 'enterprise', enterpriseId: E1 });
    const tokens = await SessionTokens.open(t.store, SECRET, 1);
    const version = (await t.store.users.get(userId))!.tokenVersion;
    // Issued an hour ago minus 3 s: it expires 3 s from now.
    const { token } = await tokens.issue({ userId, version }, Date.now() - 3_600_000 + 3000);
    const v = viewer(t.url, token);
    await connected(v.s);
    expect(await subscribe(v.s, P1.projectId)).toEqual({ ok: true });
    await expect.poll(() => v.s.connected, { timeout: 8000 }).toBe(false);
    v.s.connect();
    await connected(v.s);
    expect(await subscribe(v.s, P1.projectId)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    v.s.close();
  });
});

// Two nodes behind the Redis adapter: a revocation made through node A cuts the user's socket on node B.
const base = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!base)
  console.warn(
    'liveRevocation.test.ts: two-node case SKIPPED: set TEST_DATABASE_URL (PostgreSQL + PostGIS) and run Redis',
  );

describe.skipIf(!base)('/live revocation across two nodes (Redis adapter)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: ChildServer;
  let b: ChildServer;
  beforeAll(async () => {
    db = await createTestDatabase(base!);
    const env = {
      DATABASE_URL: db.url,
      AUTH: 'on',
      AUTH_SECRET: SECRET,
      REDIS_URL: redisUrl,
      DATA_DIR: `/tmp/sitetwin-revoke-${process.pid}`,
    };
    a = await startChildServer(env);
    b = await startChildServer(env);
  }, 180_000);
  afterAll(async () => {
    for (const c of [a, b]) if (c && c.proc.exitCode === null) c.kill('SIGTERM');
    await Promise.all([a?.exited, b?.exited]);
    await db?.drop();
  });

  it('disabling a user on node A cuts its socket on node B, and it cannot come back', async () => {
    const password = /password: (\S+)/.exec(a.output() + b.output())?.[1];
    expect(password).toBeDefined();
    const login = async (url: string, username: string, pw: string) => {
      const r = await jsonFetch(`${url}/api/v1/auth/login`, 'POST', { username, password: pw });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body as { token: string; user: { id: string } };
    };
    const root = await login(a.url, 'admin', password!);
    const auth = { authorization: `Bearer ${root.token}` };
    const ent = await jsonFetch(`${a.url}/api/v1/enterprises`, 'POST', { name: `双节点-${Date.now()}` }, auth);
    const p = await jsonFetch(
      `${a.url}/api/v1/projects`,
      'POST',
      {
        name: 'revocation',
        enterpriseId: ent.body.id,
        regionCode: '370212',
        location: { lon: 120.47, lat: 36.1, height: 0 },
        footprint: {
          type: 'Polygon',
          coordinates: [
            [
              [120.469, 36.099],
              [120.471, 36.099],
              [120.471, 36.101],
              [120.469, 36.101],
              [120.469, 36.099],
            ],
          ],
        },
      },
      auth,
    );
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    const u = await jsonFetch(
      `${a.url}/api/v1/users`,
      'POST',
      { username: 'ent.user', password: FIXTURE_PASSWORD, grant: { role: 'enterprise', enterpriseId: ent.body.id } },
      auth,
    );
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    const session = await login(b.url, 'ent.user', FIXTURE_PASSWORD);
    const v = viewer(b.url, session.token);
    await connected(v.s);
    expect(await subscribe(v.s, p.body.id)).toEqual({ ok: true });
    // Node B has looked the user up (and cached it) before the revocation on A.
    expect(
      (
        await jsonFetch(`${b.url}/api/v1/projects/${p.body.id}`, 'GET', undefined, {
          authorization: `Bearer ${session.token}`,
        })
      ).status,
    ).toBe(200);
    expect((await jsonFetch(`${a.url}/api/v1/users/${u.body.id}`, 'PATCH', { disabled: true }, auth)).status).toBe(200);
    await expect.poll(() => v.s.connected, { timeout: 5000 }).toBe(false);
    v.s.connect();
    await connected(v.s);
    expect(await subscribe(v.s, p.body.id)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    v.s.close();
  }, 60_000);
});
