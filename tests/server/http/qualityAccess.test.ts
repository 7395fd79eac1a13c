import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSWORD, makeProjectFixture, makeUser, type ProjectFixture } from '../../helpers/auth.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let t: TestServer;
let admin: string;
let a: ProjectFixture;
let b: ProjectFixture;

beforeAll(async () => {
  t = await startTestServer({ env: { AUTH: 'on' } });
  await makeUser(t.store, 'root', { role: 'admin' });
  admin = await t.login('root', FIXTURE_PASSWORD);
  const e = await t.api('POST', '/api/v1/enterprises', { name: '质量集团' }, { token: admin });
  a = await makeProjectFixture(t, admin, e.body.id, '370212', '质量 A');
  b = await makeProjectFixture(t, admin, e.body.id, '370212', '质量 B');
}, 120_000);
afterAll(() => t?.close());

describe('data-quality reads follow the device and project read scope', () => {
  it("lets a project user read its own devices' and project's quality, not another project's; a viewer may not PATCH units", async () => {
    await makeUser(t.store, 'site.a', { role: 'project', projectIds: [a.projectId] });
    const pa = await t.login('site.a', FIXTURE_PASSWORD);
    expect((await t.api('GET', `/api/v1/devices/${a.deviceId}/quality`, undefined, { token: pa })).status).toBe(200);
    expect(
      (await t.api('GET', `/api/v1/projects/${a.projectId}/quality`, undefined, { token: pa })).body.devices,
    ).toHaveLength(1);
    // Out of sight is out of existence (issue 14 finding 16): the same 404 as a missing id.
    expect((await t.api('GET', `/api/v1/devices/${b.deviceId}/quality`, undefined, { token: pa })).status).toBe(404);
    expect((await t.api('GET', `/api/v1/projects/${b.projectId}/quality`, undefined, { token: pa })).status).toBe(404);
    expect((await t.api('GET', `/api/v1/devices/${a.deviceId}/quality`)).status).toBe(401);

    await makeUser(t.store, 'look', { role: 'viewer', scope: { kind: 'all' } });
    const viewer = await t.login('look', FIXTURE_PASSWORD);
    expect((await t.api('GET', `/api/v1/projects/${b.projectId}/quality`, undefined, { token: viewer })).status).toBe(
      200,
    );
    expect(
      (await t.api('PATCH', `/api/v1/devices/${a.deviceId}`, { scale: { loadT: 0.001 } }, { token: viewer })).status,
    ).toBe(403);
    const ok = await t.api('PATCH', `/api/v1/devices/${a.deviceId}`, { scale: { loadT: 0.001 } }, { token: pa });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.scale).toEqual({ loadT: 0.001 });
  });
});
