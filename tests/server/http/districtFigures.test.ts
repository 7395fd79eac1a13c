import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DistrictFiguresResponse, type DistrictFigures } from '../../../models/District.js';
import { FIXTURE_PASSWORD, makeProjectFixture, makeUser } from '../../helpers/auth.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

// Districts as a layer of the city tier: each district's figures over the projects the requester may read.
let t: TestServer;
let admin: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestServer({ env: { AUTH: 'on' } });
  await makeUser(t.store, 'root', { role: 'admin' });
  admin = await t.login('root', FIXTURE_PASSWORD);
  const e1 = (await t.api('POST', '/api/v1/enterprises', { name: '甲建设' }, { token: admin })).body.id;
  const e2 = (await t.api('POST', '/api/v1/enterprises', { name: '乙建设' }, { token: admin })).body.id;
  await makeProjectFixture(t, admin, e1, '370202', '甲-市南');
  const p2 = await makeProjectFixture(t, admin, e2, '370212', '乙-崂山');
  await makeProjectFixture(t, admin, e2, '370212', '乙-崂山二');
  await t.api('PATCH', `/api/v1/projects/${p2.projectId}`, { status: 'suspended' }, { token: admin });
  await makeUser(t.store, 'u.authority', { role: 'authority', regionPrefix: '370212' });
  await makeUser(t.store, 'u.enterprise', { role: 'enterprise', enterpriseId: e1 });
  tokens.authority = await t.login('u.authority', FIXTURE_PASSWORD);
  tokens.enterprise = await t.login('u.enterprise', FIXTURE_PASSWORD);
}, 120_000);
afterAll(() => t?.close());

async function figures(token?: string) {
  const r = await t.api('GET', '/api/v1/districts/figures', undefined, token ? { token } : {});
  return r;
}
const byCode = (ds: DistrictFigures[]) => new Map(ds.map((d) => [d.code, d]));

describe('GET /api/v1/districts/figures', () => {
  it('answers 401 without a session', async () => {
    expect((await figures()).status).toBe(401);
  });

  it('gives every district of the city with its figures (admin reads all)', async () => {
    const r = await figures(admin);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const body = DistrictFiguresResponse.parse(r.body);
    expect(body.districts.length).toBe(10);
    const d = byCode(body.districts);
    expect(d.get('370202')).toMatchObject({ name: '市南区', projects: 1, underConstruction: 1, openAlarms: 1 });
    expect(d.get('370212')).toMatchObject({ name: '崂山区', projects: 2, underConstruction: 1, openAlarms: 2 });
    expect(d.get('370215')).toMatchObject({ name: '即墨区', projects: 0, openAlarms: 0 });
    expect(body.regionPrefix).toBeNull();
  });

  it('respects the scope of the project list: an enterprise sees its projects only, an authority its region', async () => {
    const e = DistrictFiguresResponse.parse((await figures(tokens.enterprise)).body);
    expect(byCode(e.districts).get('370202')).toMatchObject({ projects: 1, openAlarms: 1 });
    expect(byCode(e.districts).get('370212')).toMatchObject({ projects: 0, openAlarms: 0, underConstruction: 0 });
    const a = DistrictFiguresResponse.parse((await figures(tokens.authority)).body);
    expect(a.regionPrefix).toBe('370212');
    expect(byCode(a.districts).get('370212')).toMatchObject({ projects: 2, openAlarms: 2 });
    expect(byCode(a.districts).get('370202')).toMatchObject({ projects: 0, openAlarms: 0 });
  });
});
