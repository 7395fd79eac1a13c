/**
 * Telemetry benchmark, loopback only, bounded in time (about 2 minutes). Needs PostgreSQL + PostGIS:
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a scratch database is made and dropped).
 *
 * 1. Sustained ingest rate through Ingest.submit (validation, keys, dedupe, batched unnest INSERT, latest state)
 *    next to a raw COPY (psql \copy) of the same rows into the same table of a fresh database: ratio, target >= 0.5.
 * 2. End-to-end latency ingest -> 50 `/live` viewers at 5k readings/s (HTTP batches of 100 every 20 ms, 2500
 *    devices at 2 Hz over 10 projects, 5 viewers per project) next to a bare Socket.IO server broadcasting the same
 *    batches at once: p50 / p99, target p99 < 250 ms. Server RSS sampled from /proc.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { rectangleAround } from '../models/geo.js';
import { PROTOCOL_VERSION, type LiveServerMessage } from '../models/protocol.js';
import { hashApiKey } from '../server/ingest/deviceSecrets.js';
import { Ingest } from '../server/ingest/Ingest.js';
import { createLogger } from '../server/log.js';
import { openStore, type Store } from '../server/store/Store.js';

const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const INGEST_ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const BATCH = 1000;
const LIVE_RATE = 5000;
const LIVE_SECONDS = Number(process.env.BENCH_LIVE_S ?? 10);
const VIEWERS = 50;
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
    ps.push(await store.projects.create({ name: `P${i}`, enterpriseId: e.id, address: '', regionCode: '370202', status: 'under_construction', heightM: 30, location: { ...loc, height: 0 }, footprint: rectangleAround(loc, 100, 100) }));
  }
  const out: Fleet['devices'] = [];
  for (let i = 0; i < devices; i++) {
    const key = `stk_bench_${i}_${Math.random().toString(36).slice(2)}`;
    const projectId = ps[i % projects]!.id;
    const d = await store.devices.create({ projectId, kind: 'env_monitor', name: `dust ${i}`, params: {}, location: { lon: 120.3, lat: 36.07, height: 2 }, apiKeyHash: hashApiKey(key) });
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

async function ingestVsCopy() {
  const dbA = 'sitetwin_bench_ingest';
  const store = await openStore({ databaseUrl: await freshDb(dbA) });
  const fleet = await makeFleet(store, 1, 500);
  const t0 = Date.UTC(2026, 9, 1);
  const items = Array.from({ length: INGEST_ROWS }, (_, i) => reading(fleet.devices[i % 500]!, Math.floor(i / 500), t0 + i * 10));
  const ingest = new Ingest(store, log);
  await store.telemetry.ensurePartitions([t0, t0 + INGEST_ROWS * 10]); // both sides start with the partitions made
  let start = performance.now();
  let accepted = 0;
  for (let i = 0; i < items.length; i += BATCH) accepted += (await ingest.submit(items.slice(i, i + BATCH), { transport: 'http' })).accepted;
  const ingestS = (performance.now() - start) / 1000;
  if (accepted !== INGEST_ROWS) throw new Error(`ingest accepted ${accepted} of ${INGEST_ROWS}`);
  await store.close();
  await dropDb(dbA);

  // The same rows, as a raw COPY into the same table of a fresh database (same partitions and indexes).
  const dbB = 'sitetwin_bench_copy';
  const urlB = await freshDb(dbB);
  const storeB = await openStore({ databaseUrl: urlB });
  await storeB.telemetry.ensurePartitions([t0, t0 + INGEST_ROWS * 10]);
  await storeB.close();
  const csv = join(tmp, 'rows.csv');
  const now = Date.now();
  writeFileSync(csv, items.map((r) => `${r.deviceId},${r.time},${r.seq},${now},"${JSON.stringify(r.values).replace(/"/g, '""')}"`).join('\n') + '\n');
  start = performance.now();
  execFileSync('psql', [urlB, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy telemetry (device_id, time, seq, received_at, vals) FROM '${csv}' CSV`]);
  const copyS = (performance.now() - start) / 1000;
  await dropDb(dbB);
  return { ingestRate: INGEST_ROWS / ingestS, copyRate: INGEST_ROWS / copyS };
}

// ---- 2. live latency ----------------------------------------------------------------------------------------------

function spawnChild(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'telemetryLive.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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

async function liveRun(url: string, fleet: Fleet, pid: number, withKeys: boolean) {
  const projects = [...new Set(fleet.devices.map((d) => d.projectId))];
  const viewers: Socket[] = [];
  const lat: number[] = [];
  let measuring = false;
  for (let i = 0; i < VIEWERS; i++) {
    const s = io(`${url}/live`, { auth: { protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'], forceNew: true });
    s.on('msg', (m: LiveServerMessage) => {
      if (m.type !== 'telemetry.batch' || !measuring) return;
      const now = Date.now();
      for (const r of m.readings) lat.push(now - r.time);
    });
    await s.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId: projects[i % projects.length]! } });
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
    const res = await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  };
  const total = (LIVE_SECONDS + 2) * 50;
  const startAt = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    if (i === 100) measuring = true; // 2 s warm-up
    inflight.push(post());
    if (i % 25 === 0) rss = Math.max(rss, rssMb(pid));
    const due = startAt + (i + 1) * 20;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
  }
  await Promise.all(inflight);
  await new Promise((r) => setTimeout(r, 500));
  measuring = false;
  const achieved = (total * perPost) / ((performance.now() - startAt) / 1000);
  for (const v of viewers) v.close();
  lat.sort((a, b) => a - b);
  return { p50: pct(lat, 50), p99: pct(lat, 99), max: lat.at(-1)!, samples: lat.length, rssMb: rss, achieved };
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
  const real = await spawnChild(['serve', dbUrl]);
  const site = await liveRun(real.url, fleet, real.child.pid!, true);
  real.child.kill();
  await new Promise((r) => setTimeout(r, 300));
  await dropDb(name);
  return { base, site };
}

const f = (n: number, d = 0) => n.toFixed(d);
console.log(`Telemetry benchmark on ${BASE.replace(/\/\/[^@]*@/, '//')} (PostgreSQL), node ${process.version}`);
const a = await ingestVsCopy();
console.log(`\n1. Sustained ingest of ${INGEST_ROWS} readings (500 devices, batches of ${BATCH}, one writer)`);
console.log(`   baseline raw COPY (psql \\copy, same table): ${f(a.copyRate)} readings/s`);
console.log(`   Ingest.submit -> PostGIS:                    ${f(a.ingestRate)} readings/s`);
console.log(`   ratio ingest / COPY: ${f(a.ingestRate / a.copyRate, 2)} (target >= 0.5)`);
const b = await live();
console.log(`\n2. Ingest -> ${VIEWERS} /live viewers at ${LIVE_RATE} readings/s for ${LIVE_SECONDS} s (${LIVE_DEVICES} devices, ${PROJECTS} projects)`);
console.log(`   baseline bare socket.io broadcast: p50 ${b.base.p50} ms, p99 ${b.base.p99} ms, max ${b.base.max} ms (${b.base.samples} deliveries, ${f(b.base.achieved)} readings/s sent), RSS ${f(b.base.rssMb)} MB`);
console.log(`   Site Twin (HTTP ingest, commit, fan-out): p50 ${b.site.p50} ms, p99 ${b.site.p99} ms, max ${b.site.max} ms (${b.site.samples} deliveries, ${f(b.site.achieved)} readings/s sent), server RSS ${f(b.site.rssMb)} MB`);
console.log(`   ratio p99 Site Twin / bare: ${f(b.site.p99 / Math.max(1, b.base.p99), 1)}x (target p99 < 250 ms)`);
rmSync(tmp, { recursive: true, force: true });
process.exit(0);
