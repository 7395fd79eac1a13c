/**
 * Telemetry benchmark, loopback only, bounded in time (about 2 minutes). Needs PostgreSQL + PostGIS:
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a scratch database is made and dropped).
 * Parts 1 and 2 are for the PostgreSQL server store (the one for sustained rates); part 3 is the embedded store
 * (PGlite + PostGIS, what `npm start` gives everyone), in this process.
 *
 * 1. Sustained ingest rate through Ingest.submit (validation, keys, dedupe, group commit, insert + latest state)
 *    for both write paths (one-statement unnest + ON CONFLICT; COPY with fallback on a repeat) with 1 and 4 submitters in flight
 *    (group commit with its server defaults: up to 2 group transactions in flight on PostgreSQL), next to a raw
 *    COPY of the same rows into the same table of a fresh database (run before and after each candidate; its ratio is
 *    to the mean of those two): ratio, target
 *    >= 0.5. CPU per reading (node, PostgreSQL backends) from /proc, which other load on the machine does not skew.
 * 2. End-to-end latency ingest -> 50 `/live` viewers at 5k readings/s (HTTP batches of 100 every 20 ms, 2500
 *    devices at 2 Hz over 10 projects, 5 viewers per project) next to a bare Socket.IO server broadcasting the same
 *    batches at once: p50 / p99, target p99 < 250 ms. Server RSS sampled from /proc. The server and the baseline
 *    run in child processes (bench/telemetryLive.ts); the server prints its group-commit counters on exit.
 * 3. Embedded store: sustained ingest through Ingest.submit on PGlite + PostGIS (both write paths, 1 and 4
 *    submitters; PGlite serialises transactions, so 4 submitters only grow the groups) next to a raw PGlite COPY of
 *    the same rows into the same table of a fresh store (COPY FROM '/dev/blob', one statement; interleaved as in
 *    part 1): ratio and readings/s. CPU per reading is this process's (PGlite runs in it).
 * Env: BENCH_ROWS, BENCH_PGLITE_ROWS (part 3, default 100 000), BENCH_LIVE_S, BENCH_SKIP_INGEST=1, BENCH_SKIP_LIVE=1,
 * BENCH_SKIP_PGLITE=1, BENCH_ONLY_PGLITE=1, BENCH_PREV_MONTH=1, BENCH_WRITE_MODE=copy|unnest (part 2),
 * BENCH_NODE_ARGS (server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { from as copyFrom } from 'pg-copy-streams';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { rectangleAround } from '../models/geo.js';
import { PROTOCOL_VERSION, type LiveServerMessage } from '../models/protocol.js';
import { hashApiKey } from '../server/security/deviceSecrets.js';
import { Ingest } from '../server/ingest/Ingest.js';
import { createLogger } from '../server/log.js';
import { openStore, type Store } from '../server/store/Store.js';
import type { WriteMode } from '../server/store/TelemetryRepo.js';
import { copyTemplate, preparePgliteTemplate } from '../tests/helpers/pgliteTemplate.js';

const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const INGEST_ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const PGLITE_ROWS = Number(process.env.BENCH_PGLITE_ROWS ?? 100_000);
/** BENCH_PREV_MONTH=1: partition the month before the rows', so the cross-month repeat lookup runs on every batch. */
const PREV_MONTH = process.env.BENCH_PREV_MONTH === '1';
const BATCH = 1000;
const LIVE_RATE = 5000;
const LIVE_SECONDS = Number(process.env.BENCH_LIVE_S ?? 10);
const VIEWERS = 50;
/** Write path of the server in part 2 (TelemetryRepo.writeMode). */
const LIVE_MODE: WriteMode = process.env.BENCH_WRITE_MODE === 'unnest' ? 'unnest' : 'copy';
const PROJECTS = 10;
const LIVE_DEVICES = 2500;
const tmp = mkdtempSync(join(tmpdir(), 'sitetwin-bench-'));
const log = createLogger('silent');

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: BASE });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
async function freshDb(name: string): Promise<string> {
  await withAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const u = new URL(BASE);
  u.pathname = `/${name}`;
  return u.toString();
}
const dropDb = (name: string) => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

