import { randomUUID } from 'node:crypto';
import { createServer, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../server/store/Store.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { envMonitor, makeDevice, makeProject, postIngest } from '../../helpers/telemetry.js';

const base = process.env.TEST_DATABASE_URL;
if (!base)
  console.warn(
    'storeDown.test.ts: SKIPPED: set TEST_DATABASE_URL (PostgreSQL + PostGIS) to cut the store mid-run behind a TCP proxy',
  );

/** A loopback TCP proxy in front of PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
class CuttableProxy {
  private readonly server: Server;
  private readonly open = new Set<Socket>();
  private down = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.down) return void client.destroy();
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('close', () => this.open.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }
  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }
  cut(): void {
    this.down = true;
    for (const s of this.open) s.destroy();
  }
  restore(): void {
    this.down = false;
  }
  close(): Promise<void> {
    this.cut();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe.skipIf(!base)('ingest while PostgreSQL goes away and comes back (server driver behind a TCP proxy)', () => {
  const dbName = `sitetwin_t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let proxy: CuttableProxy;
  let t: TestServer;
  let admin: pg.Client;
  let direct: string;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const u = new URL(base!);
    u.pathname = `/${dbName}`;
    direct = u.toString();
    proxy = new CuttableProxy({ host: u.hostname, port: Number(u.port || 5432) });
    await proxy.listen();
    u.host = `127.0.0.1:${proxy.port}`;
    const store = await openStore({ databaseUrl: u.toString() });
    t = await startTestServer({ store: { store, cleanup: () => store.close() } });
  });
  afterAll(async () => {
    await t?.close().catch(() => {});
    await t?.store.close().catch(() => {});
    await proxy?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin?.end();
  });

  it('answers 503 + Retry-After while the store is cut, loses nothing acknowledged, stores the retries once', async () => {
    const projectId = await makeProject(t);
    const { device, apiKey } = await makeDevice(t, projectId, envMonitor());
    const BATCHES = 40;
    const PER = 10;
    const statuses: number[] = [];
    const unavailable: { code: string; retryAfter: string | null }[] = [];
    const acked = new Set<number>();
    let sent = 0;

    // The device: sends its batches in order and retries each until the server acknowledges it (2xx), as a real
    // device does; it waits Retry-After, scaled down (1 s -> 50 ms) to keep the test short.
    const device_ = (async () => {
      for (let b = 0; b < BATCHES; b++) {
        const batch = Array.from({ length: PER }, (_, i) => ({
          deviceId: device.id,
          seq: b * PER + i,
          time: Date.now() - 60_000 + b * PER + i,
          values: { noiseDb: 50 + i, pm10Ugm3: b },
        }));
        for (;;) {
          const r = await postIngest(t, batch, apiKey);
          statuses.push(r.status);
          sent++;
          if (r.status === 200) {
            expect(r.body.accepted + r.body.duplicates).toBe(PER);
            for (const x of batch) acked.add(x.seq);
            break;
          }
          expect(r.status).toBe(503);
          unavailable.push({ code: r.body.code, retryAfter: r.headers.get('retry-after') });
          await new Promise((res) => setTimeout(res, Number(r.headers.get('retry-after') ?? 1) * 50));
        }
        await new Promise((res) => setTimeout(res, 20));
      }
    })();

    // Cut the store once a few batches are in, keep it down until the device has been refused a few times.
    await expect.poll(() => acked.size, { timeout: 20_000, interval: 10 }).toBeGreaterThanOrEqual(5 * PER);
    proxy.cut();
    const ackedBeforeCut = new Set(acked);
    await expect.poll(() => unavailable.length, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(3);
    const ackedWhileDown = acked.size;
    await new Promise((res) => setTimeout(res, 300));
    // Nothing is acknowledged while the store is unreachable.
    expect(acked.size).toBe(ackedWhileDown);
    proxy.restore();
    await device_;

    expect(unavailable.every((u) => u.code === 'store_unavailable' && Number(u.retryAfter) >= 1)).toBe(true);
    expect(acked.size).toBe(BATCHES * PER);
    // In the store, read past the proxy: every reading once, every acknowledged one (before the cut too) present.
    const c = new pg.Client({ connectionString: direct });
    await c.connect();
    const rows = (
      await c.query<{ seq: string; n: string }>(
        'SELECT seq, count(*) AS n FROM telemetry WHERE device_id = $1 GROUP BY seq',
        [device.id],
      )
    ).rows;
    await c.end();
    const stored = new Map(rows.map((r) => [Number(r.seq), Number(r.n)]));
    expect(stored.size).toBe(BATCHES * PER);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    for (const s of ackedBeforeCut) expect(stored.has(s)).toBe(true);
    expect(sent).toBeGreaterThan(BATCHES);
    // The server is healthy again: the latest state is the last batch.
    const latest = await t.store.telemetry.latest({ deviceIds: [device.id] });
    expect(latest[0]).toMatchObject({ seq: BATCHES * PER - 1, values: { pm10Ugm3: BATCHES - 1 } });
  }, 90_000);
});
