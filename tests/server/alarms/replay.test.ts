import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '../../../models/Alarm.js';
import { ProjectReplay, ProjectStateAt, replayTime } from '../../../models/Replay.js';
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
    const values = { loadT: over ? 8.8 : Math.round(r() * 6000) / 1000, ratedLoadT: 8, slewDeg: Math.round(r() * 3600) / 10, radiusM: 10 + Math.round(r() * 400) / 10, hookHeightM: Math.round(r() * 500) / 10 };
    craneRows.push({ deviceId: craneId, time: from + 1 + s, values });
  }
  const envRows = [];
  for (let s = 0; s < HOUR; s += 60_000) {
    // Noise stays under the night limit (55 dB(A)) so the recorded hour raises the same alarms at any time of day.
    const values: Record<string, number> = s % 120_000 === 0 ? { pm10Ugm3: Math.round(r() * 60) } : { noiseDb: 40 + Math.round(r() * 100) / 10 };
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
  it('state-at answers each device\'s last reading and merged values at sampled instants, with the alarms open then', async () => {
    const r = rng(42);
    const instants = [from, from + 1, from + 5001, from + 30_000, from + 20 * 60_000 + 30_000, from + 21 * 60_000, from + 40 * 60_000, from + HOUR + 60_000];
    for (let i = 0; i < 12; i++) instants.push(from + Math.floor(r() * HOUR));
    const [alarm] = (await t.api('GET', `/api/v1/alarms?projectId=${projectId}`)).body as Alarm[];
    expect(alarm).toMatchObject({ rule: 'crane.load', level: 'alarm', state: 'cleared' });
    for (const at of instants) {
      const res = await t.api('GET', `/api/v1/projects/${projectId}/state-at?t=${at}`);
      expect(res.status).toBe(200);
      const body = ProjectStateAt.parse(res.body);
      for (const id of [craneId, envId]) {
        const want = expectedAt(id, at);
        const got = body.devices.find((d) => d.deviceId === id)!;
        expect(got.last ? { time: got.last.time, values: got.last.values } : null, `last of ${id} at +${at - from} ms`).toEqual(want.last ? { time: want.last.time, values: want.last.values } : null);
        expect(got.values, `merged state of ${id} at +${at - from} ms`).toEqual(want.merged);
      }
      const open = at >= alarm!.raisedAt && at < alarm!.clearedAt!;
      expect(body.alarms.map((a) => a.id), `alarms open at +${at - from} ms`).toEqual(open ? [alarm!.id] : []);
    }
  });

  it('replay series hold, at every step, the value state-at gives for that instant', async () => {
    const stepMs = 10_000;
    const res = await t.api('GET', `/api/v1/projects/${projectId}/replay?from=${from}&to=${from + HOUR}&stepMs=${stepMs}`);
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
    const craneFields = Object.keys(rep.devices.find((d) => d.deviceId === craneId)!.fields).sort();
    expect(craneFields).toEqual(['hookHeightM', 'loadT', 'radiusM', 'ratedLoadT', 'slewDeg']);
    expect(Object.keys(rep.devices.find((d) => d.deviceId === envId)!.fields).sort()).toEqual(['noiseDb', 'pm10Ugm3']);
  });

  it('refuses bad ranges with stable codes', async () => {
    expect((await t.api('GET', `/api/v1/projects/${projectId}/replay?from=${from}&to=${from - 1}`)).body.code).toBe('validation_failed');
    expect((await t.api('GET', `/api/v1/projects/${projectId}/replay?from=${from}&to=${from + 7 * 86_400_000}&stepMs=1000`)).body).toMatchObject({ code: 'validation_failed', details: { issues: [{ path: 'stepMs' }] } });
    expect((await t.api('GET', `/api/v1/projects/${projectId}/state-at`)).body.details.issues[0].path).toBe('t');
    expect((await t.api('GET', `/api/v1/projects/00000000-0000-4000-8000-000000000000/state-at?t=${from}`)).status).toBe(404);
  });
});