interface Fleet {
  devices: { id: string; key: string; projectId: string }[];
}
async function makeFleet(store: Store, projects: number, devices: number): Promise<Fleet> {
  const e = await store.enterprises.create({ name: 'Bench Construction', role: 'contractor' });
  const ps = [];
  for (let i = 0; i < projects; i++) {
    const loc = { lon: 120.3 + i * 0.01, lat: 36.07 };
    ps.push(
      await store.projects.create({
        name: `P${i}`,
        enterpriseId: e.id,
        address: '',
        regionCode: '370202',
        status: 'under_construction',
        heightM: 30,
        location: { ...loc, height: 0 },
        footprint: rectangleAround(loc, 100, 100),
      }),
    );
  }
  const out: Fleet['devices'] = [];
  for (let i = 0; i < devices; i++) {
    const key = `stk_bench_${i}_${Math.random().toString(36).slice(2)}`;
    const projectId = ps[i % projects]!.id;
    const d = await store.devices.create({
      projectId,
      kind: 'env_monitor',
      name: `dust ${i}`,
      params: {},
      location: { lon: 120.3, lat: 36.07, height: 2 },
      apiKeyHash: hashApiKey(key),
    });
    out.push({ id: d.id, key, projectId });
  }
  return { devices: out };
}

const reading = (d: Fleet['devices'][number], seq: number, time: number, withKey = true) => ({
  deviceId: d.id,
  seq,
  time,
  values: { pm10Ugm3: 40 + (seq % 50), pm25Ugm3: 20 + (seq % 30), noiseDb: 55 + (seq % 20) / 2, temperatureC: 21.5 },
  ...(withKey ? { key: d.key } : {}),
});

// ---- 1. ingest rate vs raw COPY ---------------------------------------------------------------------------------

/** CPU seconds (user + system) of a process, from /proc: contention-proof cost next to the wall-clock rates. */
function cpuS(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
/** PostgreSQL backends serving one database (their CPU is the store's share of the work). */
async function backendPids(db: string): Promise<number[]> {
  return withAdmin(async (c) =>
    (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db])).rows.map(
      (r) => r.pid,
    ),
  );
}
async function backendsCpuS(db: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const pid of await backendPids(db)) {
    try {
      out.set(pid, cpuS(pid));
    } catch {
      /* gone between the two reads */
    }
  }
  return out;
}
const cpuDelta = (a: Map<number, number>, b: Map<number, number>) =>
  [...b].reduce((sum, [pid, t]) => sum + t - (a.get(pid) ?? 0), 0);

interface Run {
  label: string;
  rate: number;
  /** CPU microseconds per reading: this process (node) and the database backends. */
  nodeUs: number;
  pgUs: number;
}

const t0 = Date.UTC(2026, 9, 1);
const rowsFor = (fleet: Fleet, n = INGEST_ROWS) =>
  Array.from({ length: n }, (_, i) => reading(fleet.devices[i % 500]!, Math.floor(i / 500), t0 + i * 10));

