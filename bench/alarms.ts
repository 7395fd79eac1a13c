/**
 * Alarm engine and replay benchmark (about 1 minute). Needs PostgreSQL + PostGIS: BENCH_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test; scratch databases are made and dropped).
 *
 * 1. Rule cost per reading: measuresOf + the state machine for every measure, next to parseValues (the zod check the
 *    ingest already runs on every reading) of the same readings: ratio.
 * 2. Ingest throughput with the AlarmEngine listening (waiting until it evaluated each batch) next to the same
 *    ingest with no listener, into fresh databases: ratio, target >= 0.8.
 * 3. Replay of a recorded hour (20 devices at 1 Hz = 72k readings, 10 s steps) next to fetching those raw rows
 *    (what a client-side replay would need): ratio; and state-at latency.
 */
import pg from 'pg';
import { Server as IoServer } from 'socket.io';
import { measuresOf } from '../models/alarmRules/index.js';
import { defaultThresholds } from '../models/alarmRules/thresholds.js';
import { IDLE, stepChannel, type ChannelState } from '../models/alarmState.js';
import { parseValues, type Device } from '../models/Device.js';
import { rectangleAround } from '../models/geo.js';
import { AlarmEngine } from '../server/alarms/AlarmEngine.js';
import { openAccessPolicy } from '../server/auth/access.js';
import { hashApiKey } from '../server/security/deviceSecrets.js';
import { Ingest } from '../server/ingest/Ingest.js';
import { createLogger } from '../server/log.js';
import { LiveHub } from '../server/realtime/LiveHub.js';
import { buildReplay, projectStateAt } from '../server/replay/replay.js';
import { openStore, type Store } from '../server/store/Store.js';

const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = Number(process.env.BENCH_ROWS ?? 60_000);
const BATCH = 1000;
const log = createLogger('silent');

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: BASE });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
async function freshStore(name: string): Promise<Store> {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(BASE);
  u.pathname = `/${name}`;
  return openStore({ databaseUrl: u.toString() });
}

const CRANE = {
  mastHeightM: 60,
  jibLengthM: 55,
  counterJibLengthM: 15,
  maxLoadT: 8,
  maxRadiusM: 55,
  preWarnPct: 90,
  alarmPct: 100,
};

/** A crane reading of a lift cycle; one lift in 40 is a 105 % overload held for 20 s (a transition every few hundred). */
function craneValues(i: number) {
  const over = Math.floor(i / 20) % 40 === 0;
  return {
    loadT: over ? 8.4 : 2 + (i % 50) / 10,
    ratedLoadT: 8,
    momentPct: over ? 104 : 30 + (i % 50),
    radiusM: 10 + (i % 40),
    slewDeg: (i * 3) % 360,
    hookHeightM: 20 + (i % 30),
    windSpeedMps: 3 + (i % 7) / 2,
    tiltXDeg: 0.05,
    tiltYDeg: 0.02,
  };
}

async function makeSite(store: Store, cranes: number) {
  const e = await store.enterprises.create({ name: 'Bench', role: 'contractor' });
  const loc = { lon: 120.47, lat: 36.1 };
  const p = await store.projects.create({
    name: 'bench',
    enterpriseId: e.id,
    address: '',
    regionCode: '370212',
    status: 'under_construction',
    heightM: 30,
    location: { ...loc, height: 0 },
    footprint: rectangleAround(loc, 300, 300),
  });
  const devices: { d: Device; key: string }[] = [];
  for (let i = 0; i < cranes; i++) {
    const key = `stk_bench_${i}`;
    // Cranes 80 m apart on a line: neighbours' jib circles overlap, so clearance runs on every batch.
    const rec = await store.devices.create({
      projectId: p.id,
      kind: 'tower_crane',
      name: `TC${i}`,
      params: CRANE,
      location: { lon: 120.47 + (i * 80) / 90_000, lat: 36.1, height: 0 },
      apiKeyHash: hashApiKey(key),
    });
    const { apiKeyHash: _h, hj212PwHash: _p, ...d } = rec;
    devices.push({ d, key });
  }
  return { projectId: p.id, devices };
}

