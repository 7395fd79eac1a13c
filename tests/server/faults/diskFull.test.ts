import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore, type Store } from '../../../server/store/Store.js';
import { FullDisk } from '../../helpers/fullDisk.js';
import { copyTemplate } from '../../helpers/pgliteTemplate.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { envMonitor, makeDevice, makeProject, postIngest } from '../../helpers/telemetry.js';

// Issue 14 finding 12: the embedded store's disk fills up under ingest. Writes must answer 503 + Retry-After with a
// stable code (not 500 internal), /api/health must say the store is not ok and why, the log must keep the cause, and
// everything must work again once there is room, without a restart.
describe('disk full under the embedded store', () => {
  let root: string;
  let store: Store;
  let disk: FullDisk;
  let t: TestServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sitetwin-diskfull-'));
    const dir = join(root, 'pgdata');
    copyTemplate(inject('pgliteTemplate'), dir);
    store = await openStore({ dataDir: dir });
    disk = new FullDisk(dir);
    const log = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });
    t = await startTestServer({ store: { store, cleanup: async () => {} }, log });
  });
  afterAll(async () => {
    disk?.restore();
    await t?.close();
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers 503 store_unavailable + Retry-After while the disk is full, health says disk_full, the cause is logged, and it recovers', async () => {
    const projectId = await makeProject(t);
    const { device, apiKey } = await makeDevice(t, projectId, envMonitor());
    const PER = 300;
    // Batches big enough that each needs new pages of the telemetry partition (a page holds ~70 of these rows).
    const batch = (b: number) =>
      Array.from({ length: PER }, (_, i) => ({
        deviceId: device.id,
        seq: b * PER + i,
        time: Date.now() - 60_000 + i,
        values: { noiseDb: 50 + (i % 20), pm10Ugm3: b },
      }));
    const acked = new Set<number>();
    const send = async (b: number) => {
      const r = await postIngest(t, batch(b), apiKey);
      if (r.status === 200) for (let i = 0; i < PER; i++) acked.add(b * PER + i);
      return r;
    };

    expect((await send(0)).status).toBe(200);
    expect((await t.api('GET', '/api/health')).status).toBe(200);

    disk.full = true;
    // A batch may still fit the pages already on disk; within a few, one needs a new page and meets the full disk.
    let b = 1;
    let refused: Awaited<ReturnType<typeof send>> | undefined;
    for (; b <= 10 && !refused; b++) {
      const r = await send(b);
      if (r.status !== 200) refused = r;
    }
    const failedBatch = b - 1;
    expect(refused?.status, JSON.stringify(refused?.body)).toBe(503);
    expect(refused!.body.code).toBe('store_unavailable');
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(disk.refused).toBeGreaterThan(0);

    const h = await t.api('GET', '/api/health');
    expect(h.status).toBe(503);
    expect(h.headers.get('retry-after')).not.toBeNull();
    expect(h.body).toMatchObject({
      status: 'degraded',
      store: { kind: 'embedded', ok: false, reason: 'disk_full', lastFailure: { reason: 'disk_full' } },
    });

    // The cause is in the log: the reason, and PostgreSQL's / the OS's own words.
    const rejected = logLines
      .map((l) => JSON.parse(l))
      .find((l) => l.path === '/api/v1/ingest' && l.code === 'store_unavailable');
    expect(rejected).toMatchObject({ reason: 'disk_full' });
    expect(JSON.stringify(rejected.cause)).toMatch(/No space left on device|ENOSPC|53100/);

    // Room again: health is ok and the device's retry of the refused batch is stored.
    disk.full = false;
    expect((await t.api('GET', '/api/health')).status).toBe(200);
    expect((await send(failedBatch)).status).toBe(200);
    expect((await send(failedBatch + 1)).status).toBe(200);

    const rows = (
      await store.db.query<{ seq: number; n: number }>(
        'SELECT seq, count(*)::int AS n FROM telemetry WHERE device_id = $1 GROUP BY seq',
        [device.id],
      )
    ).rows;
    const stored = new Map(rows.map((r) => [Number(r.seq), r.n]));
    console.log(
      'disk full:',
      JSON.stringify({
        acked: acked.size,
        stored: stored.size,
        writesRefused: disk.refused,
        refusedAtBatch: failedBatch,
      }),
    );
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    for (const s of acked) expect(stored.has(s)).toBe(true);
    expect(stored.size).toBe(acked.size);
  }, 120_000);
});
