/**
 * Wall KPI and readiness cost. A city of BENCH_PROJECTS projects (default 30), each with 2 cranes reporting every
 * 10 s for the last hour, a dust/noise monitor every minute for 12 hours, a camera and a gate with 200 events today
 * (~1,650 readings a project: 1.65 M at 1,000 projects), written through the product's write path (so the KPI
 * rollups are kept as in production). `now` is 22:00 local (Asia/Shanghai) of the day before the run, so "today"
 * holds the whole 12 hours whenever the bench runs.
 * Printed, medians of several calls, all in the same run:
 *  - baseline: one `count(*)` over today's telemetry rows (a single pass over what the raw KPIs read);
 *  - the whole city KPI call (rollups: what the product serves) next to the same call scanning raw telemetry;
 *  - each query of the call, rollup and raw where both exist; one project's KPIs; the city readiness table.
 * The KPI push computes every watched room every KPI_PUSH_MS (5 s): the city and each enterprise's wall (projects
 * spread over BENCH_ENTERPRISES, default 10) one after another (computeKpis per scope) next to one pass for them all
 * (computeKpisMany, what KpiPusher does).
 * Env: BENCH_PROJECTS, BENCH_ENTERPRISES, BENCH_STORE=embedded|pg (default embedded), BENCH_DATABASE_URL (pg: a scratch database is
 * made and dropped), BENCH_RUNS (default 9).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHINA_UTC_OFFSET_MIN, localDayStart } from '../models/localTime.js';
import { rectangleAround } from '../models/geo.js';
import { DEFAULT_READINESS } from '../models/Readiness.js';
import type { KpiQuery } from '../models/Kpis.js';
import { computeKpis, computeKpisMany, readinessOf } from '../server/ops/opsFigures.js';
import { openStore, type Store } from '../server/store/Store.js';
import type { StoredReading } from '../server/store/TelemetryRepo.js';
import { createTestDatabase } from '../tests/helpers/childServer.js';
import { copyTemplate, preparePgliteTemplate } from '../tests/helpers/pgliteTemplate.js';

const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 30);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const PG = process.env.BENCH_STORE === 'pg';
const BASE =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

let store: Store;
let cleanup: () => Promise<void>;
if (PG) {
  const db = await createTestDatabase(BASE);
  store = await openStore({ databaseUrl: db.url });
  cleanup = async () => {
    await store.close();
    if (process.env.BENCH_KEEP_DB === '1') console.log(`kept ${db.url}`);
    else await db.drop();
  };
} else {
  const dir = join(mkdtempSync(join(tmpdir(), 'sitetwin-bench-kpis-')), 'pgdata');
  copyTemplate(await preparePgliteTemplate(), dir);
  store = await openStore({ dataDir: dir });
  cleanup = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
}
const now = localDayStart(Date.now()) - 2 * 3_600_000;
const dayStart = localDayStart(now);
const ENTERPRISES = Math.max(1, Number(process.env.BENCH_ENTERPRISES ?? 10));
const ents: string[] = [];
for (let e = 0; e < ENTERPRISES; e++)
  ents.push((await store.enterprises.create({ name: `基准集团${e}`, role: 'contractor' })).id);
let rows: StoredReading[] = [];
let written = 0;
const add = (deviceId: string, time: number, values: Record<string, unknown>) =>
  rows.push({ deviceId, time, values, receivedAt: time });
const flush = async () => {
  for (let i = 0; i < rows.length; i += 5000) await store.telemetry.write(rows.slice(i, i + 5000));
  written += rows.length;
  rows = [];
};
let firstProject = '';
const loadStart = performance.now();
for (let p = 0; p < PROJECTS; p++) {
  const loc = { lon: 120.3 + (p % 100) * 0.01, lat: 36.1 + Math.floor(p / 100) * 0.01, height: 0 };
  const proj = await store.projects.create({
    name: `工地${p}`,
    enterpriseId: ents[p % ENTERPRISES]!,
    address: '',
    regionCode: '370212',
    location: loc,
    footprint: rectangleAround(loc, 100, 80),
    status: 'under_construction',
    heightM: 60,
  });
  firstProject ||= proj.id;
  const dev = (kind: 'tower_crane' | 'env_monitor' | 'camera' | 'gate', params: Record<string, unknown> = {}) =>
    store.devices.create({ projectId: proj.id, kind, name: `${kind}-${p}`, location: loc, params, apiKeyHash: 'x' });
  for (let c = 0; c < 2; c++) {
    const d = await dev('tower_crane', { alarmPct: 100 });
    for (let t = now - 3_600_000; t <= now; t += 10_000)
      add(d.id, t, { loadT: (t / 1000) % 8, ratedLoadT: 8, momentPct: (t / 997) % 110 });
  }
  const env = await dev('env_monitor', { pm10LimitUgm3: 80, noiseDayLimitDb: 70, noiseNightLimitDb: 55 });
  for (let t = now - 12 * 3_600_000; t <= now; t += 60_000)
    add(env.id, t, { pm10Ugm3: 40 + ((t / 60_000) % 60), pm25Ugm3: 30, noiseDb: 50 + ((t / 60_000) % 25) });
  const cam = await dev('camera');
  add(cam.id, now - 5000, { online: true });
  const gate = await dev('gate');
  for (let i = 0; i < 200; i++)
    add(gate.id, dayStart + Math.floor(((now - dayStart) * i) / 200), {
      event: i % 3 === 2 ? 'leave' : 'enter',
      workerId: `W${p}-${i % 120}`,
      trade: ['rebar', 'formwork', 'concrete'][i % 3],
    });
  if (rows.length >= 50_000) await flush();
}
await flush();
await store.db.query('ANALYZE');
console.log(
  `${PG ? 'PostgreSQL' : 'embedded store (PGlite)'}: ${PROJECTS} projects, ${written} readings written through the product path in ${((performance.now() - loadStart) / 1000).toFixed(0)} s; now = ${new Date(now).toISOString()}`,
);
console.log(`load average before: ${load()} (2 cores, shared)`);

/** Median ms of `runs` calls after one warm-up call. */
const time = async (fn: () => Promise<unknown>, runs = RUNS) => {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)]!;
};
const rawRuns = Math.max(3, Math.floor(RUNS / 3));
const city = { all: true } as const;
const off = CHINA_UTC_OFFSET_MIN;
const k = store.kpis;
const base = await time(() => store.db.query('SELECT count(*) FROM telemetry WHERE time >= $1', [dayStart]), rawRuns);
const line = (label: string, ms: number, vs?: number) =>
  console.log(
    `${label.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms  x baseline ${(ms / base).toFixed(2)}${vs ? `  (raw / rollup ${(vs / ms).toFixed(1)}x)` : ''}`,
  );
