import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, newApiKey } from '../../../server/security/deviceSecrets.js';
import { GroupCommit, IngestOverloadedError } from '../../../server/ingest/GroupCommit.js';
import type { StoredReading } from '../../../server/store/TelemetryRepo.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { envMonitor, makeDevice, makeProject, postIngest } from '../../helpers/telemetry.js';

// One server (embedded store) for the file: a long group wait and a small queue make the queue fill on purpose.
let t: TestServer;
let projectId: string;
let dust: { device: { id: string }; apiKey: string };

beforeAll(async () => {
  t = await startTestServer({
    env: { INGEST_GROUP_WAIT_MS: '150', INGEST_QUEUE_MAX_ROWS: '50', INGEST_GROUP_MAX_ROWS: '1000' },
  });
  projectId = await makeProject(t);
  dust = await makeDevice(t, projectId, envMonitor());
});
afterAll(() => t?.close());

const row = (deviceId: string, seq: number, values: Record<string, unknown> = { noiseDb: 50 }): StoredReading => ({
  deviceId,
  seq,
  time: Date.now() - 1000,
  values,
  receivedAt: Date.now(),
});

describe('GroupCommit over the real store', () => {
  it('coalesces concurrent submissions into one transaction, each resolving with its own new rows after the commit', async () => {
    const writes: number[] = [];
    const committed: StoredReading[][] = [];
    const gc = new GroupCommit<string>(
      async (rows) => {
        writes.push(rows.length);
        return t.store.telemetry.write(rows);
      },
      { maxRows: 1000, maxWaitMs: 20, maxQueuedRows: 10_000 },
      (rows) => committed.push(rows),
    );
    const id = dust.device.id;
    const [a, b, c] = await Promise.all([
      gc.submit([row(id, 1000), row(id, 1001)], ['a', 'a']),
      gc.submit([row(id, 1002), row(id, 1001)], ['b', 'b']), // 1001 repeats a's row
      gc.submit([row(id, 1003)], ['c']),
    ]);
    expect(writes).toEqual([4]);
    expect(a.map((r) => r.seq)).toEqual([1000, 1001]);
    expect(b.map((r) => r.seq)).toEqual([1002]);
    expect(c.map((r) => r.seq)).toEqual([1003]);
    expect(committed).toHaveLength(1);
    expect(committed[0]!.map((r) => r.seq)).toEqual([1000, 1001, 1002, 1003]);
    // A later submission of the same rows: all repeats, per the store's keys.
    expect(await gc.submit([row(id, 1000), row(id, 1003)], ['d', 'd'])).toEqual([]);
    gc.dispose();
  });

  it('a submission PostgreSQL refuses fails alone; the others of its group commit', async () => {
    const gc = new GroupCommit<string>(
      (rows) => t.store.telemetry.write(rows),
      { maxRows: 1000, maxWaitMs: 20, maxQueuedRows: 10_000 },
      () => {},
    );
    const id = dust.device.id;
    // jsonb refuses \u0000 in a string: a real error from the store, not a store outage.
    const results = await Promise.allSettled([
      gc.submit([row(id, 2000)], ['ok1']),
      gc.submit([row(id, 2001, { note: 'a\u0000b' })], ['bad']),
      gc.submit([row(id, 2002)], ['ok2']),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const seqs = (await t.store.telemetry.readings(id, 0, Date.now() + 1, 10_000)).map((r) => r.seq);
    expect(seqs).toContain(2000);
    expect(seqs).toContain(2002);
    expect(seqs).not.toContain(2001);
    gc.dispose();
  });

  it('refuses a submission with IngestOverloadedError when the queue is full, and takes any submission when empty', async () => {
    const gc = new GroupCommit<string>(
      (rows) => t.store.telemetry.write(rows),
      { maxRows: 1000, maxWaitMs: 100, maxQueuedRows: 10 },
      () => {},
    );
    const id = dust.device.id;
    const big = Array.from({ length: 25 }, (_, i) => row(id, 3000 + i));
    const first = gc.submit(
      big,
      big.map(() => 'x'),
    ); // larger than the bound, but the queue is empty
    expect(() => gc.checkRoom(1)).toThrow(IngestOverloadedError);
    await expect(gc.submit([row(id, 3100)], ['y'])).rejects.toMatchObject({
      name: 'IngestOverloadedError',
      retryAfterS: expect.any(Number),
    });
    expect(await first).toHaveLength(25);
    expect(gc.queued).toBe(0);
    expect(await gc.submit([row(id, 3100)], ['y'])).toHaveLength(1);
    gc.dispose();
  });
});

describe('ingest back-pressure and device cache over HTTP', () => {
  it('answers 503 overloaded with Retry-After when the queue is full; the retry is stored', async () => {
    const batch = (from: number) =>
      Array.from({ length: 30 }, (_, i) => ({ deviceId: dust.device.id, seq: from + i, values: { noiseDb: 40 } }));
    // The first waits 150 ms in the queue for company; the second, 30 ms later, would take it past 50 readings. On a
    // loaded machine the second may arrive after the first's transaction began (then both are stored): try again.
    let a: Awaited<ReturnType<typeof postIngest>> | undefined;
    let b: Awaited<ReturnType<typeof postIngest>> | undefined;
    let refusedFrom = 0;
    for (let attempt = 0; attempt < 8 && b?.status !== 503; attempt++) {
      const from = 5000 + attempt * 200;
      refusedFrom = from + 100;
      [a, b] = await Promise.all([
        postIngest(t, batch(from), dust.apiKey),
        new Promise((r) => setTimeout(r, 30)).then(() => postIngest(t, batch(from + 100), dust.apiKey)),
      ]);
      expect(a).toMatchObject({ status: 200, body: { accepted: 30 } });
    }
    if (!a || !b) throw new Error('no attempt ran');
    expect(b.status).toBe(503);
    expect(b.body).toMatchObject({ code: 'overloaded', details: { queued: 30 } });
    expect(Number(b.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Nothing of the refused batch was stored; its retry is.
    expect(
      (await t.store.telemetry.readings(dust.device.id, 0, Date.now() + 1, 10_000)).filter(
        (r) => r.seq! >= refusedFrom && r.seq! < refusedFrom + 30,
      ),
    ).toHaveLength(0);
    expect(await postIngest(t, batch(refusedFrom), dust.apiKey)).toMatchObject({ status: 200, body: { accepted: 30 } });
  });

  it('a device changed in the store is re-read at once, though its record and key were cached', async () => {
    const d = await makeDevice(t, projectId, envMonitor('rotating'));
    const send = (seq: number, key: string) =>
      postIngest(t, [{ deviceId: d.device.id, seq, values: { noiseDb: 41 } }], key);
    expect((await send(1, d.apiKey)).status).toBe(200); // device and key now cached
    // Changed through the repo directly (as any feature may), not through the devices router's own hook.
    const newKey = newApiKey();
    await t.store.devices.update(d.device.id, { apiKeyHash: hashApiKey(newKey) });
    expect(await send(2, d.apiKey)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect((await send(3, newKey)).status).toBe(200);
    // A deleted device is refused at once too.
    expect((await t.api('DELETE', `/api/v1/devices/${d.device.id}`)).status).toBe(204);
    expect(await send(4, newKey)).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });
});