/** Ingest.submit into a fresh database with `writers` submitters in flight (devices do not wait for each other). */
async function ingestRun(mode: WriteMode, writers: number): Promise<Run> {
  const name = 'sitetwin_bench_ingest';
  const store = await openStore({ databaseUrl: await freshDb(name) });
  store.telemetry.writeMode = mode;
  const fleet = await makeFleet(store, 1, 500);
  const items = rowsFor(fleet);
  const ingest = new Ingest(store, log);
  await store.telemetry.ensurePartitions([t0, t0 + INGEST_ROWS * 10]); // both sides start with the partitions made
  // The rows are in the first day of a month: with the month before partitioned (as it is once a site has run a
  // month), every batch is also looked up there for seq repeats across the month boundary (an empty partition here).
  if (PREV_MONTH) await store.telemetry.ensurePartitions([t0 - 1]);
  const pg0 = await backendsCpuS(name);
  const n0 = process.cpuUsage();
  const start = performance.now();
  let accepted = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < items.length) {
        const i = next;
        next += BATCH;
        const r = await ingest.submit(items.slice(i, i + BATCH), { transport: 'http' });
        accepted += r.accepted; // not `accepted += await ...`: that reads `accepted` before the await
      }
    }),
  );
  const s = (performance.now() - start) / 1000;
  const n = process.cpuUsage(n0);
  const pgS = cpuDelta(pg0, await backendsCpuS(name));
  if (accepted !== INGEST_ROWS) throw new Error(`ingest accepted ${accepted} of ${INGEST_ROWS}`);
  ingest.dispose();
  await store.close();
  await dropDb(name);
  return {
    label: `Ingest.submit, ${mode} path, ${writers} writer${writers > 1 ? 's' : ''}`,
    rate: INGEST_ROWS / s,
    nodeUs: (n.user + n.system) / INGEST_ROWS,
    pgUs: (pgS * 1e6) / INGEST_ROWS,
  };
}

/** The same rows as one raw COPY (text prepared beforehand) into the same table of a fresh database. */
async function copyRun(): Promise<Run> {
  const name = 'sitetwin_bench_copy';
  const url = await freshDb(name);
  const store = await openStore({ databaseUrl: url });
  const fleet = await makeFleet(store, 1, 500);
  await store.telemetry.ensurePartitions([t0, t0 + INGEST_ROWS * 10]);
  await store.close();
  const now = Date.now();
  const text = rowsFor(fleet)
    .map((r) => `${r.deviceId}\t${r.time}\t${r.seq}\t${now}\t${JSON.stringify(r.values)}\n`)
    .join('');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const pid = (await c.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0]!.p;
  const cpu0 = cpuS(pid);
  const start = performance.now();
  const stream = c.query(copyFrom('COPY telemetry (device_id, time, seq, received_at, vals) FROM STDIN'));
  const done = once(stream, 'finish');
  stream.end(text);
  await done;
  const s = (performance.now() - start) / 1000;
  const pgS = cpuS(pid) - cpu0;
  await c.end();
  await dropDb(name);
  return {
    label: 'baseline raw COPY (one statement)',
    rate: INGEST_ROWS / s,
    nodeUs: 0,
    pgUs: (pgS * 1e6) / INGEST_ROWS,
  };
}

