/**
 * A city on one box (issue 18). The real server (`tsx server/main.ts`) as a child process, on PostgreSQL
 * (BENCH_DATABASE_URL, a scratch database made and dropped) and/or on the embedded store (a fresh PGlite folder), with:
 *  - CITY_PROJECTS (1000) projects: districts of a generated Qingdao, in CITY_ENTERPRISES (20) enterprises, seven
 *    district region codes;
 *  - CITY_CRANES (250) tower cranes and CITY_SENSORS (10 000) sensors (dust/noise monitors and pit gauges), each
 *    reporting at 1 Hz, sent by CITY_GATEWAYS (100) site gateways that each post one HTTP batch a second with one
 *    reading per device (per-reading device keys). Crane moments swing past 100 % and some dust monitors past their
 *    PM10 limit, so alarms are raised and cleared all along;
 *  - CITY_VIEWERS (50) real socket.io `/live` viewers in a process of their own: 10 % city room, 20 % enterprise walls
 *    (with `kpis: true`, so KPIs are pushed), the rest project rooms; the city room also asks for KPIs;
 *  - a poller (every 2 s) timing `/api/health` (the baseline: the cheapest request of the same server in the same run),
 *    city / enterprise / project KPIs, the alarm list and the project list; on PostgreSQL also a bare `count(*)` over
 *    today's telemetry through its own connection (the KPI baseline of bench/kpis.ts), every CITY_REF_EVERY_S (60 s:
 *    it scans millions of rows with parallel workers, and every ~3 s it took a sizeable share of the 2-core box).
 * On PostgreSQL also (bench/cityPg.ts): WAL and checkpoints, blocks read from outside shared_buffers, and what the
 * database's busy backends wait on, over the measured window.
 * Reports: readings acknowledged vs sent, p50 / p99 ingest -> viewer latency (reading time stamped at send, read in
 * the viewer process on the same clock), server and database CPU from /proc (PostgreSQL backends of the scratch
 * database; on the embedded store the database runs inside the server process), RSS at start / after warm-up / end,
 * KPI and endpoint times (p50 / p99, ratio to /api/health), the slowest endpoint p99, alarms and KPI pushes seen.
 * Targets (printed, not asserted): all acknowledged, p99 < 250 ms, RSS growth after warm-up < 10 %, city KPIs
 * < 100 ms, server CPU < 50 % of the box on PostgreSQL.
 *
 *   npx tsx bench/city.ts                    # 10 minutes per store, both stores (a quiet machine: ~25 minutes)
 *   npx tsx bench/city.ts --quick            # 60 s per store
 *   CITY_STORE=pg CITY_SECONDS=3600 npx tsx bench/city.ts   # 1-hour soak on PostgreSQL
 *   CITY_SCALE=0.1 npx tsx bench/city.ts --quick            # a tenth of every count: proves it runs on a busy box
 * Env: CITY_STORE=pg|embedded|both, CITY_SECONDS, CITY_WARMUP_S, CITY_SCALE, CITY_REF_EVERY_S, the counts above, BENCH_DATABASE_URL.
 * In parts: cityConfig.ts (these settings), citySeed.ts (the city and its readings), cityViewers.ts (the viewers'
 * process), cityReport.ts (the printed report); this file runs the server, the gateways and the poller.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { localDayStart } from '../models/localTime.js';
import { openStore, type Store } from '../server/store/Store.js';
import { createTestDatabase, startChildServer } from '../tests/helpers/childServer.js';
import { copyTemplate, preparePgliteTemplate } from '../tests/helpers/pgliteTemplate.js';
import {
  BASE,
  CORES,
  GATEWAYS,
  PROJECTS,
  QUICK,
  REF_EVERY_S,
  SCALE,
  SECONDS,
  STORES,
  WARMUP_S,
  sleep,
} from './cityConfig.js';
import { watchPg } from './cityPg.js';
import { printReport } from './cityReport.js';
import { seedCity, valuesOf } from './citySeed.js';
import { startViewers } from './cityViewers.js';

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const cpuS = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

/** CPU seconds of the database's backends by pid, leaving out the bench's own (`c`'s and those in `bench`). */
async function backendCpu(c: pg.Client, db: string, bench: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const { pid } of (
    await c.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND pid <> ALL($2::int[])',
      [db, bench],
    )
  ).rows) {
    try {
      out.set(pid, cpuS(pid));
    } catch {
      /* ended between the two reads */
    }
  }
  return out;
}

