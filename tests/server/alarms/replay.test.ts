import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '../../../models/Alarm.js';
import { ProjectReplay, ProjectStateAt, replayTime } from '../../../models/Replay.js';
import { DeviceStore } from '../../../client/devices/DeviceStore.js';
import { ReplayController } from '../../../client/replay/ReplayController.js';
import { alarmsOpenAt } from '../../../client/replay/replaySampling.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { crane, envMonitor, makeDevice, makeProject, postIngest } from '../../helpers/telemetry.js';

/** A recorded hour: a crane every 5 s (full readings, one overload episode) and a dust monitor every 60 s sending only what changed. */
const HOUR = 3_600_000;
let t: TestServer;
let projectId: string;
let craneId: string;
let envId: string;
let from: number;
const sent: { deviceId: string; time: number; values: Record<string, number> }[] = [];

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  t = await startTestServer();
  projectId = await makeProject(t);
  const c = await makeDevice(t, projectId, crane('回放塔吊'));
  const e = await makeDevice(t, projectId, envMonitor('回放扬尘'));
  craneId = c.device.id;
  envId = e.device.id;
  from = Math.floor((Date.now() - 3 * HOUR) / 1000) * 1000;
  const r = rng(6);
  const craneRows = [];
  for (let s = 0; s < HOUR; s += 5000) {
    // Minutes 20-22 lift 110 % of the rating: an overload alarm from ~20:02 to ~22:02.
    const over = s >= 20 * 60_000 && s < 22 * 60_000;
    const values = {
      loadT: over ? 8.8 : Math.round(r() * 6000) / 1000,
      ratedLoadT: 8,
      slewDeg: Math.round(r() * 3600) / 10,
      radiusM: 10 + Math.round(r() * 400) / 10,
      hookHeightM: Math.round(r() * 500) / 10,
    };
    craneRows.push({ deviceId: craneId, time: from + 1 + s, values });
  }
  const envRows = [];
  for (let s = 0; s < HOUR; s += 60_000) {
    // Noise stays under the night limit (55 dB(A)) so the recorded hour raises the same alarms at any time of day.
    const values: Record<string, number> =
      s % 120_000 === 0 ? { pm10Ugm3: Math.round(r() * 60) } : { noiseDb: 40 + Math.round(r() * 100) / 10 };
    envRows.push({ deviceId: envId, time: from + 30_000 + s, values });
  }
  expect((await postIngest(t, craneRows, c.apiKey)).body).toMatchObject({ accepted: craneRows.length, rejected: [] });
  expect((await postIngest(t, envRows, e.apiKey)).body).toMatchObject({ accepted: envRows.length, rejected: [] });
  sent.push(...craneRows, ...envRows);
  await t.server.alarms.idle();
});
afterAll(() => t?.close());

/** What the store must answer at `at`: the last reading, and each field's last value (readings are partial). */
function expectedAt(deviceId: string, at: number) {
  const rows = sent.filter((x) => x.deviceId === deviceId && x.time <= at).sort((a, b) => a.time - b.time);
  const merged: Record<string, number> = {};
  for (const row of rows) Object.assign(merged, row.values);
  return { last: rows.at(-1) ?? null, merged };
}

