import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import { hashApiKey, newApiKey } from '../../../server/security/deviceSecrets.js';
import { GroupCommit } from '../../../server/ingest/GroupCommit.js';
import type { StoredReading } from '../../../server/store/TelemetryRepo.js';
import { openTestStore, storeKinds, type TestStore } from '../../helpers/store.js';

// Two group transactions in flight (what Ingest uses on a PostgreSQL server; an embedded store serialises them).
describe.each(storeKinds())('GroupCommit with two transactions in flight (%s store)', (kind) => {
  let ts: TestStore;
  let dev: string;
  beforeAll(async () => {
    ts = await openTestStore(kind);
    const e = await ts.store.enterprises.create({ name: 'E', role: 'contractor' });
    const loc = { lon: 120.4, lat: 36.1 };
    const p = await ts.store.projects.create({
      name: 'P',
      enterpriseId: e.id,
      address: '',
      regionCode: '370202',
      status: 'under_construction',
      heightM: 30,
      location: { ...loc, height: 0 },
      footprint: rectangleAround(loc, 50, 50),
    });
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
    // 1-3 start at once, 4,5,3 take the second slot while the first runs (3 repeats the first group's row), 6-7 wait.
    const [a, b, c] = await Promise.all([submit([1, 2, 3]), submit([4, 5, 3]), submit([6, 7])]);
    expect(started).toEqual([3, 3, 2]);
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
