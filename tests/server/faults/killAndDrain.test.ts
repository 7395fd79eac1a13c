import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  setupDevice,
  startChildServer,
  storedSeqs,
  type ChildServer,
} from '../../helpers/childServer.js';
import { LoggingDevice } from '../../helpers/deviceLog.js';

// Acceptance 2 (the kill -9 half; the PostgreSQL-stop half is tests/server/ingest/storeDown.test.ts): the real server
// as a child process, sustained HTTP ingest with a device-side log, kill -9 mid-run, restart, retries; then acknowledged
// vs stored. Plus a graceful stop (SIGTERM) with batches in flight.
const base = process.env.TEST_DATABASE_URL;
if (!base)
  console.warn(
    'killAndDrain.test.ts: SKIPPED: set TEST_DATABASE_URL (PostgreSQL + PostGIS) to run the server as a child process on it',
  );

describe.skipIf(!base)('server process faults (PostgreSQL store)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const children: ChildServer[] = [];
  const env = () => ({ DATABASE_URL: db.url, AUTH: 'off', DATA_DIR: `/tmp/sitetwin-fault-${process.pid}` });

  beforeAll(async () => {
    db = await createTestDatabase(base!);
  });
  afterAll(async () => {
    for (const c of children) if (c.proc.exitCode === null) c.kill('SIGKILL');
    await db?.drop();
  });

  it('kill -9 during sustained ingest loses no acknowledged reading and stores none twice', async () => {
    const a = await startChildServer(env());
    children.push(a);
    const { deviceId, apiKey } = await setupDevice(a.url);
    const dev = new LoggingDevice(deviceId, apiKey, 50);
    // Four concurrent senders of one device log, so batches are in flight in every state when the kill lands.
    let stop = false;
    let url = a.url;
    const senders = Array.from({ length: 4 }, async () => {
      while (!stop) if ((await dev.step(url)) === 0) await new Promise((r) => setTimeout(r, 50));
    });
    await new Promise((r) => setTimeout(r, 3000));
    const ackedBeforeKill = dev.acked.size;
    a.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    const b = await startChildServer(env(), a.port);
    children.push(b);
    url = b.url;
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await Promise.all(senders);
    await dev.flush(b.url);
    const stored = await storedSeqs(db.url, deviceId);
    const lost = [...dev.acked].filter((s) => !stored.distinct.has(s));
    const counts = {
      sent: dev.sent,
      ackedBeforeKill,
      acked: dev.acked.size,
      stored: stored.rows,
      distinct: stored.distinct.size,
      lost: lost.length,
      duplicated: stored.rows - stored.distinct.size,
      noAnswer: dev.errors,
      answers: Object.fromEntries(dev.answers),
    };
    console.log('kill -9 fault:', JSON.stringify(counts));
    expect(ackedBeforeKill).toBeGreaterThan(500);
    expect(dev.errors).toBeGreaterThan(0); // the kill did cut requests
    expect(dev.unacked).toBe(0);
    expect(lost).toEqual([]);
    expect(stored.rows).toBe(stored.distinct.size);
    expect(stored.distinct.size).toBe(dev.sent); // every reading sent was stored once in the end
    b.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 180_000);

  it('SIGTERM drains batches in flight: each is answered and stored before the process exits', async () => {
    // Commits wait 1 s for company, so the batches (received within ~0.6 s) are in flight when the signal lands.
    const c = await startChildServer({ ...env(), INGEST_GROUP_WAIT_MS: '1000' });
    children.push(c);
    const { deviceId, apiKey } = await setupDevice(c.url);
    const devs = Array.from({ length: 6 }, () => new LoggingDevice(deviceId, apiKey, 500));
    // Distinct seq ranges per sender: offset each device's counter.
    devs.forEach((d, i) => ((d as unknown as { next: number }).next = 1 + i * 10_000));
    const inFlight = devs.map((d) => d.step(c.url));
    await new Promise((r) => setTimeout(r, 600));
    const signalledAt = Date.now();
    c.kill('SIGTERM');
    const statuses = await Promise.all(inFlight);
    const answeredAfterSignal = Date.now() - signalledAt;
    expect(await c.exited).toBe(0);
    const stored = await storedSeqs(db.url, deviceId);
    const acked = devs.flatMap((d) => [...d.acked]);
    console.log(
      'SIGTERM drain:',
      JSON.stringify({
        batches: statuses.length,
        statuses,
        acked: acked.length,
        stored: stored.rows,
        answeredAfterSignalMs: answeredAfterSignal,
      }),
    );
    expect(statuses).toEqual(devs.map(() => 200));
    expect(answeredAfterSignal).toBeGreaterThan(50); // they were answered after the signal, not before it
    expect(acked.length).toBe(3000);
    expect(acked.every((s) => stored.distinct.has(s))).toBe(true);
    expect(stored.rows).toBe(stored.distinct.size);
  }, 120_000);
});
