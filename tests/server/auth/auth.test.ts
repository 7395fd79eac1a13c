import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { ensureAdmin } from '../../../server/auth/bootstrap.js';
import { DEMO_PASSWORD, seedDemoAccounts } from '../../../server/demo/accounts.js';
import { verifyPassword } from '../../../server/auth/passwords.js';
import { seedDemoCity } from '../../../server/demo/demoCity.js';
import { openTestStore } from '../../helpers/store.js';
import { FIXTURE_PASSWORD, makeProjectFixture, makeUser, type ProjectFixture } from '../../helpers/auth.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let t: TestServer;
let admin: string;
let adminId: string;
let f: ProjectFixture;

beforeAll(async () => {
  t = await startTestServer({
    env: {
      AUTH: 'on',
      RATE_LIMIT_LOGIN_PER_MIN: '8',
      RATE_LIMIT_API_PER_MIN: '600',
      RATE_LIMIT_DEVICE_PER_S: '5',
      CORS_ORIGINS: 'https://wall.example.org',
      MAX_JSON_KB: '4',
    },
  });
  adminId = await makeUser(t.store, 'root', { role: 'admin' });
  admin = await t.login('root', FIXTURE_PASSWORD);
  const e = await t.api('POST', '/api/v1/enterprises', { name: '审计建设' }, { token: admin });
  f = await makeProjectFixture(t, admin, e.body.id, '370212', '审计工地');
}, 120_000);
afterAll(() => t?.close());