console.log(`baseline count(*) over today's telemetry:            ${base.toFixed(1).padStart(8)} ms`);
const rawCall = await time(() => k.kpis(city, now, dayStart, off, { raw: true }), rawRuns);
const rollCall = await time(() => computeKpis(store, { tier: 'city' }, now));
line('city KPI call, raw scan (main before the rollups)', rawCall);
line('city KPI call, rollups (computeKpis: what is served)', rollCall, rawCall);
line('  devices + latest (projects, online, cranes)', await time(() => k.devicesPart(city, now)));
const exRaw = await time(() => k.exceedances(city, now, dayStart, off, { raw: true }), rawRuns);
line('  dust/noise exceedances, raw scan', exRaw);
line('  dust/noise exceedances, hourly rollup', await time(() => k.exceedances(city, now, dayStart, off)), exRaw);
const wRaw = await time(() => k.workers(city, now, dayStart, off, { raw: true }), rawRuns);
line('  workers on site, raw scan', wRaw);
line('  workers on site, running counts', await time(() => k.workers(city, now, dayStart, off)), wRaw);
line('  open alarms', await time(() => k.openAlarms(city)));
line('KPIs, one project (rollups)', await time(() => computeKpis(store, { tier: 'project', id: firstProject }, now)));
const pushQs: KpiQuery[] = [{ tier: 'city' }, ...ents.map((id) => ({ tier: 'enterprise' as const, id }))];
const oneByOne = await time(async () => {
  for (const q of pushQs) await computeKpis(store, q, now);
});
line(`KPI push, city + ${ENTERPRISES} enterprises, one after another`, oneByOne);
const onePass = await time(() => computeKpisMany(store, pushQs, now));
console.log(
  `${`KPI push, the same ${pushQs.length} scopes in one pass`.padEnd(52)} ${onePass.toFixed(1).padStart(8)} ms  x baseline ${(onePass / base).toFixed(2)}  (one after another / one pass ${(oneByOne / onePass).toFixed(1)}x)`,
);
line('readiness table, all projects', await time(() => readinessOf(store, DEFAULT_READINESS, { all: true }, now), 3));
const a = await computeKpis(store, { tier: 'city' }, now);
const r = await k.kpis(city, now, dayStart, off, { raw: true });
const rolled = await k.kpis(city, now, dayStart, off);
/** JSON with object keys sorted (the trade map's order follows the rows). */
const canon = (x: unknown): string =>
  JSON.stringify(x, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([p], [q]) => (p < q ? -1 : 1)))
      : v,
  );
const same = canon(rolled) === canon(r);
if (!same) console.log(`rollup ${canon(rolled)}\nraw    ${canon(r)}`);
console.log(
  `check: ${a.projects.total} projects, ${a.cranes.total} cranes (${a.cranes.inAlarm.value} in alarm), ${a.workers.onSite.value} on site, dust exceedances ${a.dust.exceedances.value}, noise ${a.noise.exceedances.value}; rollup figures equal the raw scan: ${same}`,
);
console.log(`load average after: ${load()}`);
await cleanup();