async function ingestVsCopy(): Promise<{ copy: Run; copies: Run[]; runs: (Run & { baseline: number })[] }> {
  // Interleaved: a baseline COPY before and after each candidate, and each candidate's ratio is to the mean of the
  // two around it, so a change in the machine's load (other work on the shared machine) hits both sides alike.
  const copies = [await copyRun()];
  const runs: (Run & { baseline: number })[] = [];
  for (const mode of ['unnest', 'copy'] as WriteMode[]) {
    for (const w of [1, 4]) {
      const r = await ingestRun(mode, w);
      copies.push(await copyRun());
      runs.push({ ...r, baseline: (copies.at(-2)!.rate + copies.at(-1)!.rate) / 2 });
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const copy = {
    ...copies[0]!,
    rate: mean(copies.map((c) => c.rate)),
    pgUs: mean(copies.map((c) => c.pgUs)),
    label: `${copies[0]!.label}, mean of ${copies.length}`,
  };
  return { copy, copies, runs };
}

// ---- 3. embedded store (PGlite + PostGIS) -----------------------------------------------------------------------

/** A fresh embedded store: a copy of the migrated template (a cold PGlite + PostGIS start is ~15 s). */
async function freshPglite(): Promise<{ store: Store; drop(): Promise<void> }> {
  const dir = join(mkdtempSync(join(tmp, 'pglite-')), 'pg');
  copyTemplate(await preparePgliteTemplate(), dir);
  const store = await openStore({ dataDir: dir });
  return {
    store,
    async drop() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pgliteIngestRun(mode: WriteMode, writers: number): Promise<Run> {
  const { store, drop } = await freshPglite();
  store.telemetry.writeMode = mode;
  const fleet = await makeFleet(store, 1, 500);
  const items = rowsFor(fleet, PGLITE_ROWS);
  const ingest = new Ingest(store, log);
  await store.telemetry.ensurePartitions([t0, t0 + PGLITE_ROWS * 10]);
  const n0 = process.cpuUsage();
  const start = performance.now();
  let accepted = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < items.length) {
        const i = next;
        next += BATCH;
        const r = await ingest.submit(items.slice(i, i + BATCH), { transport: 'http' });
        accepted += r.accepted;
      }
    }),
  );
  const s = (performance.now() - start) / 1000;
  const n = process.cpuUsage(n0);
  if (accepted !== PGLITE_ROWS) throw new Error(`ingest accepted ${accepted} of ${PGLITE_ROWS}`);
  const stats = ingest.stats;
  ingest.dispose();
  await drop();
  return {
    label: `Ingest.submit, ${mode} path, ${writers} writer${writers > 1 ? 's' : ''} (${stats.transactions} tx)`,
    rate: PGLITE_ROWS / s,
    nodeUs: (n.user + n.system) / PGLITE_ROWS,
    pgUs: 0,
  };
}

