import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../client/api/ApiError.js';
import { fetchProjects } from '../../../client/api/projectsApi.js';
import { fetchClientConfig } from '../../../client/config.js';
import { makeProject } from '../fixtures.js';

/**
 * A real HTTP server that answers what the Site Twin server never should (a malformed item, a non-JSON body), so
 * the client's handling of a misbehaving or outdated server is exercised over a real socket.
 */
let srv: Server;
let base: string;
const good = makeProject({ name: '好项目' });

beforeAll(async () => {
  srv = createServer((req, res) => {
    const send = (status: number, body: string, type = 'application/json') =>
      res.writeHead(status, { 'content-type': type }).end(body);
    if (req.url === '/mixed/api/v1/projects')
      return send(200, JSON.stringify([good, { ...good, id: 'not-a-uuid' }, { hello: 1 }]));
    if (req.url === '/down/api/v1/projects')
      return send(503, JSON.stringify({ code: 'store_unavailable', message: 'The store cannot be reached' }));
    if (req.url === '/html/api/v1/projects') return send(502, '<html>Bad gateway</html>', 'text/html');
    if (req.url === '/badcfg/api/v1/config')
      return send(200, JSON.stringify({ protocolVersion: 1, imageryUrl: 'not a url' }));
    if (req.url === '/cfg/api/v1/config')
      return send(200, JSON.stringify({ protocolVersion: 1, terrainUrl: 'http://127.0.0.1:1/terrain' }));
    send(404, JSON.stringify({ code: 'not_found', message: 'nope' }));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => srv.close(() => r())));

async function failure(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('fetchProjects', () => {
  it('keeps the good items of a list and reports the bad ones', async () => {
    const r = await fetchProjects(`${base}/mixed`);
    expect(r.projects.map((p) => p.id)).toEqual([good.id]);
    expect(r.rejected.map((x) => x.index)).toEqual([1, 2]);
    expect(r.rejected[0]!.reason).toMatch(/^id:/);
  });

  it('turns server errors, non-JSON answers and an unreachable server into coded ApiErrors', async () => {
    const down = await failure(fetchProjects(`${base}/down`));
    expect([down.code, down.status]).toEqual(['store_unavailable', 503]);
    expect((await failure(fetchProjects(`${base}/html`))).code).toBe('bad_response');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect((await failure(fetchProjects(`http://127.0.0.1:${port}`))).code).toBe('network_error');
  });
});

describe('fetchClientConfig', () => {
  it('parses the config and names the field of a bad one', async () => {
    expect(await fetchClientConfig(`${base}/cfg`)).toEqual({
      protocolVersion: 1,
      terrainUrl: 'http://127.0.0.1:1/terrain',
    });
    const e = await failure(fetchClientConfig(`${base}/badcfg`));
    expect(e.message).toMatch(/imageryUrl/);
  });
});
