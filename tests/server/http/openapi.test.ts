import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEndpoints, api, urlOf, type Endpoint } from '../../../models/api/index.js';
import { makeProjectFixture, makeUser, FIXTURE_PASSWORD } from '../../helpers/auth.js';
import { openApiPath } from '../../../server/http/openapi.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  // Accounts on: the document must be readable without a session. SIMULATE=1 mounts the demo's camera routes (the
  // server only mounts them with the demo on; main.ts starts the simulation itself, so nothing runs here).
  t = await startTestServer({ env: { AUTH: 'on', SIMULATE: '1' } });
});
afterAll(() => t?.close());

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  match(path: string): false | true | { path: string };
  path?: string;
}

/**
 * Every route the running app registered under /api, as `METHOD /full/path`: the app's router stack walked, each
 * mounted router's prefix found by matching a probe path against its layer (Express keeps no mount string).
 */
function registeredRoutes(): string[] {
  const app = t.server.app as unknown as { router: { stack: Layer[] } };
  const out: string[] = [];
  for (const layer of app.router.stack) {
    const sub = layer.handle.stack;
    if (!sub) continue;
    const m = layer.match('/api/v1/probe');
    const mount = m === false ? null : typeof m === 'object' ? m.path : (layer.path ?? '');
    if (mount === null) continue;
    for (const l of sub) {
      if (!l.route || typeof l.route.path !== 'string') continue;
      const full = mount + l.route.path;
      if (!full.startsWith('/api/')) continue;
      for (const [method, on] of Object.entries(l.route.methods))
        if (on && method !== '_all') out.push(`${method.toUpperCase()} ${full}`);
    }
  }
  return out.sort();
}

describe('REST contract and OpenAPI (issue 17 item 3)', () => {
  it('registers exactly the routes of the contract under /api, no more and no fewer', () => {
    const routes = registeredRoutes();
    expect(routes.length).toBeGreaterThan(60);
    const contract = allEndpoints()
      .map(({ endpoint: e }) => `${e.method.toUpperCase()} ${e.path}`)
      .sort();
    expect(routes).toEqual(contract);
  });

  it('serves an OpenAPI 3.1 document that a maintained validator accepts, without a session', async () => {
    {
      const r = await t.api('GET', '/api/v1/openapi.json');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('application/json');
      expect(r.body.openapi).toBe('3.1.0');
      const result = await validate(structuredClone(r.body));
      expect(result.valid ? [] : result.errors, 'validator errors').toEqual([]);
      expect(result.valid ? result.warnings : [], 'validator warnings').toEqual([]);
      // Every contract endpoint is an operation with its schemas.
      for (const { id, endpoint: e } of allEndpoints()) {
        const op = r.body.paths[openApiPath(e.path)]?.[e.method];
        expect(op?.operationId, id).toBe(id);
      }
      expect(r.body.paths['/api/v1/projects/{id}'].get.responses['200'].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/projects.get.response',
      );
      expect(r.body.components.schemas['projects.get.response'].properties.footprint).toBeDefined();
    }
  });

  it("answers what the contract's response schemas say, on a project with one of everything", async () => {
    await makeUser(t.store, 'contract-admin', { role: 'admin' });
    const token = await t.login('contract-admin', FIXTURE_PASSWORD);
    const e = await t.api('POST', urlOf(api.enterprises.create, {}), { name: '契约建设' }, { token });
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    const f = await makeProjectFixture(t, token, e.body.id, '370212', '契约项目');
    const now = Date.now();
    const calls: [Endpoint, Record<string, string>, Record<string, unknown>?][] = [
      [api.system.health, {}],
      [api.system.config, {}],
      [api.auth.me, {}],
      [api.users.list, {}],
      [api.users.audit, {}],
      [api.projects.list, {}],
      [api.projects.geojson, {}],
      [api.projects.get, { id: f.projectId }],
      [api.enterprises.list, {}],
      [api.enterprises.get, { id: e.body.id }],
      [api.devices.listOfProject, { id: f.projectId }],
      [api.devices.geojsonOfProject, { id: f.projectId }],
      [api.devices.get, { id: f.deviceId }],
      [api.devices.latest, { id: f.deviceId }],
      [api.devices.quality, { id: f.deviceId }],
      [api.devices.projectQuality, { id: f.projectId }],
      [api.devices.readings, { id: f.deviceId }],
      [api.devices.readings, { id: f.deviceId }, { bucket: '1h' }],
      [api.alarms.list, {}, { state: 'open' }],
      [api.alarms.listOfProject, { id: f.projectId }],
      [api.alarms.thresholds, { id: f.projectId }],
      [api.models.listOfProject, { id: f.projectId }],
      [api.models.get, { id: f.modelId }],
      [api.models.elements, { id: f.modelId }],
      [api.models.element, { id: f.modelId, globalId: f.globalId }],
      [api.tours.listCity, {}],
      [api.tours.listOfProject, { id: f.projectId }],
      [api.tours.get, { id: f.tourId }],
      [api.viewpoints.listOfProject, { id: f.projectId }],
      [api.progress.ofProject, { id: f.projectId }],
      [api.ops.kpis, {}, { tier: 'project', id: f.projectId }],
      [api.ops.kpis, {}, { tier: 'city' }],
      [api.ops.attendanceOfProject, { id: f.projectId }],
      [api.ops.attendance, {}],
      [api.ops.readinessOfProject, { id: f.projectId }],
      [api.ops.readiness, {}],
      [api.replay.stateAt, { id: f.projectId }, { t: now }],
      [api.replay.replay, { id: f.projectId }, { from: now - 60_000, to: now, stepMs: 10_000 }],
      [api.topics.listOfProject, { id: f.projectId }],
      [api.districts.figures, {}],
    ];
    for (const [ep, params, query] of calls) {
      const url = urlOf(ep, params as never, query);
      const r = await t.api('GET', url, undefined, { token });
      expect(r.status, `${url}: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(200);
      const parsed = ep.response!.safeParse(r.body);
      expect(parsed.success ? [] : parsed.error.issues.slice(0, 3), `${url} against the contract`).toEqual([]);
    }
  });
});