/** The same rows as one raw COPY into the same table of a fresh embedded store (text prepared beforehand). */
async function pgliteCopyRun(): Promise<Run> {
  const { store, drop } = await freshPglite();
  const fleet = await makeFleet(store, 1, 500);
  await store.telemetry.ensurePartitions([t0, t0 + PGLITE_ROWS * 10]);
  const now = Date.now();
  const text = rowsFor(fleet, PGLITE_ROWS)
    .map((r) => `${r.deviceId}\t${r.time}\t${r.seq}\t${now}\t${JSON.stringify(r.values)}\n`)
    .join('');
  const n0 = process.cpuUsage();
  const start = performance.now();
  await store.db.transaction((tx) =>
    tx.copyFrom('COPY telemetry (device_id, time, seq, received_at, vals) FROM STDIN', text),
  );
  const s = (performance.now() - start) / 1000;
  const n = process.cpuUsage(n0);
  const count = (await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry')).rows[0]!.n;
  if (count !== PGLITE_ROWS) throw new Error(`raw COPY stored ${count} of ${PGLITE_ROWS}`);
  await drop();
  return {
    label: 'baseline raw PGlite COPY (one statement)',
    rate: PGLITE_ROWS / s,
    nodeUs: (n.user + n.system) / PGLITE_ROWS,
    pgUs: 0,
  };
}

async function pgliteVsCopy(): Promise<{ copy: Run; copies: Run[]; runs: (Run & { baseline: number })[] }> {
  const copies = [await pgliteCopyRun()];
  const runs: (Run & { baseline: number })[] = [];
  const plan: [WriteMode, number][] = (process.env.BENCH_PGLITE_PLAN ?? 'unnest:1,copy:1,copy:4')
    .split(',')
    .map((x) => x.split(':') as [WriteMode, string])
    .map(([m, w]) => [m, Number(w)]);
  for (const [mode, w] of plan) {
    const r = await pgliteIngestRun(mode, w);
    copies.push(await pgliteCopyRun());
    runs.push({ ...r, baseline: (copies.at(-2)!.rate + copies.at(-1)!.rate) / 2 });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const copy = {
    ...copies[0]!,
    rate: mean(copies.map((c) => c.rate)),
    nodeUs: mean(copies.map((c) => c.nodeUs)),
    label: `${copies[0]!.label}, mean of ${copies.length}`,
  };
  return { copy, copies, runs };
}

// ---- 2. live latency ----------------------------------------------------------------------------------------------

function spawnChild(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") goes to the server process only.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(import.meta.dirname, 'telemetryLive.ts'), ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n')) resolve({ child, url: JSON.parse(line!).url });
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function liveRun(url: string, fleet: Fleet, pid: number, withKeys: boolean, db?: string) {
  const projects = [...new Set(fleet.devices.map((d) => d.projectId))];
  const viewers: Socket[] = [];
  const lat: number[] = [];
  let measuring = false;
  for (let i = 0; i < VIEWERS; i++) {
    const s = io(`${url}/live`, {
      auth: { protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      forceNew: true,
    });
    s.on('msg', (m: LiveServerMessage) => {
      if (m.type !== 'telemetry.batch' || !measuring) return;
      const now = Date.now();
      for (const r of m.readings) lat.push(now - r.time);
    });
    await s.emitWithAck('msg', {
      type: 'subscribe',
      scope: { kind: 'project', projectId: projects[i % projects.length]! },
    });
    viewers.push(s);
  }
  const perPost = LIVE_RATE / 50; // 50 posts a second
  let seq = 0;
  let sent = 0;
  let rss = 0;
  const post = async () => {
    const now = Date.now();
    const body = Array.from({ length: perPost }, () => {
      const d = fleet.devices[sent++ % fleet.devices.length]!;
      return reading(d, seq++, now, withKeys);
    });
    const res = await fetch(`${url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  };
  const total = (LIVE_SECONDS + 2) * 50;
  const startAt = performance.now();
  // CPU of the server process and of its database backends over the run: what the pipeline costs per reading,
  // whatever else the machine is doing.
  const cpu0 = cpuS(pid);
  const pg0 = db ? await backendsCpuS(db) : new Map<number, number>();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    if (i === 100) measuring = true; // 2 s warm-up
    inflight.push(post());
    if (i % 25 === 0) rss = Math.max(rss, rssMb(pid));
    const due = startAt + (i + 1) * 20;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
  }
  await Promise.all(inflight);
  const serverCpuS = cpuS(pid) - cpu0;
  const pgCpuS = db ? cpuDelta(pg0, await backendsCpuS(db)) : 0;
  await new Promise((r) => setTimeout(r, 500));
  measuring = false;
  const achieved = (total * perPost) / ((performance.now() - startAt) / 1000);
  for (const v of viewers) v.close();
  lat.sort((a, b) => a - b);
  const readings = total * perPost;
  return {
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    max: lat.at(-1)!,
    samples: lat.length,
    rssMb: rss,
    achieved,
    serverUs: (serverCpuS * 1e6) / readings,
    pgUs: (pgCpuS * 1e6) / readings,
  };
}

async function live() {
  const name = 'sitetwin_bench_live';
  const dbUrl = await freshDb(name);
  const store = await openStore({ databaseUrl: dbUrl });
  const fleet = await makeFleet(store, PROJECTS, LIVE_DEVICES);
  await store.close();
  const map = join(tmp, 'projects.json');
  writeFileSync(map, JSON.stringify(Object.fromEntries(fleet.devices.map((d) => [d.id, d.projectId]))));

  const bare = await spawnChild(['bare', map]);
  const base = await liveRun(bare.url, fleet, bare.child.pid!, false);
  bare.child.kill();
  const real = await spawnChild(['serve', dbUrl, LIVE_MODE]);
  const site = await liveRun(real.url, fleet, real.child.pid!, true, name);
  const exited = new Promise((r) => real.child.once('exit', r));
  real.child.kill();
  await exited;
  await dropDb(name);
  return { base, site };
}

const f = (n: number, d = 0) => n.toFixed(d);
console.log(`Telemetry benchmark on ${BASE.replace(/\/\/[^@]*@/, '//')} (PostgreSQL), node ${process.version}`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
console.log(`load average before: ${load()} (2 cores; other work on the machine slows both sides of each ratio)`);
if (!process.env.BENCH_SKIP_PGLITE) {
  const a = await pgliteVsCopy();
  console.log(
    `\n3. Embedded store (PGlite + PostGIS, in this process): sustained ingest of ${PGLITE_ROWS} readings (500 devices, batches of ${BATCH}); CPU per reading of this process (PGlite included)`,
  );
  const line = (r: Run, baseline: number) =>
    `   ${r.label.padEnd(48)} ${f(r.rate).padStart(6)} readings/s  ratio ${f(r.rate / baseline, 2)}  cpu ${f(r.nodeUs, 1)} us per reading`;
  console.log(line(a.copy, a.copy.rate) + `  (each: ${a.copies.map((c) => f(c.rate)).join(', ')})`);
  for (const r of a.runs)
    console.log(line(r, r.baseline) + `  (vs baseline ${f(r.baseline)}: the COPYs just before and after)`);
  if (process.env.BENCH_ONLY_PGLITE) {
    console.log(`load average after: ${load()}`);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(0);
  }
}
if (!process.env.BENCH_SKIP_INGEST) {
  const a = await ingestVsCopy();
  console.log(
    `\n1. Sustained ingest of ${INGEST_ROWS} readings (500 devices, batches of ${BATCH}, times from ${new Date(t0).toISOString()}${PREV_MONTH ? ', month before partitioned: cross-month repeat lookup on every batch' : ''}); CPU per reading from /proc`,
  );
  const line = (r: Run, baseline: number) =>
    `   ${r.label.padEnd(40)} ${f(r.rate).padStart(6)} readings/s  ratio ${f(r.rate / baseline, 2)}  cpu: node ${f(r.nodeUs, 1)} us + PostgreSQL ${f(r.pgUs, 1)} us per reading`;
  console.log(line(a.copy, a.copy.rate) + `  (each: ${a.copies.map((c) => f(c.rate)).join(', ')})`);
  for (const r of a.runs)
    console.log(line(r, r.baseline) + `  (vs baseline ${f(r.baseline)}: the COPYs just before and after)`);
  console.log('   target: ratio >= 0.5');
}
if (process.env.BENCH_SKIP_LIVE) {
  console.log(`load average after: ${load()}`);
  rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}
const b = await live();
console.log(
  `\n2. (server and bare baseline each in their own process; load generator + viewers in this one; write path ${LIVE_MODE})`,
);
console.log(
  `   Ingest -> ${VIEWERS} /live viewers at ${LIVE_RATE} readings/s for ${LIVE_SECONDS} s (${LIVE_DEVICES} devices, ${PROJECTS} projects)`,
);
console.log(
  `   baseline bare socket.io broadcast: p50 ${b.base.p50} ms, p99 ${b.base.p99} ms, max ${b.base.max} ms (${b.base.samples} deliveries, ${f(b.base.achieved)} readings/s sent), RSS ${f(b.base.rssMb)} MB, cpu ${f(b.base.serverUs, 1)} us per reading`,
);
console.log(
  `   Site Twin (HTTP ingest, commit, fan-out): p50 ${b.site.p50} ms, p99 ${b.site.p99} ms, max ${b.site.max} ms (${b.site.samples} deliveries, ${f(b.site.achieved)} readings/s sent), server RSS ${f(b.site.rssMb)} MB, cpu: server ${f(b.site.serverUs, 1)} us + PostgreSQL ${f(b.site.pgUs, 1)} us per reading`,
);
console.log(`   ratio p99 Site Twin / bare: ${f(b.site.p99 / Math.max(1, b.base.p99), 1)}x (target p99 < 250 ms)`);
console.log(`load average after: ${load()}`);
rmSync(tmp, { recursive: true, force: true });
process.exit(0);