async function run(kind: string) {
  const t = Date.now();
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let store: Store;
  let dbName = '';
  if (kind === 'pg') {
    const db = await createTestDatabase(BASE);
    dbName = new URL(db.url).pathname.slice(1);
    store = await openStore({ databaseUrl: db.url });
    // The bench opens the store itself, so server/main.ts's INGEST_WRITE_MODE is applied here too (A/B of the write path).
    const mode = process.env.INGEST_WRITE_MODE;
    if (mode === 'copy' || mode === 'unnest') store.telemetry.writeMode = mode;
    env = { DATABASE_URL: db.url, DATA_DIR: mkdtempSync(join(tmpdir(), 'sitetwin-city-')) };
    cleanup = async () => {
      await db.drop();
      rmSync(env.DATA_DIR!, { recursive: true, force: true });
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'sitetwin-city-'));
    copyTemplate(await preparePgliteTemplate(), join(dir, 'pg'));
    store = await openStore({ dataDir: join(dir, 'pg') });
    env = { DATA_DIR: join(dir, 'pg') };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const city = await seedCity(store);
  await store.close();
  console.log(
    `\n[${kind}] seeded ${PROJECTS} projects, ${city.devices.length} devices in ${((Date.now() - t) / 1000).toFixed(0)} s`,
  );
  const server = await startChildServer(
    {
      ...env,
      AUTH: 'off',
      SEED: '0',
      SIMULATE: '0',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_DEVICE_PER_S: '0',
      RATE_LIMIT_API_PER_MIN: '0',
      // The group commit's and the KPI settings, when given (INGEST_GROUP_CONCURRENCY, INGEST_GROUP_MAX_ROWS,
      // KPI_CACHE_MS, ...): A/B runs.
      ...Object.fromEntries(
        Object.entries(process.env).filter(([k]) => k.startsWith('INGEST_') || k.startsWith('KPI_')) as [
          string,
          string,
        ][],
      ),
      // CITY_NODE_OPTIONS: more of the server's Node / V8 options (e.g. --max-semi-space-size=64), for A/B runs.
      NODE_OPTIONS:
        `--require ${join(import.meta.dirname, 'soakProbe.cjs')} --require ${join(import.meta.dirname, 'stageProbe.cjs')} ${process.env.CITY_NODE_OPTIONS ?? ''}`.trim(),
      // CITY_CPU_PROFILE=<file>: the server's CPU profile of the run (bench/soakProbe.cjs).
      // CITY_CPU_PROFILE_AFTER_S / CITY_CPU_PROFILE_FOR_S: profile that window only (seconds from the server's start).
      ...(process.env.CITY_CPU_PROFILE
        ? {
            SOAK_CPU_PROFILE: `${process.env.CITY_CPU_PROFILE}${STORES.length > 1 ? `.${kind}` : ''}`,
            SOAK_CPU_PROFILE_AFTER_S: process.env.CITY_CPU_PROFILE_AFTER_S ?? '',
            SOAK_CPU_PROFILE_FOR_S: process.env.CITY_CPU_PROFILE_FOR_S ?? '',
          }
        : {}),
    },
    undefined,
    180_000,
  );
  const pid = server.proc.pid!;
  const url = server.url;
  const admin = kind === 'pg' ? new pg.Client({ connectionString: env.DATABASE_URL }) : undefined;
  await admin?.connect();
  // The backends' CPU is read on a connection of its own: on the reference query's, each read would wait behind it.
  const probe = kind === 'pg' ? new pg.Client({ connectionString: env.DATABASE_URL }) : undefined;
  await probe?.connect();
  const adminPid = admin ? (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid : 0;
  const pgWatch = admin ? await watchPg(env.DATABASE_URL!, dbName) : undefined;
  const benchPids = [adminPid, ...(pgWatch ? [pgWatch.pid] : [])];
  try {
    const viewers = await startViewers({ url, city });
    const rssStart = rssMb(pid);
    // Gateways: device i belongs to gateway i % GATEWAYS; each posts once a second, spread over the second.
    const groups = Array.from({ length: GATEWAYS }, (_, g) => city.devices.filter((_, i) => i % GATEWAYS === g));
    let sent = 0;
    let acked = 0;
    let refused = 0;
    let failed = 0;
    const statuses = new Map<number, number>();
    const rtt: number[] = [];
    const rss: { s: number; mb: number }[] = [];
    const seq = new Map<string, number>();
    const t0 = Date.now();
    const end = t0 + SECONDS * 1000;
    let measuring = false;
    let cpu0 = 0;
    let pg0 = new Map<number, number>();
    let tMeasure = 0;
    let acked0 = 0;
    const warm = setTimeout(async () => {
      measuring = true;
      tMeasure = Date.now();
      cpu0 = cpuS(pid);
      acked0 = acked;
      // bench/stageProbe.cjs: each SIGUSR2 prints the stages so far and starts again (this one drops the warm-up).
      process.kill(pid, 'SIGUSR2');
      if (probe) pg0 = await backendCpu(probe, dbName, benchPids);
      await pgWatch?.measure();
      viewers.measure();
    }, WARMUP_S * 1000);
    // Each backend's CPU as last seen, read every 2 s while measuring: a backend that closes during the run (a pooled
    // connection let go when idle) keeps what it spent up to its last read. Read only at the start and the end, an
    // hour's soak counted 2 % of the box for PostgreSQL while its busy backends were sampled at 0.99 active.
    const pgLast = new Map<number, number>();
    const sampler = setInterval(() => {
      rss.push({ s: (Date.now() - t0) / 1000, mb: rssMb(pid) });
      if (measuring && probe)
        void backendCpu(probe, dbName, benchPids).then(
          (m) => m.forEach((c, p) => pgLast.set(p, c)),
          () => {},
        );
    }, 2000);
    const loops = groups.map(async (devs, g) => {
      await sleep((g * 1000) / GATEWAYS);
      for (let tick = Date.now(); Date.now() < end; tick += 1000) {
        const now = Date.now();
        const s = Math.floor((now - t0) / 1000);
        const batch = devs.map((d, i) => {
          const q = (seq.get(d.id) ?? 0) + 1;
          seq.set(d.id, q);
          return { deviceId: d.id, key: d.key, seq: q, time: now, values: valuesOf(d, s, i + g) };
        });
        sent += batch.length;
        const at = performance.now();
        try {
          const res = await fetch(`${url}/api/v1/ingest`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(batch),
            signal: AbortSignal.timeout(15_000),
          });
          const body = (await res.json()) as { accepted?: number; duplicates?: number };
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 200) acked += (body.accepted ?? 0) + (body.duplicates ?? 0);
          else refused += batch.length;
          if (measuring) rtt.push(performance.now() - at);
        } catch {
          failed += batch.length;
        }
        const wait = tick + 1000 - Date.now();
        if (wait > 0) await sleep(wait);
      }
    });
    // The poller: every 2 s, each endpoint once, in turn (a wall and an operator's screen, not a load test).
    const times = new Map<string, number[]>();
    const probeFailures = new Map<string, number>();
    const probes: [string, string][] = [
      ['/api/health (baseline)', '/api/health'],
      ['KPIs city', '/api/v1/kpis?tier=city'],
      ['KPIs enterprise', `/api/v1/kpis?tier=enterprise&id=${city.enterprises[0]}`],
      ['KPIs project', `/api/v1/kpis?tier=project&id=${city.projects[0]}`],
      ['alarms (50 newest)', '/api/v1/alarms?limit=50'],
      ['projects (all)', '/api/v1/projects'],
    ];
    let polling = true;
    let lastRef = 0;
    // The reference query's own backend CPU (its parallel workers, when it has any, are not counted).
    let refCpuS = 0;
    const poller = (async () => {
      while (polling) {
        for (const [name, path] of probes) {
          const at = performance.now();
          const res = await fetch(url + path, { signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
          await res?.arrayBuffer().catch(() => undefined);
          // A call that fails or times out (30 s) is counted against its endpoint, not the end of the run: the
          // embedded store at the city's rate keeps its one connection busy with ingest.
          if (res?.status !== 200) {
            if (measuring) probeFailures.set(name, (probeFailures.get(name) ?? 0) + 1);
            continue;
          }
          if (measuring) times.set(name, [...(times.get(name) ?? []), performance.now() - at]);
        }
        // The reference query scans the whole day's telemetry (millions of rows, with parallel workers): every
        // REF_EVERY_S, not every poll, so the bench's own reference does not compete with the product for the box.
        if (admin && Date.now() - lastRef >= REF_EVERY_S * 1000) {
          lastRef = Date.now();
          const at = performance.now();
          const c0 = cpuS(adminPid);
          await admin.query('SELECT count(*) FROM telemetry WHERE time >= $1', [localDayStart(Date.now())]);
          if (measuring) {
            times.set('count(*) today (PostgreSQL)', [
              ...(times.get('count(*) today (PostgreSQL)') ?? []),
              performance.now() - at,
            ]);
            refCpuS += cpuS(adminPid) - c0;
          }
        }
        await sleep(2000);
      }
    })();
    const progress = setInterval(
      () => {
        const s = (Date.now() - t0) / 1000;
        process.stdout.write(
          `  [${kind}] ${s.toFixed(0)} s: ${acked} of ${sent} acked, rss ${rssMb(pid).toFixed(0)} MB, load ${os.loadavg()[0]!.toFixed(1)}\n`,
        );
      },
      Math.max(10, SECONDS / 10) * 1000,
    );
    await Promise.all(loops);
    clearTimeout(warm);
    clearInterval(sampler);
    clearInterval(progress);
    const tEnd = Date.now();
    process.kill(pid, 'SIGUSR2'); // the stages of the measured window (bench/stageProbe.cjs)
    const wallS = (tEnd - tMeasure) / 1000;
    const serverCpuS = cpuS(pid) - cpu0;
    const serverCpuPct = (serverCpuS / wallS / CORES) * 100;
    // CPU per reading acknowledged in the measured window: comparable between runs on a busy machine, where the
    // closed-loop gateways (each waits for its answer) send fewer readings than the city's rate.
    const ackedInWindow = Math.max(1, acked - acked0);
    let pgCpuS = NaN;
    let pgCpuPct = NaN;
    if (probe) {
      (await backendCpu(probe, dbName, benchPids)).forEach((c, p) => pgLast.set(p, c));
      // A pid seen below its start value is a new backend on a reused pid: all of its CPU is in the window.
      pgCpuS = [...pgLast].reduce((s, [p, c]) => s + c - ((pg0.get(p) ?? 0) <= c ? (pg0.get(p) ?? 0) : 0), 0);
      pgCpuPct = (pgCpuS / wallS / CORES) * 100;
    }
    const pgLines = (await pgWatch?.stop(wallS, ackedInWindow)) ?? [];
    polling = false;
    await poller;
    await sleep(1000);
    const v = await viewers.stop();
    const alarmsRaised = Number(
      await (
        await fetch(`${url}/api/v1/alarms?limit=500`)
      )
        .json()
        .then((a: unknown[]) => a.length)
        .catch(() => NaN),
    );
    printReport({
      kind,
      rate: city.devices.length,
      acked,
      sent,
      statuses,
      refused,
      failed,
      rtt,
      v,
      alarmsRaised,
      serverCpuS,
      serverCpuPct,
      pgCpuS,
      pgCpuPct,
      ackedInWindow,
      wallS,
      refCpuS,
      pgLines,
      rssStart,
      rss,
      times,
      probeFailures,
      tMeasure,
      tEnd,
      output: server.output(),
    });
  } finally {
    await admin?.end();
    await probe?.end();
    server.kill('SIGTERM');
    await server.exited;
    await cleanup();
  }
}

console.log(
  `City bench: ${STORES.join(' + ')}, ${SECONDS} s each${QUICK ? ' (--quick)' : ''}, scale ${SCALE}; node ${process.version}, ${CORES} cores, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const k of STORES) await run(k);
console.log(
  `\nload average after: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
process.exit(0);