// ---- 1. pure rule cost ---------------------------------------------------------------------------------------------
{
  const device = { kind: 'tower_crane' as const, params: CRANE };
  const values = Array.from({ length: 100_000 }, (_, i) => craneValues(i));
  const T = defaultThresholds('370212');
  for (let i = 0; i < 5000; i++) parseValues(device, values[i]); // warm-up
  let t = performance.now();
  for (const v of values) parseValues(device, v);
  const base = (performance.now() - t) / values.length;
  const channels = new Map<string, ChannelState>();
  t = performance.now();
  let transitions = 0;
  values.forEach((v, i) => {
    for (const m of measuresOf('tower_crane', CRANE, v, i * 1000, T)) {
      const r = stepChannel(channels.get(m.rule) ?? IDLE, m.value, i * 1000, m);
      channels.set(m.rule, r.state);
      if (r.transition) transitions++;
    }
  });
  const rules = (performance.now() - t) / values.length;
  console.log(
    `1. rules: baseline parseValues ${(base * 1000).toFixed(2)} us/reading; measuresOf+stepChannel ${(rules * 1000).toFixed(2)} us/reading; ratio ${(rules / base).toFixed(2)} (${transitions} transitions in ${values.length} readings)`,
  );
}

// ---- 2. ingest with and without the engine --------------------------------------------------------------------------
async function ingestRate(withEngine: boolean): Promise<{ perS: number; alarms: number }> {
  const name = withEngine ? 'sitetwin_bench_alarm_on' : 'sitetwin_bench_alarm_off';
  const store = await freshStore(name);
  try {
    const site = await makeSite(store, 20);
    const ingest = new Ingest(store, log);
    const io = new IoServer();
    const engine = new AlarmEngine(store, new LiveHub(io, store, openAccessPolicy, log), log);
    if (withEngine) await engine.start(ingest);
    const t0 = Date.UTC(2026, 9, 1);
    await store.telemetry.ensurePartitions([t0, t0 + ROWS * 50]);
    const items = Array.from({ length: ROWS }, (_, i) => {
      const k = Math.floor(i / site.devices.length);
      const dev = site.devices[i % site.devices.length]!;
      return { deviceId: dev.d.id, key: dev.key, seq: k, time: t0 + k * 1000, values: craneValues(k + (i % 7)) };
    });
    const start = performance.now();
    for (let i = 0; i < items.length; i += BATCH) {
      await ingest.submit(items.slice(i, i + BATCH), { transport: 'http' });
      await engine.idle();
    }
    const perS = ROWS / ((performance.now() - start) / 1000);
    const alarms = (await store.alarms.list({ limit: 1000 })).length;
    await engine.dispose();

    return { perS, alarms };
  } finally {
    await store.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
{
  const off = await ingestRate(false);
  const on = await ingestRate(true);
  console.log(
    `2. ingest ${ROWS} crane readings, 20 cranes, batches of ${BATCH}: baseline without engine ${off.perS.toFixed(0)}/s; with engine ${on.perS.toFixed(0)}/s (${on.alarms} alarm records); ratio ${(on.perS / off.perS).toFixed(2)} (target >= 0.8)`,
  );
}

// ---- 3. replay of a recorded hour ----------------------------------------------------------------------------------
{
  const name = 'sitetwin_bench_replay';
  const store = await freshStore(name);
  try {
    const site = await makeSite(store, 20);
    const ingest = new Ingest(store, log);
    const t0 = Date.UTC(2026, 9, 2);
    const rows = [];
    for (let s = 0; s < 3600; s++)
      for (const dev of site.devices)
        rows.push({ deviceId: dev.d.id, key: dev.key, time: t0 + s * 1000, values: craneValues(s) });
    for (let i = 0; i < rows.length; i += 5000) await ingest.submit(rows.slice(i, i + 5000), { transport: 'http' });
    await store.db.query('ANALYZE telemetry');
    const time = async (fn: () => Promise<unknown>, n = 3) => {
      await fn();
      const t = performance.now();
      for (let i = 0; i < n; i++) await fn();
      return (performance.now() - t) / n;
    };
    const raw = await time(async () =>
      Promise.all(site.devices.map((d) => store.telemetry.readings(d.d.id, t0, t0 + 3_600_001, 10_000))),
    );
    const rep = await time(() => buildReplay(store, site.projectId, t0, t0 + 3_600_000, 10_000, 86_400_000));
    const at = await time(() => projectStateAt(store, site.projectId, t0 + 1_800_500, 86_400_000), 10);
    const body = JSON.stringify(
      await buildReplay(store, site.projectId, t0, t0 + 3_600_000, 10_000, 86_400_000),
    ).length;
    console.log(
      `3. replay of 1 h x 20 devices (${rows.length} readings): baseline raw fetch ${raw.toFixed(0)} ms; replay at 10 s steps ${rep.toFixed(0)} ms (${(body / 1024).toFixed(0)} KiB JSON); ratio ${(rep / raw).toFixed(2)}; state-at ${at.toFixed(1)} ms`,
    );
  } finally {
    await store.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
