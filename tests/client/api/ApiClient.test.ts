import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, urlOf } from '../../../models/api/index.js';
import { ApiClient } from '../../../client/api/ApiClient.js';
import { ApiError } from '../../../client/api/ApiError.js';
import { makeProject } from '../fixtures.js';

/** A real HTTP server that records what the typed client sent and answers from a script. */
let srv: Server;
let client: ApiClient;
const seen: { method: string; url: string; type?: string; body: string }[] = [];
const good = makeProject({ name: '契约项目' });
const read = (req: IncomingMessage) =>
  new Promise<string>((r) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => r(b));
  });

beforeAll(async () => {
  srv = createServer(async (req, res) => {
    const body = await read(req);
    seen.push({
      method: req.method!,
      url: req.url!,
      ...(req.headers['content-type'] ? { type: req.headers['content-type'] } : {}),
      body,
    });
    const send = (status: number, b: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
    if (req.url === `/base/api/v1/projects/${good.id}`)
      return send(200, req.method === 'PATCH' ? { ...good, name: JSON.parse(body).name } : good);
    if (req.url?.startsWith('/base/api/v1/projects/bad')) return send(200, { ...good, id: 'nope' });
    if (req.url?.startsWith('/base/api/v1/alarms')) return send(200, []);
    send(404, { code: 'not_found', message: 'Project x does not exist' });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  client = new ApiClient(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/base`);
});
afterAll(() => new Promise<void>((r) => srv.close(() => r())));

describe('ApiClient (typed calls of the REST contract)', () => {
  it('builds the URL from the contract: params encoded, empty query values left out, method and JSON body sent', async () => {
    seen.length = 0;
    expect((await client.call(api.projects.get, { params: { id: good.id } })).name).toBe('契约项目');
    expect(await client.call(api.alarms.list, { query: { state: 'open', projectId: undefined, limit: 5 } })).toEqual(
      [],
    );
    const patched = await client.call(api.projects.update, { params: { id: good.id }, body: { name: '改名' } });
    expect(patched.name).toBe('改名');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      `GET /base/api/v1/projects/${good.id}`,
      'GET /base/api/v1/alarms?state=open&limit=5',
      `PATCH /base/api/v1/projects/${good.id}`,
    ]);
    expect(seen[2]!.type).toBe('application/json');
    expect(JSON.parse(seen[2]!.body)).toEqual({ name: '改名' });
    expect(client.url(api.basemap.layer, { file: 'a b/c.geojson' })).toMatch(
      /\/base\/api\/v1\/basemap\/a%20b%2Fc\.geojson$/,
    );
  });

  it('turns a server error into an ApiError with its code and an answer off the contract into bad_response', async () => {
    const miss = await client.call(api.projects.get, { params: { id: 'x' } }).catch((e: unknown) => e);
    expect(miss).toBeInstanceOf(ApiError);
    expect([(miss as ApiError).code, (miss as ApiError).status]).toEqual(['not_found', 404]);
    const bad = await client
      .call(api.projects.get, { params: { id: 'bad' }, what: 'project' })
      .catch((e: unknown) => e);
    expect((bad as ApiError).code).toBe('bad_response');
    expect((bad as ApiError).message).toMatch(/^Unexpected project: id:/);
  });

  it('refuses to build a URL with a path parameter missing', () => {
    expect(() => urlOf(api.models.element, { id: 'm' } as never)).toThrow(/missing path parameter globalId/);
  });
});
