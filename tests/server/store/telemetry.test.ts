import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import {
  hashApiKey,
  hashHj212Pw,
  newApiKey,
  verifyApiKey,
  verifyHj212Pw,
} from '../../../server/security/deviceSecrets.js';
import { DuplicateError } from '../../../server/store/errors.js';
import type { StoredReading } from '../../../server/store/TelemetryRepo.js';
import { openTestStore, storeKinds, type TestStore } from '../../helpers/store.js';

describe.each(storeKinds())('telemetry store (%s)', (kind) => {
  let ts: TestStore;
  let projectId: string;
  let deviceId: string;
  const apiKey = newApiKey();

  beforeAll(async () => {
    ts = await openTestStore(kind);
    const e = await ts.store.enterprises.create({ name: 'E', role: 'contractor' });
    const p = await ts.store.projects.create({
      name: 'P',
      enterpriseId: e.id,
      address: '',
      regionCode: '370202',
      status: 'under_construction',
      heightM: 30,
      location: { lon: 120.4, lat: 36.1, height: 0 },
      footprint: rectangleAround({ lon: 120.4, lat: 36.1 }, 50, 50),
    });
    projectId = p.id;
    const d = await ts.store.devices.create({
      projectId,
      kind: 'env_monitor',
      name: 'dust',
      params: {},
      location: { lon: 120.4, lat: 36.1, height: 2 },
      apiKeyHash: hashApiKey(apiKey),
      hj212Mn: 'QD0001',
      hj212PwHash: await hashHj212Pw('123456'),
    });
    deviceId = d.id;
  });
  afterAll(() => ts?.cleanup());

  const r = (time: number, values: Record<string, unknown>, seq?: number): StoredReading => ({
    deviceId,
    time,
    values,
    receivedAt: Date.now(),
    ...(seq !== undefined ? { seq } : {}),
  });

  it('finds devices by HJ 212 MN and verifies the API key and the PW, hashed', async () => {
    const d = (await ts.store.devices.findByHj212Mn('QD0001'))!;
    expect(d.id).toBe(deviceId);
    expect(d.apiKeyHash).not.toContain(apiKey);
    expect(d.hj212PwHash).toMatch(/^scrypt\$/);
    expect(verifyApiKey(d, apiKey)).toBe(true);
    expect(await verifyHj212Pw(d, '123456')).toBe(true);
    expect(await verifyHj212Pw(d, '123456')).toBe(true); // cached path
    expect(await verifyHj212Pw(d, '654321')).toBe(false);
    expect(verifyApiKey(d, newApiKey())).toBe(false);
    // Each credential opens its own door only: the PW is no API key, the API key no PW.
    expect(verifyApiKey(d, '123456')).toBe(false);
    expect(await verifyHj212Pw(d, apiKey)).toBe(false);
    await expect(
      ts.store.devices.create({
        projectId,
        kind: 'env_monitor',
        name: 'twin',
        params: {},
        ifcGlobalId: '2O2Fr$t4X7Zf8NOew3FLOH',
        apiKeyHash: 'x',
        hj212Mn: 'QD0001',
      }),
    ).rejects.toBeInstanceOf(DuplicateError);
  });

  it('creates monthly partitions on demand and routes readings into them', async () => {
    const jan = Date.UTC(2026, 0, 31, 23, 59, 59, 999);
    const feb = Date.UTC(2026, 1, 1);
    const fresh = await ts.store.telemetry.write([r(jan, { pm10Ugm3: 1 }), r(feb, { pm10Ugm3: 2 })]);
    expect(fresh).toHaveLength(2);
    const parts = await ts.store.db.query<{ part: string; n: number }>(
      `SELECT c.relname AS part, (SELECT count(*)::int FROM telemetry t WHERE t.tableoid = c.oid) AS n
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'telemetry'::regclass AND c.relname IN ('telemetry_202601', 'telemetry_202602') ORDER BY 1`,
    );
    expect(parts.rows.map((x) => [x.part, Number(x.n)])).toEqual([
      ['telemetry_202601', 1],
      ['telemetry_202602', 1],
    ]);
  });

  it('dedupes on (device, seq) and (device, time), and moves the latest state only forward', async () => {
    const t0 = Date.UTC(2026, 2, 1, 12);
    expect(await ts.store.telemetry.write([r(t0, { noiseDb: 50 }, 7), r(t0 + 1000, { noiseDb: 51 })])).toHaveLength(2);
    // Same seq at another time, same time without seq: both repeats.
    expect(await ts.store.telemetry.write([r(t0 + 5, { noiseDb: 99 }, 7), r(t0 + 1000, { noiseDb: 99 })])).toHaveLength(
      0,
    );
    // Same time with a new seq is new.
    expect(await ts.store.telemetry.write([r(t0, { noiseDb: 52 }, 8)])).toHaveLength(1);
    let [latest] = await ts.store.telemetry.latest({ deviceIds: [deviceId] });
    expect(latest).toMatchObject({ time: t0 + 1000, values: { noiseDb: 51, pm10Ugm3: 2 } });
    // An older reading arriving late is stored but does not roll the latest state back.
    expect(await ts.store.telemetry.write([r(t0 - 60_000, { noiseDb: 10, pm25Ugm3: 5 })])).toHaveLength(1);
    [latest] = await ts.store.telemetry.latest({ projectId });
    expect(latest).toMatchObject({ time: t0 + 1000, values: { noiseDb: 51 } });
    expect(latest!.values.pm25Ugm3).toBeUndefined();
  });

  it('computes min / avg / max per field per bucket in PostgreSQL, matching the values computed here', async () => {
    const from = Date.UTC(2026, 3, 1);
    const bucket = 60_000;
    const rows: StoredReading[] = [];
    let x = 12345;
    const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 100;
    for (let i = 0; i < 180; i++)
      rows.push(r(from + i * 1000 + 17, i % 3 === 0 ? { pm10Ugm3: rand(), noiseDb: rand() } : { pm10Ugm3: rand() }));
    await ts.store.telemetry.write(rows);
    const got = await ts.store.telemetry.buckets(deviceId, from, from + 180_000, bucket);
    const counts = await ts.store.telemetry.bucketCounts(deviceId, from, from + 180_000, bucket);
    for (let b = 0; b < 3; b++) {
      const start = from + b * bucket;
      const inB = rows.filter((q) => q.time >= start && q.time < start + bucket);
      expect(counts.get(start)).toBe(inB.length);
      for (const field of ['pm10Ugm3', 'noiseDb']) {
        const vs = inB.map((q) => q.values[field]).filter((v): v is number => typeof v === 'number');
        const s = got.find((g) => g.time === start && g.field === field)!;
        expect(s.count).toBe(vs.length);
        expect(s.min).toBeCloseTo(Math.min(...vs), 9);
        expect(s.max).toBeCloseTo(Math.max(...vs), 9);
        expect(s.avg).toBeCloseTo(vs.reduce((a, v) => a + v, 0) / vs.length, 9);
      }
    }
    expect(got.filter((g) => g.time >= from + 180_000)).toHaveLength(0);
  });

  it('deletes a device with its readings and latest state', async () => {
    const d = await ts.store.devices.create({
      projectId,
      kind: 'camera',
      name: 'cam',
      params: {},
      location: { lon: 120.4, lat: 36.1, height: 9 },
      apiKeyHash: hashApiKey(newApiKey()),
    });
    await ts.store.telemetry.write([
      { deviceId: d.id, time: Date.UTC(2026, 0, 5), values: { online: true }, receivedAt: 0 },
    ]);
    expect(await ts.store.devices.delete(d.id)).toMatchObject({ id: d.id });
    expect(await ts.store.telemetry.readings(d.id, 0, Date.UTC(2030, 0), 10)).toEqual([]);
    expect(await ts.store.telemetry.latest({ deviceIds: [d.id] })).toEqual([]);
    expect(await ts.store.devices.delete(randomUUID())).toBeNull();
  });
});
