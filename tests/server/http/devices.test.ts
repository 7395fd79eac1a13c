import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveServerMessage } from '../../../models/protocol.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { collect, crane, envMonitor, makeDevice, makeProject, postIngest } from '../../helpers/telemetry.js';

let t: TestServer;
let projectId: string;

beforeAll(async () => {
  t = await startTestServer();
  projectId = await makeProject(t);
});
afterAll(() => t?.close());

describe('devices API', () => {
  it('creates (key shown once), lists, serves GeoJSON, patches, rotates the key and deletes, pushing each change', async () => {
    const viewer = t.live();
    const got = collect(viewer);
    await viewer.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'city' } });
    const { device, apiKey } = await makeDevice(t, projectId, {
      ...envMonitor('东门扬尘'),
      code: 'YC-01',
      hj212: { mn: '88888880000001', pw: '123456' },
    });
    expect(apiKey).toMatch(/^stk_/);
    expect(device).toMatchObject({
      kind: 'env_monitor',
      code: 'YC-01',
      hj212Mn: '88888880000001',
      params: { noiseDayLimitDb: 70, noiseNightLimitDb: 55 },
    });
    const bound = await makeDevice(t, projectId, {
      ...crane(),
      location: undefined,
      ifcGlobalId: '2O2Fr$t4X7Zf8NOew3FLOH',
    });

    const g = await t.api('GET', `/api/v1/devices/${device.id}`);
    expect(JSON.stringify(g.body)).not.toMatch(/apiKey|Hash|123456/);
    const list = await t.api('GET', `/api/v1/projects/${projectId}/devices`);
    expect(list.body.map((d: { id: string }) => d.id).sort()).toEqual([device.id, bound.device.id].sort());
    const gj = await t.api('GET', `/api/v1/projects/${projectId}/devices.geojson`);
    expect(gj.headers.get('content-type')).toContain('application/geo+json');
    const byId = new Map(gj.body.features.map((f: { id: string }) => [f.id, f]));
    expect(byId.get(device.id)).toMatchObject({ geometry: { type: 'Point', coordinates: [120.4701, 36.1001, 3] } });
    expect(byId.get(bound.device.id)).toMatchObject({
      geometry: null,
      properties: { ifcGlobalId: '2O2Fr$t4X7Zf8NOew3FLOH' },
    });

    const p = await t.api('PATCH', `/api/v1/devices/${device.id}`, {
      name: '东门扬尘2',
      params: { pm10LimitUgm3: 80 },
    });
    expect(p.body).toMatchObject({ name: '东门扬尘2', params: { pm10LimitUgm3: 80, noiseDayLimitDb: 70 } });
    const bad = await t.api('PATCH', `/api/v1/devices/${bound.device.id}`, { params: { jibLengthM: -3 } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.issues[0].path).toBe('params.jibLengthM');
    const unplaced = await t.api('PATCH', `/api/v1/devices/${bound.device.id}`, { ifcGlobalId: null });
    expect(unplaced).toMatchObject({ status: 400, body: { code: 'validation_failed' } });

    // The old key stops working the moment a new one is issued.
    const rot = await t.api('POST', `/api/v1/devices/${device.id}/key`);
    const time = Date.now();
    expect((await postIngest(t, [{ deviceId: device.id, time, values: { noiseDb: 50 } }], apiKey)).status).toBe(403);
    expect(
      (await postIngest(t, [{ deviceId: device.id, time, values: { noiseDb: 50 } }], rot.body.apiKey)).status,
    ).toBe(200);

    expect((await t.api('DELETE', `/api/v1/devices/${bound.device.id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/v1/devices/${bound.device.id}`)).status).toBe(404);
    await expect
      .poll(() => got.filter((m) => m.type.startsWith('device.')).map((m) => m.type))
      .toEqual(['device.created', 'device.created', 'device.updated', 'device.deleted']);
    expect(
      got.find((m): m is Extract<LiveServerMessage, { type: 'device.deleted' }> => m.type === 'device.deleted'),
    ).toMatchObject({ deviceId: bound.device.id, projectId });
  });

  it('refuses bad devices with field-level reasons and a taken HJ 212 MN with 409', async () => {
    const noParams = await t.api('POST', `/api/v1/projects/${projectId}/devices`, {
      kind: 'tower_crane',
      name: 'x',
      location: { lon: 120, lat: 36 },
    });
    expect(noParams.status).toBe(400);
    expect(noParams.body.details.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['params']),
    );
    const nowhere = await t.api('POST', `/api/v1/projects/${projectId}/devices`, {
      ...envMonitor(),
      location: undefined,
    });
    expect(nowhere.body.details.issues[0]).toMatchObject({ path: 'location' });
    const kind = await t.api('POST', `/api/v1/projects/${projectId}/devices`, { ...envMonitor(), kind: 'toaster' });
    expect(kind.status).toBe(400);
    await makeDevice(t, projectId, { ...envMonitor(), hj212: { mn: 'MN-TAKEN', pw: '1' } });
    const dup = await t.api('POST', `/api/v1/projects/${projectId}/devices`, {
      ...envMonitor(),
      hj212: { mn: 'MN-TAKEN', pw: '2' },
    });
    expect(dup).toMatchObject({ status: 409, body: { code: 'duplicate' } });
    expect(
      (await t.api('POST', `/api/v1/projects/00000000-0000-4000-8000-000000000000/devices`, envMonitor())).status,
    ).toBe(404);
  });

  it('serves history: buckets with min/avg/max computed by PostgreSQL, raw readings, and CSV', async () => {
    const { device, apiKey } = await makeDevice(t, projectId, envMonitor('历史'));
    const from = Date.UTC(2026, 4, 1, 8);
    const values = Array.from({ length: 30 }, (_, i) => ({
      time: from + i * 20_000,
      pm10Ugm3: 30 + ((i * 37) % 41),
      noiseDb: 50 + (i % 7),
    }));
    const r = await postIngest(
      t,
      values.map((v) => ({ deviceId: device.id, time: v.time, values: { pm10Ugm3: v.pm10Ugm3, noiseDb: v.noiseDb } })),
      apiKey,
    );
    expect(r.body.accepted).toBe(30);
    const to = from + 600_000;
    const h = await t.api('GET', `/api/v1/devices/${device.id}/readings?from=${from}&to=${to}&bucket=5m`);
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ bucketMs: 300_000, fields: ['noiseDb', 'pm10Ugm3'] });
    expect(h.body.buckets).toHaveLength(2);
    for (const [b, bucket] of h.body.buckets.entries()) {
      const inB = values.filter((v) => v.time >= from + b * 300_000 && v.time < from + (b + 1) * 300_000);
      const pm = inB.map((v) => v.pm10Ugm3);
      expect(bucket.time).toBe(from + b * 300_000);
      expect(bucket.count).toBe(inB.length);
      expect(bucket.values.pm10Ugm3.min).toBe(Math.min(...pm));
      expect(bucket.values.pm10Ugm3.max).toBe(Math.max(...pm));
      expect(bucket.values.pm10Ugm3.avg).toBeCloseTo(pm.reduce((a, v) => a + v, 0) / pm.length, 9);
    }
    const csv = await fetch(
      `${t.url}/api/v1/devices/${device.id}/readings?from=${from}&to=${to}&bucket=300000&format=csv`,
    );
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('time,count,noiseDb_min,noiseDb_avg,noiseDb_max,pm10Ugm3_min,pm10Ugm3_avg,pm10Ugm3_max');
    expect(lines).toHaveLength(3);
    expect(lines[1]!.split(',').slice(0, 2)).toEqual([new Date(from).toISOString(), '15']);
    const raw = await t.api('GET', `/api/v1/devices/${device.id}/readings?from=${from}&to=${from + 60_000}`);
    expect(raw.body.readings.map((x: { time: number }) => x.time)).toEqual([from, from + 20_000, from + 40_000]);
    const rawCsv = await (
      await fetch(`${t.url}/api/v1/devices/${device.id}/readings?from=${from}&to=${from + 40_000}&format=csv`)
    ).text();
    expect(rawCsv).toBe(
      `time,seq,noiseDb,pm10Ugm3\r\n${new Date(from).toISOString()},,50,30\r\n${new Date(from + 20_000).toISOString()},,51,67\r\n`,
    );
    for (const q of ['bucket=fortnight', `from=${to}&to=${from}`, 'bucket=1ms&from=0', 'format=xml']) {
      const bad = await t.api('GET', `/api/v1/devices/${device.id}/readings?${q}`);
      expect(bad.status, q).toBe(400);
    }
  });

  it('refuses NUL and lone surrogates in device and alarm text, and out-of-range times, with 400 (they were 500)', async () => {
    for (const bad of ['塔\u0000吊', '\ud83d塔吊']) {
      const c = await t.api('POST', `/api/v1/projects/${projectId}/devices`, { ...crane(), name: bad });
      expect([c.status, c.body.code], JSON.stringify(bad)).toEqual([400, 'validation_failed']);
      expect(c.body.details.issues[0].path).toBe('name');
      const code = await t.api('POST', `/api/v1/projects/${projectId}/devices`, { ...crane(), code: bad });
      expect([code.status, code.body.code]).toEqual([400, 'validation_failed']);
    }
    const { device } = await makeDevice(t, projectId, crane('好塔吊'));
    const patch = await t.api('PATCH', `/api/v1/devices/${device.id}`, { name: 'x\u0000' });
    expect([patch.status, patch.body.code]).toEqual([400, 'validation_failed']);
    const { alarm } = await t.store.alarms.raise({
      projectId,
      deviceId: device.id,
      rule: 'crane.load',
      quantity: 'loadPct',
      level: 'alarm',
      value: 105,
      threshold: 100,
      message: 'overload',
      time: Date.now(),
    });
    for (const ack of [
      { by: 'ops', comment: 'done\u0000' },
      { by: 'o\ud800ps', comment: 'done' },
    ]) {
      const a = await t.api('POST', `/api/v1/alarms/${alarm.id}/ack`, ack);
      expect([a.status, a.body.code], JSON.stringify(ack)).toEqual([400, 'validation_failed']);
    }
    expect((await t.api('POST', `/api/v1/alarms/${alarm.id}/ack`, { by: 'ops', comment: '已处理' })).status).toBe(200);
    for (const q of [
      'from=-1e20',
      'from=-100000000000000000000',
      'to=100000000000000000000',
      'from=1e20&to=2e20',
      'to=-5',
    ]) {
      const r = await t.api('GET', `/api/v1/devices/${device.id}/readings?${q}`);
      expect(r.status, `${q} ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.code).toBe('validation_failed');
    }
  });
});
