/**
 * Wall KPI and readiness cost on the embedded store (PGlite), about a minute on 2 cores. A city of BENCH_PROJECTS
 * projects (default 30), each with 2 cranes reporting every 10 s for the last hour, a dust/noise monitor every minute
 * for 12 hours, a camera and a gate with 200 events today (~50k readings).
 *  - baseline: one `count(*)` over today's telemetry rows (a single pass over what the KPIs read), same run;
 *  - KPIs for the city and for one project, and the city readiness table; ms per call and ratio to the baseline.
 * The KPI push runs this once per watched room every KPI_PUSH_MS (5 s): the figure says how many rooms that affords.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDayStart } from '../models/localTime.js';
import { rectangleAround } from '../models/geo.js';
import { DEFAULT_READINESS } from '../models/Readiness.js';
import { computeKpis, readinessOf } from '../server/ops/opsFigures.js';
import { openStore } from '../server/store/Store.js';
import type { StoredReading } from '../server/store/TelemetryRepo.js';
import { copyTemplate, preparePgliteTemplate } from '../tests/helpers/pgliteTemplate.js';

const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 30);
const dir = join(mkdtempSync(join(tmpdir(), 'sitetwin-bench-kpis-')), 'pgdata');
copyTemplate(await preparePgliteTemplate(), dir);
const store = await openStore({ dataDir: dir });
const now = Date.now();
const ent = await store.enterprises.create({ name: '基准集团', role: 'contractor' });
const rows: StoredReading[] = [];
const add = (deviceId: string, time: number, values: Record<string, unknown>) =>
  rows.push({ deviceId, time, values, receivedAt: time });
let firstProject = '';
for (let p = 0; p < PROJECTS; p++) {
  const loc = { lon: 120.3 + p * 0.01, lat: 36.1, height: 0 };
  const proj = await store.projects.create({
    name: `工地${p}`,
    enterpriseId: ent.id,
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
  const day = localDayStart(now);
  for (let i = 0; i < 200; i++)
    add(gate.id, day + Math.floor(((now - day) * i) / 200), {
      event: i % 3 === 2 ? 'leave' : 'enter',
      workerId: `W${p}-${i % 120}`,
      trade: ['rebar', 'formwork', 'concrete'][i % 3],
    });
}
for (let i = 0; i < rows.length; i += 5000) await store.telemetry.write(rows.slice(i, i + 5000));
console.log(`${PROJECTS} projects, ${rows.length} readings`);

const time = async (fn: () => Promise<unknown>, runs: number) => {
  await fn();
  const t = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  return (performance.now() - t) / runs;
};
const dayStart = localDayStart(now);
const base = await time(() => store.db.query('SELECT count(*) FROM telemetry WHERE time >= $1', [dayStart]), 10);
console.log(`baseline  count(*) over today's telemetry: ${base.toFixed(1)} ms`);
const city = await time(() => computeKpis(store, { tier: 'city' }, now), 10);
console.log(`KPIs, city tier:                   ${city.toFixed(1)} ms  ratio ${(city / base).toFixed(1)}x`);
const one = await time(() => computeKpis(store, { tier: 'project', id: firstProject }, now), 10);
console.log(`KPIs, one project:                 ${one.toFixed(1)} ms  ratio ${(one / base).toFixed(1)}x`);
const ready = await time(() => readinessOf(store, DEFAULT_READINESS, { all: true }, now), 5);
console.log(`readiness table, all projects:     ${ready.toFixed(1)} ms  ratio ${(ready / base).toFixed(1)}x`);
const k = await computeKpis(store, { tier: 'city' }, now);
console.log(
  `check: ${k.projects.total} projects, ${k.cranes.total} cranes (${k.cranes.inAlarm.value} in alarm), ${k.workers.onSite.value} on site, dust exceedances ${k.dust.exceedances.value}`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
