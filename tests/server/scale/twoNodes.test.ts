import pg from 'pg';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type LiveServerMessage } from '../../../models/protocol.js';
import { createTestDatabase, jsonFetch, startChildServer, type ChildServer } from '../../helpers/childServer.js';

// Scale-out: two server processes on one PostgreSQL, joined by the Socket.IO Redis adapter (REDIS_URL).
const base = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!base)
  console.warn(
    'twoNodes.test.ts: SKIPPED: set TEST_DATABASE_URL (PostgreSQL + PostGIS); Redis is taken from TEST_REDIS_URL or 127.0.0.1:6379',
  );

describe.skipIf(!base)('two app nodes behind the Redis adapter', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: ChildServer;
  let b: ChildServer;
  let viewer: Socket;
  const got: LiveServerMessage[] = [];
  let projectId: string;
  let deviceId: string;
  let apiKey: string;

  beforeAll(async () => {
    db = await createTestDatabase(base!);
    const env = {
      DATABASE_URL: db.url,
      AUTH: 'off',
      REDIS_URL: redisUrl,
      LIVE_TICK_MS: '50',
      DATA_DIR: `/tmp/sitetwin-2nodes-${process.pid}`,
    };
    a = await startChildServer(env);
    b = await startChildServer(env);
    const ent = await jsonFetch(`${a.url}/api/v1/enterprises`, 'POST', { name: `双节点-${Date.now()}` });
    const p = await jsonFetch(`${a.url}/api/v1/projects`, 'POST', {
      name: 'two nodes',
      enterpriseId: ent.body.id,
      regionCode: '370212',
      location: { lon: 120.47, lat: 36.1, height: 0 },
      footprint: {
        type: 'Polygon',
        coordinates: [
          [
            [120.469, 36.099],
            [120.471, 36.099],
            [120.471, 36.101],
            [120.469, 36.101],
            [120.469, 36.099],
          ],
        ],
      },
    });
    projectId = p.body.id;
    const d = await jsonFetch(`${a.url}/api/v1/projects/${projectId}/devices`, 'POST', {
      kind: 'tower_crane',
      name: 'crane',
      location: { lon: 120.47, lat: 36.1, height: 0 },
      params: { mastHeightM: 60, jibLengthM: 55, maxLoadT: 8, maxRadiusM: 55 },
    });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    deviceId = d.body.device.id;
    apiKey = d.body.apiKey;
    // The viewer is on node B only.
    viewer = ioClient(`${b.url}/live`, {
      auth: { protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    viewer.on('msg', (m: LiveServerMessage) => got.push(m));
    await new Promise<void>((r) => viewer.on('connect', () => r()));
    expect(
      await viewer.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId } } as never),
    ).toEqual({ ok: true });
  }, 180_000);

  afterAll(async () => {
    viewer?.close();
    for (const c of [a, b]) if (c && c.proc.exitCode === null) c.kill('SIGTERM');
    await Promise.all([a?.exited, b?.exited]);
    await db?.drop();
  });

  it('a reading ingested on node A reaches a viewer on node B', async () => {
    const time = Date.now();
    const r = await jsonFetch(
      `${a.url}/api/v1/ingest`,
      'POST',
      [{ deviceId, seq: 1, time, values: { loadT: 2.5, ratedLoadT: 8 } }],
      { authorization: `Bearer ${apiKey}` },
    );
    expect(r.status).toBe(200);
    await expect
      .poll(
        () =>
          got.some(
            (m) => m.type === 'telemetry.batch' && m.readings.some((x) => x.deviceId === deviceId && x.time === time),
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
  });

  it('the same overload reaching both nodes raises one alarm: one record, one alarm.raised', async () => {
    const t0 = Date.now() - 60_000;
    // A device behind two gateways: the same overload goes to A and to B, interleaved, each node's engine sees it.
    for (let i = 0; i < 6; i++) {
      const reading = (seq: number) => [
        { deviceId, seq, time: t0 + i * 1000 + (seq % 2), values: { loadT: 8.6, ratedLoadT: 8 } },
      ];
      const [ra, rb] = await Promise.all([
        jsonFetch(`${a.url}/api/v1/ingest`, 'POST', reading(100 + 2 * i), { authorization: `Bearer ${apiKey}` }),
        jsonFetch(`${b.url}/api/v1/ingest`, 'POST', reading(101 + 2 * i), { authorization: `Bearer ${apiKey}` }),
      ]);
      expect([ra.status, rb.status]).toEqual([200, 200]);
    }
    const raised = () => got.filter((m) => m.type === 'alarm.raised' && m.alarm.deviceId === deviceId);
    await expect.poll(() => raised().length, { timeout: 10_000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1500)); // time for a second one to show up, if there were one
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const rows = (await c.query('SELECT id, level FROM alarms WHERE device_id = $1', [deviceId])).rows;
    await c.end();
    console.log('two nodes: alarm rows', rows.length, 'alarm.raised messages on B', raised().length);
    expect(rows.length).toBe(1);
    expect(raised().length).toBe(1);
  });
});
