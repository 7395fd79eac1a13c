import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '../../../models/Alarm.js';
import type { LiveServerMessage } from '../../../models/protocol.js';
import { LiveServerMessage as LiveServerMessageSchema } from '../../../models/protocol.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { collect, crane, envMonitor, makeDevice, makeProject, postIngest } from '../../helpers/telemetry.js';

let t: TestServer;
let projectId: string;

beforeAll(async () => {
  t = await startTestServer();
  projectId = await makeProject(t);
});
afterAll(() => t?.close());

type AlarmMsg = Extract<LiveServerMessage, { type: `alarm.${string}` }>;
const alarmMsgs = (got: LiveServerMessage[], deviceId: string) =>
  got.filter((m): m is AlarmMsg => m.type.startsWith('alarm.') && (m as AlarmMsg).alarm.deviceId === deviceId);

async function subscribed(scope: { kind: 'city' } | { kind: 'project'; projectId: string }) {
  const s = t.live();
  const got = collect(s);
  expect(await s.emitWithAck('msg', { type: 'subscribe', scope })).toEqual({ ok: true });
  return got;
}

describe('alarm engine end to end (real server, HTTP ingest, /live)', () => {
  it('raises an overload sent through POST /api/v1/ingest, pushes it, takes one acknowledgement, clears when the load drops', async () => {
    const projectView = await subscribed({ kind: 'project', projectId });
    const cityView = await subscribed({ kind: 'city' });
    const { device, apiKey } = await makeDevice(t, projectId, crane('过载塔吊'));
    const t0 = Date.now() - 120_000;
    const send = async (dt: number, loadT: number) =>
      expect(
        (await postIngest(t, [{ deviceId: device.id, time: t0 + dt, values: { loadT, ratedLoadT: 8 } }], apiKey))
          .status,
      ).toBe(200);

    await send(0, 7); // 87.5 %: nothing
    await send(1000, 8.4); // 105 %: the alarm line, but not yet for the 2 s minimum
    await send(2000, 8.4);
    const early = await t.api('GET', `/api/v1/alarms?projectId=${projectId}&state=open`);
    expect(early.body.filter((a: Alarm) => a.deviceId === device.id)).toEqual([]);
    await send(3500, 8.4); // held 2.5 s: raised

    await expect
      .poll(() => alarmMsgs(projectView, device.id).map((m) => m.type), { timeout: 2000 })
      .toEqual(['alarm.raised']);
    const raised = alarmMsgs(projectView, device.id)[0]!.alarm;
    expect(raised).toMatchObject({
      projectId,
      rule: 'crane.load',
      quantity: 'loadPct',
      level: 'alarm',
      state: 'open',
      threshold: 100,
      raisedAt: t0 + 3500,
    });
    expect(raised.value).toBeCloseTo(105, 6);
    expect(raised.message).toContain('alarm at 100');
    expect(LiveServerMessageSchema.safeParse(alarmMsgs(projectView, device.id)[0]).success).toBe(true);
    await expect.poll(() => alarmMsgs(cityView, device.id).length).toBe(1);

    const list = await t.api('GET', `/api/v1/alarms?projectId=${projectId}&state=open&level=alarm`);
    expect(list.body.map((a: Alarm) => a.id)).toContain(raised.id);
    expect(
      (await t.api('GET', `/api/v1/projects/${projectId}/alarms?state=open`)).body.map((a: Alarm) => a.id),
    ).toContain(raised.id);

    const ack = await t.api('POST', `/api/v1/alarms/${raised.id}/ack`, { by: '张工', comment: '已减载' });
    expect(ack).toMatchObject({
      status: 200,
      body: { id: raised.id, state: 'acknowledged', acknowledgedBy: '张工', ackComment: '已减载' },
    });
    const again = await t.api('POST', `/api/v1/alarms/${raised.id}/ack`, { by: '李工' });
    expect(again).toMatchObject({ status: 409, body: { code: 'alarm_not_open' } });
    await expect
      .poll(() => alarmMsgs(projectView, device.id).map((m) => m.type))
      .toEqual(['alarm.raised', 'alarm.updated']);

    // Still over the line: acknowledged is not cleared. Then just under the line (inside the hysteresis band): still not.
    await send(5000, 8.3);
    await send(6000, 7.9); // 98.75 %: under 100 but above the clearing line 90 - 3 %
    await send(9000, 7.9);
    expect(
      (await t.api('GET', `/api/v1/alarms?projectId=${projectId}&state=acknowledged`)).body.map((a: Alarm) => a.id),
    ).toContain(raised.id);

    await send(10_000, 4); // 50 %
    await send(12_500, 4); // held 2.5 s: cleared
    await expect
      .poll(() => alarmMsgs(projectView, device.id).map((m) => m.type))
      .toEqual(['alarm.raised', 'alarm.updated', 'alarm.cleared']);
    const cleared = alarmMsgs(projectView, device.id)[2]!.alarm;
    expect(cleared).toMatchObject({
      id: raised.id,
      state: 'cleared',
      clearedAt: t0 + 12_500,
      acknowledgedBy: '张工',
      level: 'alarm',
    });
    expect((await t.api('POST', `/api/v1/alarms/${raised.id}/ack`, { by: '李工' })).body.code).toBe('alarm_not_open');
  });

  it('refuses bad queries and acknowledgements with stable codes', async () => {
    expect((await t.api('GET', '/api/v1/alarms?level=severe')).body.code).toBe('validation_failed');
    expect((await t.api('GET', '/api/v1/alarms?from=10&to=5')).status).toBe(400);
    expect((await t.api('GET', '/api/v1/alarms?limit=100000')).status).toBe(400);
    expect((await t.api('POST', '/api/v1/alarms/00000000-0000-4000-8000-000000000000/ack', { by: 'x' })).status).toBe(
      404,
    );
    expect((await t.api('POST', '/api/v1/alarms/not-a-uuid/ack', { by: 'x' })).status).toBe(404);
    const [a] = (await t.api('GET', `/api/v1/alarms?projectId=${projectId}`)).body as Alarm[];
    expect(a, 'the first test raised one').toBeDefined();
    expect((await t.api('POST', `/api/v1/alarms/${a!.id}/ack`, { comment: 'who?' })).body).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ path: 'by' }] },
    });
  });

  it('escalates a pre-warning to an alarm on the same record, and a restarted engine restores and clears it', async () => {
    const view = await subscribed({ kind: 'project', projectId });
    const { device, apiKey } = await makeDevice(t, projectId, crane('力矩塔吊'));
    const t0 = Date.now() - 100_000;
    const send = (dt: number, momentPct: number) =>
      postIngest(t, [{ deviceId: device.id, time: t0 + dt, values: { momentPct } }], apiKey);
    for (const [dt, m] of [
      [0, 93],
      [2500, 93],
      [3000, 101],
      [5500, 101],
    ] as const)
      expect((await send(dt, m)).status).toBe(200);
    await expect
      .poll(() => alarmMsgs(view, device.id).map((m) => `${m.type}:${m.alarm.level}`))
      .toEqual(['alarm.raised:prewarning', 'alarm.updated:alarm']);
    const id = alarmMsgs(view, device.id)[0]!.alarm.id;
    expect(alarmMsgs(view, device.id)[1]!.alarm.id).toBe(id);

    // A second node on the same store starts with the open alarm and clears it from its own readings.
    const node2 = await startTestServer({ store: { store: t.store, cleanup: async () => {} } });
    try {
      const v2 = node2.live();
      const got2 = collect(v2);
      await v2.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId } });
      const post2 = (dt: number) =>
        fetch(`${node2.url}/api/v1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify([{ deviceId: device.id, time: t0 + dt, values: { momentPct: 40 } }]),
        });
      expect((await post2(8000)).status).toBe(200);
      expect((await post2(10_500)).status).toBe(200);
      await expect.poll(() => alarmMsgs(got2, device.id).map((m) => m.type)).toEqual(['alarm.cleared']);
      expect(alarmMsgs(got2, device.id)[0]!.alarm).toMatchObject({ id, state: 'cleared', clearedAt: t0 + 10_500 });
    } finally {
      await node2.close();
    }
  });

  it('raises one record when two nodes raise the same condition at once (unique open (device, rule))', async () => {
    const { device } = await makeDevice(t, projectId, crane('并发塔吊'));
    const raise = {
      projectId,
      deviceId: device.id,
      rule: 'crane.wind',
      quantity: 'windSpeedMps',
      level: 'alarm' as const,
      value: 12,
      threshold: 10.8,
      message: 'wind',
      time: Date.now(),
    };
    const [a, b] = await Promise.all([t.store.alarms.raise(raise), t.store.alarms.raise(raise)]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.alarm.id).toBe(b.alarm.id);
    expect(await t.store.alarms.clear(a.alarm.id, Date.now())).not.toBeNull();
    expect(await t.store.alarms.clear(a.alarm.id, Date.now()), 'cleared once').toBeNull();
    expect((await t.store.alarms.raise(raise)).created, 'a new episode after the clear').toBe(true);
  });

  it('serves defaults by jurisdiction, takes project overrides, and the engine applies them at once', async () => {
    const g = await t.api('GET', `/api/v1/projects/${projectId}/alarm-thresholds`);
    expect(g.body).toMatchObject({
      jurisdiction: { province: 'Shandong', verified: false },
      overrides: {},
      effective: { noise: { dayDb: 70, nightDb: 55 }, crane: { windAlarmMps: 10.8 } },
    });
    const bad = await t.api('PUT', `/api/v1/projects/${projectId}/alarm-thresholds`, { noise: { nightDb: -5 } });
    expect(bad).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', details: { issues: [{ path: 'noise.nightDb' }] } },
    });
    expect((await t.api('PUT', `/api/v1/projects/${projectId}/alarm-thresholds`, { noise: { bogus: 1 } })).status).toBe(
      400,
    );
    const put = await t.api('PUT', `/api/v1/projects/${projectId}/alarm-thresholds`, {
      noise: { nightDb: 50, minDurationMs: 0 },
    });
    expect(put.body).toMatchObject({
      overrides: { noise: { nightDb: 50, minDurationMs: 0 } },
      effective: { noise: { dayDb: 70, nightDb: 50, minDurationMs: 0 } },
    });

    const view = await subscribed({ kind: 'project', projectId });
    const { device, apiKey } = await makeDevice(t, projectId, envMonitor('夜间噪声'));
    // 23:00 China time (15:00 UTC) of a recent day: night.
    const now = Date.now();
    const day = Math.floor(now / 86_400_000) * 86_400_000;
    const night = day + 15 * 3_600_000 <= now ? day + 15 * 3_600_000 : day - 9 * 3_600_000;
    expect((await postIngest(t, [{ deviceId: device.id, time: night, values: { noiseDb: 52 } }], apiKey)).status).toBe(
      200,
    );
    await expect
      .poll(() => alarmMsgs(view, device.id).map((m) => `${m.alarm.rule}:${m.alarm.level}:${m.alarm.threshold}`))
      .toEqual(['env.noise:alarm:50']);
    expect((await t.api('GET', '/api/v1/projects/00000000-0000-4000-8000-000000000000/alarm-thresholds')).status).toBe(
      404,
    );
  });

  it('computes crane clearance from live poses: a collision alarm and crane.clearance messages while the risk lasts', async () => {
    const view = await subscribed({ kind: 'project', projectId });
    // Two cranes 60 m apart east-west at one height, jibs 55 m: slewed at each other the jibs overlap.
    const west = await makeDevice(t, projectId, {
      ...crane('西塔吊'),
      location: { lon: 120.47, lat: 36.1, height: 0 },
    });
    const east = await makeDevice(t, projectId, {
      ...crane('东塔吊'),
      location: { lon: 120.47 + 60 / (111_319.49 * Math.cos((36.1 * Math.PI) / 180)), lat: 36.1, height: 0 },
    });
    const [lo, hi] = [west.device.id, east.device.id].sort() as [string, string];
    const t0 = Date.now() - 60_000;
    const pose = (dt: number, westSlew: number, eastSlew: number) =>
      postIngest(t, [
        {
          deviceId: west.device.id,
          key: west.apiKey,
          time: t0 + dt,
          values: { slewDeg: westSlew, radiusM: 20, hookHeightM: 30 },
        },
        {
          deviceId: east.device.id,
          key: east.apiKey,
          time: t0 + dt,
          values: { slewDeg: eastSlew, radiusM: 20, hookHeightM: 30 },
        },
      ]);
    expect((await pose(0, 90, 270)).status).toBe(200);
    expect((await pose(2500, 90, 270)).status).toBe(200);
    const collisions = () =>
      view.filter(
        (m): m is AlarmMsg => m.type.startsWith('alarm.') && (m as AlarmMsg).alarm.rule.startsWith('crane.collision'),
      );
    await expect.poll(() => collisions().map((m) => m.type)).toEqual(['alarm.raised']);
    expect(collisions()[0]!.alarm).toMatchObject({
      deviceId: lo,
      rule: `crane.collision:${hi}`,
      quantity: 'clearanceM',
      level: 'alarm',
      value: expect.closeTo(0, 2),
      threshold: 2,
      details: { otherDeviceId: hi, conflict: 'jibs' },
    });
    const clearances = () => view.flatMap((m) => (m.type === 'crane.clearance' ? [m.clearance] : []));
    expect(clearances()[0]).toMatchObject({
      projectId,
      a: lo,
      b: hi,
      level: 'alarm',
      clearanceM: expect.closeTo(0, 2),
      conflict: 'jibs',
    });
    const line = clearances()[0]!.closest!;
    expect(line.a.lon).toBeGreaterThan(120.47);
    expect(line.a.height).toBe(60);

    // Slewed apart: 30 m between the jibs. The risk ends (one last message with level null), the alarm clears after 2 s.
    expect((await pose(5000, 270, 90)).status).toBe(200);
    expect((await pose(7500, 270, 90)).status).toBe(200);
    await expect.poll(() => collisions().map((m) => m.type)).toEqual(['alarm.raised', 'alarm.cleared']);
    expect(clearances().at(-1)).toMatchObject({ a: lo, b: hi, level: null });
    expect(clearances().filter((c) => c.level === null)).toHaveLength(1);
  });
});
