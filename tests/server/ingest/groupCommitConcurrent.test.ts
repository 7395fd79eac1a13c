import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, newApiKey } from '../../../server/security/deviceSecrets.js';
import { GroupCommit } from '../../../server/ingest/GroupCommit.js';
import type { StoredReading } from '../../../server/store/TelemetryRepo.js';
import { openTestStore, storeKinds, type TestStore, storeProject } from '../../helpers/store.js';

const reading = (seq: number): StoredReading => ({ deviceId: 'd', seq, time: seq * 1000, values: {}, receivedAt: 0 });

describe('GroupCommit with two slots: a repeat of a row in flight', () => {
  const deferred = () => {
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };

  it('writes a group that repeats a row of the group in flight only after that group finished; one without repeats at once', async () => {
    const first = deferred();
    const writes: number[][] = [];
    const stored = new Set<number>();
    const gc = new GroupCommit<string>(
      async (rows) => {
        writes.push(rows.map((r) => r.seq!));
        if (rows[0]!.seq === 1) await first.promise;
        const fresh = rows.filter((r) => !stored.has(r.seq!));
        for (const r of fresh) stored.add(r.seq!);
        return fresh;
      },
      { maxRows: 2, maxWaitMs: 0, maxQueuedRows: 100, concurrency: 2 },
      () => {},
    );
    const a = gc.submit([reading(1), reading(2)], ['a', 'a']);
    const b = gc.submit([reading(3), reading(2)], ['b', 'b']);
    await new Promise((r) => setTimeout(r, 20));
    // The second group waits: it holds row 2 of the first, which has not finished.
    expect(writes).toEqual([[1, 2]]);
    first.resolve();
    expect((await a).map((r) => r.seq)).toEqual([1, 2]);
    expect((await b).map((r) => r.seq)).toEqual([3]);
    expect(writes).toEqual([
      [1, 2],
      [3, 2],
    ]);
    // Without a repeat the second slot writes while the first is still busy.
    const held = deferred();
    const writes2: number[][] = [];
    const gc2 = new GroupCommit<string>(
      async (rows) => {
        writes2.push(rows.map((r) => r.seq!));
        if (rows[0]!.seq === 1) await held.promise;
        return rows;
      },
      { maxRows: 2, maxWaitMs: 0, maxQueuedRows: 100, concurrency: 2 },
      () => {},
    );
    const c = gc2.submit([reading(1), reading(2)], ['c', 'c']);
    const d = gc2.submit([reading(3), reading(4)], ['d', 'd']);
    await new Promise((r) => setTimeout(r, 20));
    expect(writes2).toEqual([
      [1, 2],
      [3, 4],
    ]);
    held.resolve();
    await Promise.all([c, d]);
    gc.dispose();
    gc2.dispose();
  });

  it('writes the repeated row itself when the group it waited for failed, so nothing is lost', async () => {
    const first = deferred();
    const stored: number[] = [];
    const gc = new GroupCommit<string>(
      async (rows) => {
        if (rows[0]!.seq === 1) {
          await first.promise;
          throw new Error('refused by the store');
        }
        stored.push(...rows.map((r) => r.seq!));
        return rows;
      },
      { maxRows: 2, maxWaitMs: 0, maxQueuedRows: 100, concurrency: 2 },
      () => {},
    );
    const a = gc.submit([reading(1), reading(2)], ['a', 'a']);
    const b = gc.submit([reading(3), reading(2)], ['b', 'b']);
    await new Promise((r) => setTimeout(r, 20));
    first.resolve();
    await expect(a).rejects.toThrow('refused by the store');
    expect((await b).map((r) => r.seq)).toEqual([3, 2]);
    expect(stored).toEqual([3, 2]);
    gc.dispose();
  });
});

// Two group transactions in flight (what Ingest uses on a PostgreSQL server; an embedded store serialises them).
describe.each(storeKinds())('GroupCommit with two transactions in flight (%s store)', (kind) => {
  let ts: TestStore;
  let dev: string;
  beforeAll(async () => {
    ts = await openTestStore(kind);
    const e = await ts.store.enterprises.create({ name: 'E', role: 'contractor' });
    const loc = { lon: 120.4, lat: 36.1 };
    const p = { id: await storeProject(ts.store, e.id, { loc }) };
    dev = (
      await ts.store.devices.create({
        projectId: p.id,
        kind: 'sensor',
        name: 's',
        params: {},
        location: { ...loc, height: 1 },
        apiKeyHash: hashApiKey(newApiKey()),
      })
    ).id;
  });
  afterAll(() => ts?.cleanup());

  const t0 = Date.UTC(2026, 7, 10);
  const row = (seq: number): StoredReading => ({
    deviceId: dev,
    seq,
    time: t0 + seq * 1000,
    values: { v: seq },
    receivedAt: t0,
  });
  const storedSeqs = async () =>
    (
      await ts.store.db.query<{ seq: number }>('SELECT seq FROM telemetry WHERE device_id = $1 ORDER BY seq', [dev])
    ).rows.map((r) => Number(r.seq));

  it('announces groups in order, resolves each after its commit, and stores a repeat across the two groups once', async () => {
    const announced: number[][] = [];
    const started: number[] = [];
    const gc = new GroupCommit<string>(
      (rows) => {
        started.push(rows.length);
        return ts.store.telemetry.write(rows);
      },
      { maxRows: 3, maxWaitMs: 0, maxQueuedRows: 1000, concurrency: 2 },
      (rows) => announced.push(rows.map((r) => r.seq!)),
    );
    const seenAtResolve: number[][] = [];
    const submit = (seqs: number[]) =>
      gc
        .submit(
          seqs.map(row),
          seqs.map(() => 'x'),
        )
        .then(async (fresh) => {
          seenAtResolve.push(await storedSeqs());
          return fresh.map((r) => r.seq);
        });
    // 1-3 start at once; 4,5,3 take the second slot but repeat the first group's row 3, so they write after it; 6-7
    // take the first slot when it frees (before or after the second group's write begins).
    const [a, b, c] = await Promise.all([submit([1, 2, 3]), submit([4, 5, 3]), submit([6, 7])]);
    expect([...started].sort()).toEqual([2, 3, 3]);
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([4, 5]);
    expect(c).toEqual([6, 7]);
    expect(announced).toEqual([
      [1, 2, 3],
      [4, 5],
      [6, 7],
    ]);
    // Each submission resolved after its own rows were committed.
    expect(seenAtResolve[0]).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(seenAtResolve[1]).toEqual(expect.arrayContaining([4, 5]));
    expect(seenAtResolve[2]).toEqual(expect.arrayContaining([6, 7]));
    expect(await storedSeqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await ts.store.telemetry.latest({ deviceIds: [dev] }))[0]).toMatchObject({ seq: 7, values: { v: 7 } });
    gc.dispose();
  });
});
