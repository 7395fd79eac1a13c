import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEndpoints } from '../../../models/api/index.js';
import { openApiPath } from '../../../server/http/openapi.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  // Accounts on: the document must be readable without a session.
  t = await startTestServer({ env: { AUTH: 'on' } });
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
      for (const [method, on] of Object.entries(l.route.methods)) if (on && method !== '_all') out.push(`${method.toUpperCase()} ${full}`);
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
      expect(r.body.paths['/api/v1/projects/{id}'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/projects.get.response');
      expect(r.body.components.schemas['projects.get.response'].properties.footprint).toBeDefined();
    }
  });
});
