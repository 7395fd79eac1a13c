import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import type { LiveServerMessage } from '../../../models/protocol.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let t: TestServer;
let enterpriseId: string;

const body = (name: string, lon = 120.4, lat = 36.07) => ({
  name,
  enterpriseId,
  address: '青岛市',
  regionCode: '370202',
  location: { lon, lat, height: 0 },
  footprint: rectangleAround({ lon, lat }, 100, 60),
  heightM: 50,
});

beforeAll(async () => {
  t = await startTestServer();
  const e = await t.api('POST', '/api/v1/enterprises', { name: '测试建设集团' });
  expect(e.status).toBe(201);
  enterpriseId = e.body.id;
});
afterAll(() => t?.close());

describe('projects API', () => {
  it('creates, lists, gets, patches and deletes a project', async () => {
    const c = await t.api('POST', '/api/v1/projects', body('一号工地'));
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ name: '一号工地', regionCode: '370202', status: 'under_construction', heightM: 50 });
    expect(c.body.location.lon).toBeCloseTo(120.4, 6);
    expect(c.headers.get('location')).toBe(`/api/v1/projects/${c.body.id}`);

    const g = await t.api('GET', `/api/v1/projects/${c.body.id}`);
    expect(g.body.footprint.coordinates[0]).toHaveLength(5);
    expect(g.body.enterpriseName).toBe('测试建设集团');

    const p = await t.api('PATCH', `/api/v1/projects/${c.body.id}`, { status: 'completed', name: '一号工地（竣工）' });
    expect(p.status).toBe(200);
    // fields the patch does not name keep their values
    expect(p.body).toMatchObject({ status: 'completed', name: '一号工地（竣工）', heightM: 50, address: '青岛市' });
    expect(p.body.updatedAt).toBeGreaterThanOrEqual(c.body.updatedAt);

    expect((await t.api('DELETE', `/api/v1/projects/${c.body.id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/v1/projects/${c.body.id}`)).status).toBe(404);
  });

  it('filters by bbox in PostGIS and by text', async () => {
    const a = (await t.api('POST', '/api/v1/projects', body('市南项目', 120.4, 36.07))).body;
    const b = (await t.api('POST', '/api/v1/projects', body('黄岛项目', 120.2, 35.96))).body;
    const inBox = await t.api('GET', '/api/v1/projects?bbox=120.35,36.0,120.45,36.1');
    expect(inBox.body.map((p: { id: string }) => p.id)).toEqual([a.id]);
    // A box that only touches the footprint's edge still finds it (intersects, not contains the centre).
    const edge = await t.api('GET', `/api/v1/projects?bbox=120.2004,35.9599,120.3,36.0`);
    expect(edge.body.map((p: { id: string }) => p.id)).toEqual([b.id]);
    const q = await t.api('GET', `/api/v1/projects?q=${encodeURIComponent('黄岛')}`);
    expect(q.body.map((p: { id: string }) => p.id)).toEqual([b.id]);
    const gj = await t.api('GET', '/api/v1/projects.geojson?bbox=120.1,35.9,120.3,36.0');
    expect(gj.headers.get('content-type')).toContain('application/geo+json');
    expect(gj.body.type).toBe('FeatureCollection');
    expect(gj.body.features).toHaveLength(1);
    expect(gj.body.features[0]).toMatchObject({
      type: 'Feature',
      id: b.id,
      geometry: { type: 'Polygon' },
      properties: { name: '黄岛项目' },
    });
  });

  it('rejects bad input with stable codes and keeps serving', async () => {
    const invalid = await t.api('POST', '/api/v1/projects', {
      ...body('x'),
      regionCode: '37',
      location: { lon: 500, lat: 36 },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('validation_failed');
    const paths = invalid.body.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['regionCode', 'location.lon']));

    const broken = await t.api('POST', '/api/v1/projects', '{"name": ');
    expect(broken).toMatchObject({ status: 400, body: { code: 'bad_request' } });

    for (const bbox of ['1,2,3', 'a,b,c,d', '10,10,5,20', '0,0,200,10']) {
      const r = await t.api('GET', `/api/v1/projects?bbox=${bbox}`);
      expect(r.status, bbox).toBe(400);
      expect(r.body.code, bbox).toBe('bad_bbox');
    }
    expect((await t.api('GET', '/api/v1/projects/00000000-0000-4000-8000-000000000000')).body.code).toBe('not_found');
    expect((await t.api('GET', '/api/v1/projects/not-a-uuid')).status).toBe(404);
    expect((await t.api('PATCH', '/api/v1/projects/00000000-0000-4000-8000-000000000000', { name: 'n' })).status).toBe(
      404,
    );
    expect((await t.api('PATCH', '/api/v1/projects/00000000-0000-4000-8000-000000000000', {})).body.code).toBe(
      'validation_failed',
    );
    const noEnterprise = await t.api('POST', '/api/v1/projects', {
      ...body('y'),
      enterpriseId: '00000000-0000-4000-8000-000000000000',
    });
    expect(noEnterprise).toMatchObject({ status: 409, body: { code: 'conflict' } });
    const dupEnterprise = await t.api('POST', '/api/v1/enterprises', { name: '测试建设集团' });
    expect(dupEnterprise).toMatchObject({ status: 409, body: { code: 'duplicate' } });
    expect((await t.api('GET', '/api/v1/nothing-here')).body.code).toBe('not_found');
    // still serving
    expect((await t.api('GET', '/api/health')).status).toBe(200);
  });

  it('refuses NUL and lone surrogates in text with 400, takes the whole-world bbox, bounds numeric query params', async () => {
    // Each of these answered 500 (issue 14 finding 11): PostgreSQL text cannot hold NUL or a lone surrogate.
    for (const bad of ['a\u0000b', 'a\ud800b', '\udc00']) {
      const p = await t.api('POST', '/api/v1/projects', body(bad));
      expect([p.status, p.body.code], JSON.stringify(bad)).toEqual([400, 'validation_failed']);
      expect(p.body.details.issues[0].path).toBe('name');
      const e = await t.api('POST', '/api/v1/enterprises', { name: bad });
      expect([e.status, e.body.code]).toEqual([400, 'validation_failed']);
    }
    const ok = (await t.api('POST', '/api/v1/projects', body('全球项目', 120.3, 36.0))).body;
    const patch = await t.api('PATCH', `/api/v1/projects/${ok.id}`, { address: 'x\u0000' });
    expect([patch.status, patch.body.code]).toEqual([400, 'validation_failed']);
    const q = await t.api('GET', '/api/v1/projects?q=%00');
    expect([q.status, q.body.code]).toEqual([400, 'validation_failed']);
    // The whole world (PostGIS cannot make a geography box of antipodal edges): every project is in it.
    for (const bbox of ['-180,-90,180,90', '-180,-10,180,10', '0,-90,180,90']) {
      const w = await t.api('GET', `/api/v1/projects?bbox=${bbox}`);
      expect(w.status, `${bbox} ${JSON.stringify(w.body)}`).toBe(200);
    }
    const world = await t.api('GET', '/api/v1/projects?bbox=-180,-90,180,90');
    expect(world.body.map((p: { id: string }) => p.id)).toContain(ok.id);
    const gj = await t.api('GET', '/api/v1/projects.geojson?bbox=-180,-90,180,90');
    expect(gj.body.features.map((f: { id: string }) => f.id)).toContain(ok.id);
    for (const path of [
      '/api/v1/alarms?from=1e20',
      '/api/v1/alarms?to=100000000000000000000',
      '/api/v1/audit?from=1e20',
      '/api/v1/audit?to=-1e20',
      `/api/v1/projects/${ok.id}/state-at?t=1e20`,
      `/api/v1/projects/${ok.id}/alarms?from=1e20`,
    ]) {
      const r = await t.api('GET', path);
      expect(r.status, `${path} ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.code, path).toBe('validation_failed');
    }
  });

  it('answers health with the store kind and versions', async () => {
    const h = await t.api('GET', '/api/health');
    expect(h.body).toMatchObject({ status: 'ok', store: { kind: 'embedded', ok: true } });
    expect(h.body.store.postgis).toMatch(/^3\./);
    expect(h.body.uptimeS).toBeGreaterThanOrEqual(0);
  });
});

describe('/live', () => {
  it('refuses a wrong protocol version with a stable code', async () => {
    const s = t.live({ protocolVersion: 999 });
    const err = await new Promise<any>((resolve) => s.on('connect_error', resolve));
    expect(err.data).toMatchObject({ code: 'protocol_mismatch', details: { client: 999 } });
    const none = t.live({});
    const err2 = await new Promise<any>((resolve) => none.on('connect_error', resolve));
    expect(err2.data.code).toBe('validation_failed');
  });

  it('pushes project.created / updated / deleted to city viewers', async () => {
    const s = t.live();
    const got: LiveServerMessage[] = [];
    // a city subscriber also gets snapshots and KPIs: look at the project messages only
    s.on('msg', (m) => {
      if (m.type.startsWith('project.')) got.push(m);
    });
    const ack = await s.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'city' } });
    expect(ack).toEqual({ ok: true });
    const bad = await s.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'galaxy' } } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation_failed' } });

    const c = (await t.api('POST', '/api/v1/projects', body('推送项目'))).body;
    await t.api('PATCH', `/api/v1/projects/${c.id}`, { heightM: 80 });
    await t.api('DELETE', `/api/v1/projects/${c.id}`);
    await expect.poll(() => got.map((m) => m.type)).toEqual(['project.created', 'project.updated', 'project.deleted']);
    expect(got[1]).toMatchObject({ project: { id: c.id, heightM: 80 } });
  });
});
