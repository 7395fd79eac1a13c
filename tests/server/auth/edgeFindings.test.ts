import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserGrant } from '../../../models/User.js';
import { simCameras } from '../../../server/demo/simulator/mjpeg.js';
import { FIXTURE_PASSWORD, makeProjectFixture, makeUser, type ProjectFixture } from '../../helpers/auth.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { syntheticIfc } from '../ifc/syntheticIfc.js';
import { waitForFragments, waitForModel } from '../ifc/waitForModel.js';

// Issue 14 (trust at the edges): findings 4, 6, 7, 13 and 16, against one AUTH=on server.
const SECRET = randomBytes(32).toString('hex');
let t: TestServer;
let dataDir: string;
let admin: string;
let E1: string;
let E2: string;
/** P1: E1 in Qingdao (370202); P2: E2 in Qingdao (370212); P3: E2 in Beijing (110101). */
let P1: ProjectFixture;
let P2: ProjectFixture;
let P3: ProjectFixture;
const tok: Record<string, string> = {};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-edges-'));
  t = await startTestServer({
    env: {
      AUTH: 'on',
      AUTH_SECRET: SECRET,
      DATA_DIR: dataDir,
      SIMULATE: '1',
      MJPEG_MAX_STREAMS: '3',
      MJPEG_MAX_STREAMS_PER_USER: '2',
    },
  });
  await makeUser(t.store, 'root', { role: 'admin' });
  admin = await t.login('root', FIXTURE_PASSWORD);
  E1 = (await t.api('POST', '/api/v1/enterprises', { name: '甲建设' }, { token: admin })).body.id;
  E2 = (await t.api('POST', '/api/v1/enterprises', { name: '乙建设' }, { token: admin })).body.id;
  P1 = await makeProjectFixture(t, admin, E1, '370202', '甲-市南');
  P2 = await makeProjectFixture(t, admin, E2, '370212', '乙-崂山');
  P3 = await makeProjectFixture(t, admin, E2, '110101', '乙-北京');
  const users: Record<string, UserGrant> = {
    authority: { role: 'authority', regionPrefix: '3702' },
    enterprise: { role: 'enterprise', enterpriseId: E1 },
    project: { role: 'project', projectIds: [P1.projectId] },
    viewer: { role: 'viewer', scope: { kind: 'region', regionPrefix: '370212' } },
  };
  for (const [role, grant] of Object.entries(users)) {
    await makeUser(t.store, `u.${role}`, grant);
    tok[role] = await t.login(`u.${role}`, FIXTURE_PASSWORD);
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const as = (role: string) => (method: string, path: string, body?: unknown) =>
  t.api(method, path, body, { token: role === 'admin' ? admin : tok[role] });

describe('finding 4: who owns and supervises a project', () => {
  it('an enterprise cannot move its project to another region or enterprise; an authority moves it within its region only; admins move it anywhere', async () => {
    const ent = as('enterprise');
    const auth = as('authority');
    const created = await as('admin')('POST', '/api/v1/projects', {
      name: '可迁移工地',
      enterpriseId: E1,
      regionCode: '370202',
      location: { lon: 120.4, lat: 36.07, height: 0 },
      footprint: {
        type: 'Polygon',
        coordinates: [
          [
            [120.4, 36.07],
            [120.401, 36.07],
            [120.401, 36.071],
            [120.4, 36.071],
            [120.4, 36.07],
          ],
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const away = await ent('PATCH', `/api/v1/projects/${id}`, { regionCode: '110101' });
    expect([away.status, away.body.code]).toEqual([403, 'forbidden']);
    const given = await ent('PATCH', `/api/v1/projects/${id}`, { enterpriseId: E2 });
    expect([given.status, given.body.code]).toEqual([403, 'forbidden']);
    // Still the enterprise's and still under the authority's eyes; its own fields stay the enterprise's to change,
    // and restating the current owner is no move.
    expect(
      (await ent('PATCH', `/api/v1/projects/${id}`, { name: '改名工地', regionCode: '370202', enterpriseId: E1 }))
        .status,
    ).toBe(200);
    expect((await auth('GET', `/api/v1/projects/${id}`)).body).toMatchObject({
      regionCode: '370202',
      enterpriseId: E1,
      name: '改名工地',
    });
    // The authority of both regions may hand supervision over; out of its region, or other fields, it may not.
    expect((await auth('PATCH', `/api/v1/projects/${id}`, { regionCode: '370212' })).status).toBe(200);
    expect((await auth('PATCH', `/api/v1/projects/${id}`, { regionCode: '110101' })).status).toBe(403);
    expect((await auth('PATCH', `/api/v1/projects/${id}`, { name: 'x' })).status).toBe(403);
    expect((await as('project')('PATCH', `/api/v1/projects/${P1.projectId}`, { regionCode: '370212' })).status).toBe(
      403,
    );
    const moved = await as('admin')('PATCH', `/api/v1/projects/${id}`, { enterpriseId: E2, regionCode: '110101' });
    expect([moved.status, moved.body.enterpriseId, moved.body.regionCode]).toEqual([200, E2, '110101']);
  });
});

describe('finding 6: simulated camera streams', () => {
  /** Opens a stream; a 200 is left open until `close`, other answers are read. */
  const open = async (token?: string, id = P1.deviceId) => {
    const ac = new AbortController();
    const res = await fetch(`${t.url}/api/v1/sim/cameras/${id}/mjpeg`, {
      signal: ac.signal,
      headers: token ? { cookie: `st_session=${token}` } : {},
    });
    const body = res.status === 200 ? undefined : await res.json();
    return {
      status: res.status,
      body,
      retryAfter: res.headers.get('retry-after'),
      type: res.headers.get('content-type'),
      close: () => ac.abort(),
    };
  };

  it('need a session that reads the camera project, and are capped per user and in total', async () => {
    simCameras.set(P1.deviceId, { seed: 7 });
    const streams: Array<{ close(): void }> = [];
    try {
      expect((await open()).status).toBe(401);
      const unknown = await open(tok.viewer, randomUUID());
      const hidden = await open(tok.viewer); // the viewer reads 370212, not P1
      expect([hidden.status, hidden.body.code]).toEqual([404, 'not_found']);
      expect(unknown.status).toBe(404);
      // The camera panel's <img src> carries the session cookie: it plays for a user who reads the project.
      const a = await open(tok.enterprise);
      streams.push(a);
      expect([a.status, a.type]).toEqual([200, expect.stringMatching(/^multipart\/x-mixed-replace/)]);
      streams.push(await open(tok.enterprise));
      const third = await open(tok.enterprise);
      expect([third.status, third.body.code, Number(third.retryAfter) > 0]).toEqual([429, 'rate_limited', true]);
      const b = await open(admin);
      streams.push(b);
      expect(b.status).toBe(200);
      const full = await open(tok.authority);
      expect([full.status, full.body.code, Number(full.retryAfter) > 0]).toEqual([503, 'overloaded', true]);
      // A closed stream frees its place.
      a.close();
      await expect
        .poll(
          async () => {
            const s = await open(tok.authority);
            if (s.status === 200) streams.push(s);
            return s.status;
          },
          { timeout: 5000 },
        )
        .toBe(200);
    } finally {
      for (const s of streams) s.close();
      simCameras.delete(P1.deviceId);
    }
  });
});

describe('finding 7: saved tours are read and written under the scope of the projects they visit', () => {
  const vp = (projectId: string | undefined, caption: string) => ({
    lon: 120.47,
    lat: 36.09,
    height: 300,
    headingDeg: 0,
    pitchDeg: -35,
    caption,
    ...(projectId ? { projectId } : {}),
  });

  it('city tours: listed and read only when every stop is readable; written by admins only', async () => {
    const wide = await as('admin')('POST', '/api/v1/tours', {
      name: '全市',
      viewpoints: [vp(P1.projectId, '市南'), vp(P3.projectId, '北京机密说明')],
    });
    expect(wide.status).toBe(201);
    const region = await as('admin')('POST', '/api/v1/tours', {
      name: '青岛',
      viewpoints: [vp(P1.projectId, '市南'), vp(P2.projectId, '崂山')],
    });
    const auth = as('authority');
    const listed = await auth('GET', '/api/v1/tours');
    expect(listed.status).toBe(200);
    expect(listed.body.map((x: { id: string }) => x.id)).toEqual([region.body.id]);
    expect(JSON.stringify(listed.body)).not.toContain('北京机密说明');
    expect((await auth('GET', `/api/v1/tours/${wide.body.id}`)).status).toBe(404);
    expect((await auth('PATCH', `/api/v1/tours/${wide.body.id}`, { name: 'x' })).status).toBe(404);
    expect((await auth('GET', `/api/v1/tours/${region.body.id}`)).status).toBe(200);
    expect((await auth('PATCH', `/api/v1/tours/${region.body.id}`, { name: 'x' })).status).toBe(403);
    expect((await auth('POST', '/api/v1/tours', { name: 'mine', viewpoints: [vp(P1.projectId, 'a')] })).status).toBe(
      403,
    );
    // An enterprise sees none of them: it gets the generated tour over its own projects.
    const ent = await as('enterprise')('GET', '/api/v1/tours');
    expect(ent.body.map((x: { id: string }) => x.id)).toEqual(['default-city']);
    expect(ent.body[0].viewpoints.map((v: { projectId: string }) => v.projectId)).toEqual([P1.projectId]);
    expect((await as('admin')('GET', '/api/v1/tours')).body.map((x: { id: string }) => x.id).sort()).toEqual(
      [wide.body.id, region.body.id].sort(),
    );
  });

  it('project tours: a stop in another project needs that project too, to read and to write', async () => {
    const ent = as('enterprise');
    const own = await ent('POST', `/api/v1/projects/${P1.projectId}/tours`, {
      name: '自己的',
      viewpoints: [vp(undefined, '大门'), vp(P1.projectId, '塔吊')],
    });
    expect(own.status).toBe(201);
    expect(
      (
        await ent('POST', `/api/v1/projects/${P1.projectId}/tours`, {
          name: '越界',
          viewpoints: [vp(P2.projectId, '别人的')],
        })
      ).status,
    ).toBe(403);
    expect(
      (await ent('PATCH', `/api/v1/tours/${own.body.id}`, { viewpoints: [vp(P2.projectId, '别人的')] })).status,
    ).toBe(403);
    expect((await ent('PATCH', `/api/v1/tours/${own.body.id}`, { name: '改名' })).status).toBe(200);
    const mixed = await as('admin')('POST', `/api/v1/projects/${P1.projectId}/tours`, {
      name: '联合',
      viewpoints: [vp(P1.projectId, 'a'), vp(P3.projectId, '北京')],
    });
    expect(mixed.status).toBe(201);
    const list = await ent('GET', `/api/v1/projects/${P1.projectId}/tours`);
    expect(list.body.map((x: { id: string }) => x.id)).toContain(own.body.id);
    expect(list.body.map((x: { id: string }) => x.id)).not.toContain(mixed.body.id);
    expect((await ent('GET', `/api/v1/tours/${mixed.body.id}`)).status).toBe(404);
    expect((await ent('DELETE', `/api/v1/tours/${mixed.body.id}`)).status).toBe(404);
    expect((await as('admin')('GET', `/api/v1/tours/${mixed.body.id}`)).status).toBe(200);
  });
});

describe('finding 13: tenant files are cached privately', () => {
  it('.frag, .glb and tileset.json of a model are sent Cache-Control: private', async () => {
    const up = await fetch(`${t.url}/api/v1/projects/${P1.projectId}/models?filename=two.ifc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/octet-stream' },
      body: syntheticIfc({ walls: 2 }),
    });
    expect(up.status).toBe(202);
    const id = ((await up.json()) as { id: string }).id;
    const poll = { ...t, api: (m: string, p: string, b?: unknown) => t.api(m, p, b, { token: admin }) } as TestServer;
    expect((await waitForModel(poll, id)).status).toBe('ready');
    expect((await waitForFragments(poll, id)).fragments).toBe('ready');
    const get = (path: string) =>
      fetch(`${t.url}/api/v1/models/${id}${path}`, { headers: { authorization: `Bearer ${tok.enterprise}` } });
    const tileset = await get('/tiles/tileset.json');
    expect(tileset.status).toBe(200);
    const glbName = /"uri"\s*:\s*"([A-Za-z0-9_-]+\.glb)"/.exec(await tileset.text())![1];
    const glb = await get(`/tiles/${glbName}`);
    const frag = await get('/model.frag');
    for (const r of [tileset, glb, frag]) {
      expect(r.status).toBe(200);
      const cc = r.headers.get('cache-control')!;
      expect(cc).toMatch(/\bprivate\b/);
      expect(cc).not.toMatch(/\bpublic\b/);
    }
    await Promise.all([glb.arrayBuffer(), frag.arrayBuffer()]);
  }, 120_000);
});

describe('finding 16: passwords, token expiry, and ids out of sight', () => {
  it('a user changes its own password: the current one is checked, other sessions end, this one goes on, it is audited', async () => {
    const uid = await makeUser(t.store, 'pwuser', { role: 'viewer', scope: { kind: 'all' } });
    const a = await t.login('pwuser', FIXTURE_PASSWORD);
    const b = await t.login('pwuser', FIXTURE_PASSWORD);
    const wrong = await t.api(
      'POST',
      '/api/v1/auth/password',
      { currentPassword: 'not-my-password', newPassword: 'a-brand-new-password' },
      { token: a },
    );
    expect([wrong.status, wrong.body.code]).toEqual([403, 'forbidden']);
    const short = await t.api(
      'POST',
      '/api/v1/auth/password',
      { currentPassword: FIXTURE_PASSWORD, newPassword: 'short' },
      { token: a },
    );
    expect([short.status, short.body.code]).toEqual([400, 'validation_failed']);
    const ok = await t.api(
      'POST',
      '/api/v1/auth/password',
      { currentPassword: FIXTURE_PASSWORD, newPassword: 'a-brand-new-password' },
      { token: a },
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/^st_session=/);
    expect((await t.api('GET', '/api/v1/auth/me', undefined, { token: b })).status).toBe(401);
    expect((await t.api('GET', '/api/v1/auth/me', undefined, { token: a })).status).toBe(401);
    expect((await t.api('GET', '/api/v1/auth/me', undefined, { token: ok.body.token })).body.user.username).toBe(
      'pwuser',
    );
    await expect(t.login('pwuser', FIXTURE_PASSWORD)).rejects.toThrow(/401/);
    await t.login('pwuser', 'a-brand-new-password');
    expect(
      (await t.api('POST', '/api/v1/auth/password', { currentPassword: 'x', newPassword: 'a-brand-new-password' }))
        .status,
    ).toBe(401);
    await expect
      .poll(
        async () =>
          (await as('admin')('GET', '/api/v1/audit?action=password.change')).body.map(
            (e: { actor: string }) => e.actor,
          ),
        { timeout: 5000 },
      )
      .toEqual([uid]);
    const audit = JSON.stringify((await as('admin')('GET', '/api/v1/audit?action=password.change')).body);
    expect(audit).not.toContain('a-brand-new-password');
  });

  it('a token without an expiry is refused', async () => {
    const u = (await t.store.users.findByUsername('u.viewer'))!;
    const key = new TextEncoder().encode(SECRET);
    const sign = (exp: boolean) => {
      const j = new SignJWT({ ver: u.tokenVersion })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(u.id)
        .setIssuer('site-twin')
        .setIssuedAt();
      return (exp ? j.setExpirationTime('1h') : j).sign(key);
    };
    expect((await t.api('GET', '/api/v1/auth/me', undefined, { token: await sign(true) })).status).toBe(200);
    expect((await t.api('GET', '/api/v1/auth/me', undefined, { token: await sign(false) })).status).toBe(401);
  });

  it('a project-scoped id the user may not read answers exactly like a missing one; 403 stays for read-but-not-write', async () => {
    const ent = as('enterprise');
    const missing = randomUUID();
    for (const [what, path] of [
      ['project', (id: string) => `/api/v1/projects/${id}`],
      ['device', (id: string) => `/api/v1/devices/${id}`],
      ['model', (id: string) => `/api/v1/models/${id}`],
      ['alarms', (id: string) => `/api/v1/projects/${id}/alarms`],
    ] as const) {
      const id = { project: P2.projectId, device: P2.deviceId, model: P2.modelId, alarms: P2.projectId }[what];
      const hidden = await ent('GET', path(id));
      const none = await ent('GET', path(missing));
      expect([what, hidden.status]).toEqual([what, 404]);
      expect(hidden.body).toEqual({ ...none.body, message: none.body.message.replace(missing, id), details: { id } });
    }
    expect((await ent('PATCH', `/api/v1/devices/${P2.deviceId}`, { name: 'x' })).status).toBe(404);
    // Readable but not writable: still 403.
    expect((await ent('DELETE', `/api/v1/projects/${P1.projectId}`)).status).toBe(403);
    expect((await as('viewer')('PATCH', `/api/v1/devices/${P2.deviceId}`, { name: 'x' })).status).toBe(403);
  });
});