describe('replay of a recorded hour', () => {
  it("state-at answers each device's last reading and merged values at sampled instants, with the alarms open then", async () => {
    const r = rng(42);
    const instants = [
      from,
      from + 1,
      from + 5001,
      from + 30_000,
      from + 20 * 60_000 + 30_000,
      from + 21 * 60_000,
      from + 40 * 60_000,
      from + HOUR + 60_000,
    ];
    for (let i = 0; i < 12; i++) instants.push(from + Math.floor(r() * HOUR));
    const alarms = (await t.api('GET', `/api/v1/alarms?projectId=${projectId}`)).body as Alarm[];
    // The recorded hour raised exactly one alarm, during the overload episode (minutes 20-22, crane every 5 s).
    expect(alarms).toHaveLength(1);
    const alarm = alarms[0]!;
    expect(alarm).toMatchObject({ rule: 'crane.load', level: 'alarm', state: 'cleared', deviceId: craneId });
    // Raised by the second overloaded reading (the first one held past the 2 s minimum duration), cleared by the
    // second normal one.
    expect(alarm.raisedAt).toBe(from + 1 + 20 * 60_000 + 5000);
    expect(alarm.clearedAt).toBe(from + 1 + 22 * 60_000 + 5000);
    for (const at of instants) {
      const res = await t.api('GET', `/api/v1/projects/${projectId}/state-at?t=${at}`);
      expect(res.status).toBe(200);
      const body = ProjectStateAt.parse(res.body);
      for (const id of [craneId, envId]) {
        const want = expectedAt(id, at);
        const got = body.devices.find((d) => d.deviceId === id)!;
        expect(
          got.last ? { time: got.last.time, values: got.last.values } : null,
          `last of ${id} at +${at - from} ms`,
        ).toEqual(want.last ? { time: want.last.time, values: want.last.values } : null);
        expect(got.values, `merged state of ${id} at +${at - from} ms`).toEqual(want.merged);
      }
      const open = at >= alarm!.raisedAt && at < alarm!.clearedAt!;
      expect(
        body.alarms.map((a) => a.id),
        `alarms open at +${at - from} ms`,
      ).toEqual(open ? [alarm!.id] : []);
    }
  });

  it('replay series hold, at every step, the value state-at gives for that instant', async () => {
    const stepMs = 10_000;
    const res = await t.api(
      'GET',
      `/api/v1/projects/${projectId}/replay?from=${from}&to=${from + HOUR}&stepMs=${stepMs}`,
    );
    expect(res.status).toBe(200);
    const rep = ProjectReplay.parse(res.body);
    expect(rep.steps).toBe(HOUR / stepMs + 1);
    expect(rep.alarms).toHaveLength(1);
    for (const d of rep.devices) {
      for (const [field, series] of Object.entries(d.fields)) {
        expect(series).toHaveLength(rep.steps);
        for (let k = 0; k < rep.steps; k++) {
          const want = expectedAt(d.deviceId, replayTime(rep, k)).merged[field] ?? null;
          if (series[k] !== want) expect.fail(`${d.kind}.${field} at step ${k}: got ${series[k]}, stored ${want}`);
        }
      }
    }
    // The alarms open at each step are those the stored alarm list says were open then.
    const [alarm] = (await t.api('GET', `/api/v1/alarms?projectId=${projectId}`)).body as Alarm[];
    let openSteps = 0;
    for (let k = 0; k < rep.steps; k++) {
      const at = replayTime(rep, k);
      const open = alarmsOpenAt(rep.alarms, at).map((a) => a.id);
      expect(open, `alarms open at step ${k}`).toEqual(
        at >= alarm!.raisedAt && at < alarm!.clearedAt! ? [alarm!.id] : [],
      );
      openSteps += open.length;
    }
    expect(openSteps).toBeGreaterThanOrEqual(11); // ~2 min of a 10 s step
    const craneFields = Object.keys(rep.devices.find((d) => d.deviceId === craneId)!.fields).sort();
    expect(craneFields).toEqual(['hookHeightM', 'loadT', 'radiusM', 'ratedLoadT', 'slewDeg']);
    expect(Object.keys(rep.devices.find((d) => d.deviceId === envId)!.fields).sort()).toEqual(['noiseDb', 'pm10Ugm3']);
  });

  it('the client replay player, fed by this server, shows the stored values at sampled instants with the alarms open then', async () => {
    const store = new DeviceStore();
    const devices = (await t.api('GET', `/api/v1/projects/${projectId}/devices`)).body;
    store.reset(projectId, devices);
    expect(store.size).toBe(2);
    const requested: { from: number; to: number; stepMs: number }[] = [];
    const player = new ReplayController(store, async (pid, f, to, stepMs) => {
      requested.push({ from: f, to, stepMs });
      const res = await t.api('GET', `/api/v1/projects/${pid}/replay?from=${f}&to=${to}&stepMs=${stepMs}`);
      expect(res.status).toBe(200);
      return ProjectReplay.parse(res.body);
    });
    let shownAlarms: Alarm[] | null = null;
    player.onAlarms.add((a) => (shownAlarms = a));
    const [alarm] = (await t.api('GET', `/api/v1/alarms?projectId=${projectId}`)).body as Alarm[];
    try {
      const r = rng(7);
      // Whole seconds: the player's windows start there, so it shows the stored state, not an interpolation.
      const instants = [
        from + 1000,
        from + 20 * 60_000 + 30_000,
        from + 21 * 60_000,
        from + 45 * 60_000,
        from + 10 * 60_000,
      ];
      for (let i = 0; i < 8; i++) instants.push(from + Math.floor(r() * 3600) * 1000);
      await player.enter(instants[0]!);
      for (const at of instants) {
        await player.seek(at);
        expect(player.status).toMatchObject({ t: at, loading: false, error: null });
        for (const id of [craneId, envId]) {
          const shown = store.get(id)!;
          expect(shown.time).toBe(at);
          const want = expectedAt(id, at).merged;
          // Held numbers of the stored merged state (the env monitor's fields arrive one at a time).
          expect(shown.values, `player state of ${id} at +${at - from} ms`).toEqual(want);
        }
        const open = at >= alarm!.raisedAt && at < alarm!.clearedAt!;
        expect(
          shownAlarms!.map((a) => a.id),
          `alarms shown at +${at - from} ms`,
        ).toEqual(open ? [alarm!.id] : []);
        expect(player.status.alarmsOpen).toBe(open ? 1 : 0);
      }
      // Between two samples the crane's numbers lie between the stored readings around the instant.
      const mid = from + 33 * 60_000 + 500;
      await player.seek(mid);
      const lo = expectedAt(craneId, mid - 500).merged.loadT!;
      const hi = expectedAt(craneId, mid + 500).merged.loadT!;
      const shownLoad = store.get(craneId)!.values.loadT as number;
      expect(shownLoad).toBeGreaterThanOrEqual(Math.min(lo, hi));
      expect(shownLoad).toBeLessThanOrEqual(Math.max(lo, hi));
      expect(requested.length).toBeGreaterThan(1);
    } finally {
      player.dispose();
    }
  });

  it('refuses bad ranges with stable codes', async () => {
    expect((await t.api('GET', `/api/v1/projects/${projectId}/replay?from=${from}&to=${from - 1}`)).body.code).toBe(
      'validation_failed',
    );
    expect(
      (await t.api('GET', `/api/v1/projects/${projectId}/replay?from=${from}&to=${from + 7 * 86_400_000}&stepMs=1000`))
        .body,
    ).toMatchObject({ code: 'validation_failed', details: { issues: [{ path: 'stepMs' }] } });
    expect((await t.api('GET', `/api/v1/projects/${projectId}/state-at`)).body.details.issues[0].path).toBe('t');
    expect(
      (await t.api('GET', `/api/v1/projects/00000000-0000-4000-8000-000000000000/state-at?t=${from}`)).status,
    ).toBe(404);
  });
});
