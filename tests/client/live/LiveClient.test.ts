import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveClient, type LiveStatus } from '../../../client/live/LiveClient.js';
import { bindProjectFeed } from '../../../client/live/bindProjectFeed.js';
import { ProjectStore } from '../../../client/state/ProjectStore.js';
import { rectangleAround } from '../../../models/geo.js';
import type { Project } from '../../../models/Project.js';
import { PROTOCOL_VERSION } from '../../../models/protocol.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let t: TestServer;
let enterpriseId: string;
const clients: LiveClient[] = [];

const body = (name: string, lon = 120.41, lat = 36.08) => ({
  name,
  enterpriseId,
  address: '山东省青岛市',
  regionCode: '370202',
  location: { lon, lat, height: 0 },
  footprint: rectangleAround({ lon, lat }, 90, 60),
  heightM: 45,
});

function client(opts: ConstructorParameters<typeof LiveClient>[0] = {}): LiveClient {
  const c = new LiveClient({ url: t.url, transports: ['websocket'], ...opts });
  clients.push(c);
  return c;
}

function statusOf(c: LiveClient, want: LiveStatus): Promise<void> {
  return new Promise((resolve) => {
    if (c.status === want) return resolve();
    const off = c.onStatus.add((s) => {
      if (s === want) {
        off();
        resolve();
      }
    });
  });
}

beforeAll(async () => {
  t = await startTestServer();
  const e = await t.api('POST', '/api/v1/enterprises', { name: '客户端测试建设集团' });
  expect(e.status).toBe(201);
  enterpriseId = e.body.id;
  expect((await t.api('POST', '/api/v1/projects', body('已有项目一'))).status).toBe(201);
});
afterAll(async () => {
  for (const c of clients) c.dispose();
  await t?.close();
});

describe('LiveClient + project feed against the real server', () => {
  it('loads the list, then follows pushed creates, updates and deletes', async () => {
    const store = new ProjectStore();
    const live = client();
    const feed = bindProjectFeed(store, live, t.url);
    await feed.reload();
    expect(store.list().map((p) => p.name)).toEqual(['已有项目一']);
    expect(store.list()[0]!.enterpriseName).toBe('客户端测试建设集团');
    await statusOf(live, 'connected');

    const created = await t.api<Project>('POST', '/api/v1/projects', body('推送新增项目', 120.45, 36.1));
    await expect.poll(() => store.get(created.body.id)?.name).toBe('推送新增项目');
    await t.api('PATCH', `/api/v1/projects/${created.body.id}`, { status: 'suspended' });
    await expect.poll(() => store.get(created.body.id)?.status).toBe('suspended');
    await t.api('DELETE', `/api/v1/projects/${created.body.id}`);
    await expect.poll(() => store.get(created.body.id)).toBeUndefined();
    feed.dispose();
  });

  it('asks a scopes function at every connection and holds what it answered (a tool must not unsubscribe it)', async () => {
    const enterpriseScope = { kind: 'enterprise' as const, enterpriseId };
    let asked = 0;
    const live = client({ scopes: async () => (asked++, [enterpriseScope]) });
    const got: string[] = [];
    live.onMessage.add((m) => got.push(m.type === 'project.created' ? m.project.name : m.type));
    await statusOf(live, 'connected');
    expect(asked).toBe(1);
    expect(live.holds(enterpriseScope)).toBe(true);
    expect(live.holds({ kind: 'city' })).toBe(false);
    // The enterprise room gets its projects' pushes (the city room is not asked for).
    expect((await t.api('POST', '/api/v1/projects', body('企业房间项目', 120.5, 36.2))).status).toBe(201);
    await expect.poll(() => got).toContain('企业房间项目');
    live.reconnect();
    await expect.poll(() => asked).toBe(2);
  });

  it('refuses to retry on a protocol mismatch and keeps the server error', async () => {
    const live = client({ protocolVersion: PROTOCOL_VERSION + 99 });
    await statusOf(live, 'mismatch');
    expect(live.lastError?.code).toBe('protocol_mismatch');
    await new Promise((r) => setTimeout(r, 1500));
    expect(live.status).toBe('mismatch'); // no reconnect loop
  });

  it('reconnects after the server drops it and reloads what changed meanwhile', async () => {
    const store = new ProjectStore();
    const live = client();
    const feed = bindProjectFeed(store, live, t.url);
    await feed.reload();
    await statusOf(live, 'connected');
    const before = store.size;
    const seen: LiveStatus[] = [];
    live.onStatus.add((s) => seen.push(s));

    t.server.io.of('/live').disconnectSockets(true);
    await statusOf(live, 'reconnecting');
    // A change nobody is told about: written straight to the store while the viewer is away.
    const p = (await t.api<Project[]>('GET', '/api/v1/projects')).body[0]!;
    await t.store.projects.create({ ...body('断线期间新增'), enterpriseId: p.enterpriseId, status: 'planned' });
    await statusOf(live, 'connected');
    await expect.poll(() => store.size, { timeout: 10_000 }).toBe(before + 1);
    expect(store.list().some((x) => x.name === '断线期间新增')).toBe(true);
    expect(seen).toEqual(['reconnecting', 'connected']);
    feed.dispose();
  });
});