/** POST /auth/login from a chosen local address (node:http: fetch cannot pick one). */
function loginFrom(localAddress: string, username: string, password: string): Promise<{ status: number; body: any }> {
  const data = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: t.server.port,
        path: '/api/v1/auth/login',
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('accounts, sessions and hardening', () => {
  it('login sets an httpOnly SameSite=Lax cookie that works like the bearer token; logout clears it; me tells who', async () => {
    await makeUser(t.store, 'alice', { role: 'viewer', scope: { kind: 'all' } });
    const res = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ALICE', password: FIXTURE_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^st_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const body = (await res.json()) as { user: { username: string; grant: unknown }; token: string };
    expect(body.user).toMatchObject({ username: 'alice', grant: { role: 'viewer' } });
    expect(JSON.stringify(body.user)).not.toMatch(/argon|hash/i);
    const me = await t.api('GET', '/api/v1/auth/me', undefined, { headers: { cookie: cookie.split(';')[0]! } });
    expect(me.body).toMatchObject({ auth: 'on', user: { username: 'alice' } });
    const out = await fetch(`${t.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/st_session=;/);
    expect((await t.api('GET', '/api/v1/auth/me')).status).toBe(401);
  });

  it('a wrong password and an unknown user get the same 401; a password change or disable ends old sessions', async () => {
    const wrong = await t.api('POST', '/api/v1/auth/login', { username: 'root', password: 'not-the-password' });
    const unknown = await t.api('POST', '/api/v1/auth/login', { username: 'nobody', password: 'not-the-password' });
    expect([wrong.status, wrong.body.code, wrong.body.message]).toEqual([401, 'unauthenticated', unknown.body.message]);
    const bobId = await makeUser(t.store, 'bob', { role: 'viewer', scope: { kind: 'all' } });
    const bob = await t.login('bob', FIXTURE_PASSWORD);
    expect((await t.api('GET', '/api/v1/projects', undefined, { token: bob })).status).toBe(200);
    expect(
      (await t.api('PATCH', `/api/v1/users/${bobId}`, { password: 'a-new-long-password' }, { token: admin })).status,
    ).toBe(200);
    expect((await t.api('GET', '/api/v1/projects', undefined, { token: bob })).status).toBe(401);
    const bob2 = await t.login('bob', 'a-new-long-password');
    expect((await t.api('PATCH', `/api/v1/users/${bobId}`, { disabled: true }, { token: admin })).status).toBe(200);
    expect((await t.api('GET', '/api/v1/projects', undefined, { token: bob2 })).status).toBe(401);
  });

  it('admins manage users: create (validated), list, no self-delete', async () => {
    const bad = await t.api(
      'POST',
      '/api/v1/users',
      { username: 'x', password: 'short', grant: { role: 'enterprise' } },
      { token: admin },
    );
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
    const ok = await t.api(
      'POST',
      '/api/v1/users',
      { username: 'carol', password: 'long-enough-pw', grant: { role: 'project', projectIds: [f.projectId] } },
      { token: admin },
    );
    expect(ok.status).toBe(201);
    const dup = await t.api(
      'POST',
      '/api/v1/users',
      { username: 'Carol', password: 'long-enough-pw', grant: { role: 'admin' } },
      { token: admin },
    );
    expect([dup.status, dup.body.code]).toEqual([409, 'duplicate']);
    expect((await t.api('DELETE', `/api/v1/users/${adminId}`, undefined, { token: admin })).status).toBe(409);
  });

  it('audit log: logins, acknowledgements (signed by the account, not the typed name) and configuration changes, newest first, admins only', async () => {
    await t.api('PATCH', `/api/v1/devices/${f.deviceId}`, { name: '审计塔吊' }, { token: admin });
    const th = await t.api(
      'PUT',
      `/api/v1/projects/${f.projectId}/alarm-thresholds`,
      { noise: { nightDb: 50 } },
      { token: admin },
    );
    expect(th.status, JSON.stringify(th.body)).toBe(200);
    // An account signs with its own username, whatever name the body offers.
    const acked = await t.api(
      'POST',
      `/api/v1/alarms/${f.alarmId}/ack`,
      { by: '安全员', comment: '已处理' },
      { token: admin },
    );
    expect([acked.status, acked.body.acknowledgedBy, acked.body.ackComment]).toEqual([200, 'root', '已处理']);
    const actions = async () =>
      (
        (await t.api('GET', '/api/v1/audit?limit=500', undefined, { token: admin })).body as Array<{ action: string }>
      ).map((e) => e.action);
    await expect
      .poll(actions, { timeout: 5000 })
      .toEqual(
        expect.arrayContaining([
          'login.ok',
          'login.failed',
          'device.update',
          'thresholds.update',
          'alarm.ack',
          'project.create',
          'user.create',
          'user.update',
        ]),
      );
    const ack = (await t.api('GET', '/api/v1/audit?action=alarm.ack', undefined, { token: admin })).body[0];
    expect(ack).toMatchObject({ actor: adminId, target: f.alarmId, details: { by: 'root', comment: '已处理' } });
    const failed = (await t.api('GET', '/api/v1/audit?action=login.failed', undefined, { token: admin })).body;
    expect(failed.map((e: { actor: string }) => e.actor)).toEqual(expect.arrayContaining(['root', 'nobody']));
    expect(JSON.stringify(await t.api('GET', '/api/v1/audit?action=user.', undefined, { token: admin }))).not.toContain(
      'a-new-long-password',
    );
  });

  it('security headers with a CSP Cesium can live with; CORS only for listed origins', async () => {
    const r = await fetch(`${t.url}/api/health`, { headers: { origin: 'https://wall.example.org' } });
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("'wasm-unsafe-eval'");
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('access-control-allow-origin')).toBe('https://wall.example.org');
    const other = await fetch(`${t.url}/api/health`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${t.url}/api/v1/projects`, {
      method: 'OPTIONS',
      headers: { origin: 'https://wall.example.org', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
  });

  it('body limits answer 413, and no error answer carries a stack trace', async () => {
    const big = await t.api('POST', '/api/v1/projects', { name: 'x'.repeat(10_000) }, { token: admin });
    expect([big.status, big.body.code]).toEqual([413, 'payload_too_large']);
    const broken = await t.api('POST', '/api/v1/projects', '{"name":', { token: admin });
    expect([broken.status, broken.body.code]).toEqual([400, 'bad_request']);
    for (const r of [big, broken]) expect(JSON.stringify(r.body)).not.toMatch(/at [\w.]+ \(|node_modules|\.ts:\d+/);
  });

  it('wrong passwords from one address do not lock the owner out: limited per address and (address, name), never per name alone', async () => {
    await makeUser(t.store, 'owner', { role: 'viewer', scope: { kind: 'all' } });
    // The server listens on 127.0.0.1; on Linux every 127.x address is this machine, so a client can come from another.
    const attacker = [];
    for (let i = 0; i < 12; i++) attacker.push(await loginFrom('127.0.0.2', 'owner', `guess-${i}`));
    expect(attacker.slice(0, 8).every((r) => r.status === 401)).toBe(true);
    expect(attacker.at(-1)).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    // The owner, from another address, right after: let in.
    const owner = await loginFrom('127.0.0.3', 'OWNER', FIXTURE_PASSWORD);
    expect(owner.status, JSON.stringify(owner.body)).toBe(200);
    expect(owner.body.user.username).toBe('owner');
  });

  it('rate limits: logins per address and name, devices per key; 429 rate_limited with Retry-After', async () => {
    // Burst 8 per address, refilled at 8/min (the file's other logins from 127.0.0.1 share the address bucket): guesses
    // are let in (401) until they outpace the refill and one is refused.
    // Tried until the first refusal (at most 30) rather than a fixed count: a slow, loaded machine refills a token
    // between slow attempts, and the refusal is what is checked, not when it comes.
    const tried: { status: number; body: any; headers: Headers }[] = [];
    while (tried.length < 30 && tried.at(-1)?.status !== 429)
      tried.push(await t.api('POST', '/api/v1/auth/login', { username: 'ratetest', password: 'wrong-password' }));
    expect(tried[0]?.status).toBe(401);
    expect(tried.slice(0, -1).every((r) => r.status === 401)).toBe(true);
    const limited = tried.at(-1)!;
    expect([limited.status, limited.body.code]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // 30 at once from one device key against 5/s with a burst of 10: the burst passes, the rest waits.
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        t.api(
          'POST',
          '/api/v1/ingest',
          [{ deviceId: f.deviceId, seq: 1000 + i, time: Date.now(), values: { loadT: 1, ratedLoadT: 8 } }],
          { token: f.apiKey },
        ),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(10);
    expect(refused.every((a) => a.body.code === 'rate_limited' && Number(a.headers.get('retry-after')) >= 1)).toBe(
      true,
    );
  });

  it('first start: one admin with a one-time password printed (not logged); demo accounts cover every tier', async () => {
    const fresh = await openTestStore();
    try {
      const printed: string[] = [];
      const lines: string[] = [];
      const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
      const pw = await ensureAdmin(fresh.store, log, (s) => printed.push(s));
      expect(pw).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(printed.join('')).toContain(pw!);
      expect(lines.join('')).toContain('first admin created');
      expect(lines.join('')).not.toContain(pw!);
      const stored = await fresh.store.users.findByUsername('admin');
      expect(await verifyPassword(stored!.passwordHash, pw!)).toBe(true);
      expect(await ensureAdmin(fresh.store, log, (s) => printed.push(s))).toBeNull(); // once only
      expect(printed.length).toBe(1);
      await seedDemoCity(fresh.store);
      expect(await seedDemoAccounts(fresh.store, log)).toBeGreaterThanOrEqual(7);
      const users = await fresh.store.users.list();
      expect(new Set(users.map((u) => u.grant.role))).toEqual(
        new Set(['admin', 'authority', 'viewer', 'enterprise', 'project']),
      );
      expect(await verifyPassword(users.find((u) => u.username === 'enterprise1')!.passwordHash, DEMO_PASSWORD)).toBe(
        true,
      );
      expect(await seedDemoAccounts(fresh.store, log)).toBe(0);
    } finally {
      await fresh.cleanup();
    }
  }, 60_000);
});
