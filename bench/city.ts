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
 *    today's telemetry through its own connection (the KPI baseline of bench/kpis.ts).
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
 * Env: CITY_STORE=pg|embedded|both, CITY_SECONDS, CITY_WARMUP_S, CITY_SCALE, the counts above, BENCH_DATABASE_URL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { io as ioClient, type Socket } from 'socket.io-client';
import { localDayStart } from '../models/localTime.js';
import { rectangleAround } from '../models/geo.js';
import { PROTOCOL_VERSION } from '../models/protocol.js';
import { hashApiKey } from '../server/security/deviceSecrets.js';
import { openStore, type Store } from '../server/store/Store.js';
import { createTestDatabase, startChildServer } from '../tests/helpers/childServer.js';
import { copyTemplate, preparePgliteTemplate } from '../tests/helpers/pgliteTemplate.js';
import { MsHistogram } from './msHistogram.js';

const QUICK = process.argv.includes('--quick');
const SECONDS = Number(process.env.CITY_SECONDS ?? (QUICK ? 60 : 600));
const WARMUP_S = Number(process.env.CITY_WARMUP_S ?? Math.min(60, Math.round(SECONDS / 6)));
const SCALE = Number(process.env.CITY_SCALE ?? 1);
const n = (name: string, def: number) => Math.max(1, Math.round(Number(process.env[name] ?? def) * SCALE));
const PROJECTS = n('CITY_PROJECTS', 1000);
const ENTERPRISES = n('CITY_ENTERPRISES', 20);
const CRANES = n('CITY_CRANES', 250);
const SENSORS = n('CITY_SENSORS', 10_000);
const GATEWAYS = n('CITY_GATEWAYS', 100);
const VIEWERS = Number(process.env.CITY_VIEWERS ?? 50);
const STORES = (process.env.CITY_STORE ?? 'both') === 'both' ? ['pg', 'embedded'] : [process.env.CITY_STORE!];
const BASE =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DISTRICTS = ['370202', '370203', '370211', '370212', '370213', '370214', '370215'];
const CORES = os.cpus().length;

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const cpuS = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Dev {
  id: string;
  key: string;
  kind: 'tower_crane' | 'env_monitor' | 'pit_gauge';
  /** Dust monitors that run over their limit now and then. */
  hot: boolean;
}
interface City {
  enterprises: string[];
  projects: string[];
  devices: Dev[];
}

/** The city, written through the store (as an import would): projects on a grid over Qingdao, devices with keys. */
async function seedCity(store: Store): Promise<City> {
  const enterprises: string[] = [];
  for (let e = 0; e < ENTERPRISES; e++)
    enterprises.push((await store.enterprises.create({ name: `城建集团${e}`, role: 'contractor' })).id);
  const projects: string[] = [];
  const side = Math.ceil(Math.sqrt(PROJECTS));
  for (let i = 0; i < PROJECTS; i++) {
    const loc = { lon: 120.2 + (i % side) * 0.012, lat: 36.0 + Math.floor(i / side) * 0.01 };
    const p = await store.projects.create({
      name: `工地${i}`,
      enterpriseId: enterprises[i % ENTERPRISES]!,
      address: `${DISTRICTS[i % DISTRICTS.length]} 区 ${i} 号`,
      regionCode: DISTRICTS[i % DISTRICTS.length]!,
      status: 'under_construction',
      heightM: 30 + (i % 150),
      location: { ...loc, height: 0 },
      footprint: rectangleAround(loc, 120, 90),
    });
    projects.push(p.id);
  }
  const devices: Dev[] = [];
  const add = async (i: number, kind: Dev['kind'], params: Record<string, unknown>, hot = false) => {
    const key = `stk_city_${i}_${Math.random().toString(36).slice(2)}`;
    const d = await store.devices.create({
      projectId: projects[i % PROJECTS]!,
      kind,
      name: `${kind}-${i}`,
      params,
      location: { lon: 120.3, lat: 36.07, height: 2 },
      apiKeyHash: hashApiKey(key),
    });
    devices.push({ id: d.id, key, kind, hot });
  };
  for (let i = 0; i < CRANES; i++)
    await add(i, 'tower_crane', {
      mastHeightM: 60,
      jibLengthM: 55,
      counterJibLengthM: 15,
      maxLoadT: 8,
      maxRadiusM: 55,
      preWarnPct: 90,
      alarmPct: 100,
    });
  for (let i = 0; i < SENSORS; i++) {
    if (i % 5 < 3)
      await add(
        i,
        'env_monitor',
        { pm10LimitUgm3: 80, pm25LimitUgm3: 75, noiseDayLimitDb: 70, noiseNightLimitDb: 55 },
        i % 20 === 0,
      );
    else await add(i, 'pit_gauge', { metric: 'displacement', pitDepthM: 12, absLimitMm: 30 });
  }
  return { enterprises, projects, devices };
}

/** A reading of device `d` at tick `s` (seconds since the start): slow waves, so alarms rise and clear. */
function valuesOf(d: Dev, s: number, i: number): Record<string, unknown> {
  const w = Math.sin((s + i * 7) / 40);
  if (d.kind === 'tower_crane')
    return {
      loadT: 3 + 3 * Math.abs(w),
      ratedLoadT: 8,
      momentPct: 70 + 35 * w,
      radiusM: 20 + 15 * Math.abs(w),
      slewDeg: (s * 3 + i) % 360,
      windSpeedMps: 4 + Math.abs(w) * 3,
    };
  if (d.kind === 'env_monitor')
    return {
      pm10Ugm3: d.hot ? 60 + 40 * Math.abs(w) : 35 + 10 * w,
      pm25Ugm3: 25 + 5 * w,
      noiseDb: 58 + 5 * w,
      temperatureC: 12,
    };
  return { displacementMm: 8 + 3 * w, rateMmPerDay: 0.4 };
}

interface ViewerResult {
  telemetry: number;
  kpis: number;
  alarms: number;
  disconnects: number;
  cpuPct: number;
}

/** Child side: connects and subscribes the viewers, measures until `stop` on stdin, then reports one line. */
async function viewersMain(cfg: { url: string; city: City }): Promise<void> {
  const lat = new MsHistogram();
  const r: Omit<ViewerResult, 'cpuPct'> = { telemetry: 0, kpis: 0, alarms: 0, disconnects: 0 };
  let measuring = false;
  const sockets: Socket[] = [];
  for (let i = 0; i < VIEWERS; i++) {
    const s = ioClient(`${cfg.url}/live`, {
      auth: { protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      forceNew: true,
    });
    await new Promise<void>((res) => s.once('connect', () => res()));
    s.on('disconnect', () => r.disconnects++);
    s.on('msg', (m: { type: string; readings?: { time: number }[] }) => {
      if (!measuring) return;
      if (m.type === 'telemetry.batch') {
        r.telemetry++;
        const now = Date.now();
        for (const x of m.readings!) lat.add(now - x.time);
      } else if (m.type === 'kpis') r.kpis++;
      else if (m.type.startsWith('alarm')) r.alarms++;
    });
    const k = i / VIEWERS;
    const scope =
      k < 0.1
        ? { kind: 'city' }
        : k < 0.3
          ? { kind: 'enterprise', enterpriseId: cfg.city.enterprises[i % cfg.city.enterprises.length] }
          : { kind: 'project', projectId: cfg.city.projects[(i * 37) % cfg.city.projects.length] };
    const ack = (await s.emitWithAck('msg', { type: 'subscribe', scope, kpis: scope.kind !== 'project' } as never)) as {
      ok: boolean;
    };
    if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
    sockets.push(s);
  }
  process.stdin.on('end', () => process.exit(1));
  let cpu0 = process.cpuUsage();
  let t0 = Date.now();
  await new Promise<void>((res) => {
    process.stdin.on('data', (b: Buffer) => {
      const text = b.toString();
      if (text.includes('measure')) {
        measuring = true;
        cpu0 = process.cpuUsage();
        t0 = Date.now();
      }
      if (text.includes('stop')) res();
    });
    process.stdout.write('ready\n');
  });
  measuring = false;
  const c = process.cpuUsage(cpu0);
  const cpuPct = ((c.user + c.system) / 1000 / (Date.now() - t0)) * 100;
  for (const s of sockets) {
    s.off('disconnect'); // our own close is not a drop
    s.close();
  }
  // Percentiles here, not the raw samples (millions at full scale; counts per millisecond, see MsHistogram).
  process.stdout.write(
    `result ${JSON.stringify({ ...r, cpuPct, n: lat.n, p50: lat.pct(50), p99: lat.pct(99), max: lat.max })}\n`,
  );
}

async function startViewers(cfg: { url: string; city: City }) {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'viewers'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin!.write(JSON.stringify(cfg) + '\n');
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  while (!out.includes('ready\n')) {
    if (child.exitCode !== null) throw new Error(`viewers exited: ${out}`);
    await sleep(50);
  }
  return {
    measure: () => child.stdin!.write('measure\n'),
    async stop(): Promise<{ n: number; p50: number; p99: number; max: number } & ViewerResult> {
      child.stdin!.write('stop\n');
      const code = await exited;
      const line = out.split('\n').find((l) => l.startsWith('result '));
      if (!line) throw new Error(`viewers exited with ${code} and no result: ${out}`);
      return JSON.parse(line.slice('result '.length));
    },
  };
}

async function backendCpu(c: pg.Client, db: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const { pid } of (
    await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      db,
    ])
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
        Object.entries(process.env).filter(([k]) => k.startsWith('INGEST_GROUP_') || k.startsWith('KPI_')) as [
          string,
          string,
        ][],
      ),
      // CITY_NODE_OPTIONS: more of the server's Node / V8 options (e.g. --max-semi-space-size=64), for A/B runs.
      NODE_OPTIONS:
        `--require ${join(import.meta.dirname, 'soakProbe.cjs')} ${process.env.CITY_NODE_OPTIONS ?? ''}`.trim(),
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
      if (admin) pg0 = await backendCpu(admin, dbName);
      viewers.measure();
    }, WARMUP_S * 1000);
    const sampler = setInterval(() => rss.push({ s: (Date.now() - t0) / 1000, mb: rssMb(pid) }), 2000);
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
        if (admin) {
          const at = performance.now();
          await admin.query('SELECT count(*) FROM telemetry WHERE time >= $1', [localDayStart(Date.now())]);
          if (measuring)
            times.set('count(*) today (PostgreSQL)', [
              ...(times.get('count(*) today (PostgreSQL)') ?? []),
              performance.now() - at,
            ]);
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
    const wallS = (tEnd - tMeasure) / 1000;
    const serverCpuS = cpuS(pid) - cpu0;
    const serverCpuPct = (serverCpuS / wallS / CORES) * 100;
    // CPU per reading acknowledged in the measured window: comparable between runs on a busy machine, where the
    // closed-loop gateways (each waits for its answer) send fewer readings than the city's rate.
    const ackedInWindow = Math.max(1, acked - acked0);
    let pgCpuS = NaN;
    let pgCpuPct = NaN;
    if (admin) {
      const pg1 = await backendCpu(admin, dbName);
      pgCpuS = [...pg1].reduce((s, [p, c]) => s + c - (pg0.get(p) ?? 0), 0);
      pgCpuPct = (pgCpuS / wallS / CORES) * 100;
    }
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
    const win = Math.min(60, Math.max(10, SECONDS / 6));
    const warmRss = mean(rss.filter((x) => x.s >= WARMUP_S && x.s < WARMUP_S + win).map((x) => x.mb));
    const endRss = mean(rss.filter((x) => x.s >= SECONDS - win).map((x) => x.mb));
    const health = pct(times.get('/api/health (baseline)') ?? [], 50);
    const errorLines = server
      .output()
      .split('\n')
      .filter((l) => /"level":(50|60)/.test(l));
    const rate = city.devices.length;
    console.log(
      `\n[${kind}] ${SECONDS} s (measured after ${WARMUP_S} s warm-up), ${PROJECTS} projects, ${CRANES} cranes + ${SENSORS} sensors at 1 Hz = ${rate} readings/s by ${GATEWAYS} gateways, ${VIEWERS} viewers`,
    );
    console.log(
      `  acknowledged        ${acked} of ${sent} sent (${((acked / Math.max(1, sent)) * 100).toFixed(2)} %); answers ${JSON.stringify(Object.fromEntries(statuses))}, refused ${refused}, no answer ${failed}; target: all`,
    );
    console.log(
      `  ingest round trip   p50 ${pct(rtt, 50).toFixed(0)} ms, p99 ${pct(rtt, 99).toFixed(0)} ms (one gateway batch of ~${Math.round(rate / GATEWAYS)} readings)`,
    );
    console.log(
      `  ingest -> viewer    p50 ${v.p50} ms, p99 ${v.p99} ms, max ${v.max} ms over ${v.n} deliveries (${v.telemetry} telemetry batches); target p99 < 250 ms`,
    );
    console.log(
      `  pushed to viewers   ${v.kpis} KPI messages, ${v.alarms} alarm messages; ${alarmsRaised} alarms listed; viewer disconnects ${v.disconnects}`,
    );
    console.log(
      `  CPU (% of the ${CORES}-core box)  server ${serverCpuPct.toFixed(0)} %${kind === 'pg' ? `, PostgreSQL backends ${pgCpuPct.toFixed(0)} %` : ' (embedded database included)'}, viewers ${(v.cpuPct / CORES).toFixed(0)} %; target server < 50 % on PostgreSQL`,
    );
    console.log(
      `  CPU per 1 000 readings  server ${((serverCpuS / ackedInWindow) * 1e6).toFixed(0)} ms${kind === 'pg' ? `, PostgreSQL backends ${((pgCpuS / ackedInWindow) * 1e6).toFixed(0)} ms` : ''} (${ackedInWindow} acknowledged in the measured window, ${(ackedInWindow / wallS).toFixed(0)}/s)`,
    );
    console.log(
      `  server RSS          start ${rssStart.toFixed(0)} MB, after warm-up ${warmRss.toFixed(0)} MB, end ${endRss.toFixed(0)} MB: growth after warm-up ${((endRss / warmRss - 1) * 100).toFixed(1)} % (target < 10 %)`,
    );
    let slowest = ['', 0] as [string, number];
    for (const [name, xs] of times) {
      const p99 = pct(xs, 99);
      if (!name.startsWith('/api/health') && !name.startsWith('count') && p99 > slowest[1]) slowest = [name, p99];
      console.log(
        `  ${name.padEnd(28)} p50 ${pct(xs, 50).toFixed(0).padStart(5)} ms, p99 ${p99.toFixed(0).padStart(5)} ms  (${xs.length} calls; p50 ${(pct(xs, 50) / health).toFixed(1)}x /api/health)${probeFailures.get(name) ? `; ${probeFailures.get(name)} failed or over 30 s` : ''}`,
      );
    }
    for (const [name, failures] of probeFailures)
      if (!times.has(name)) console.log(`  ${name.padEnd(28)} every call failed or took over 30 s (${failures} calls)`);
    console.log(`  slowest endpoint    ${slowest[0]}: p99 ${slowest[1].toFixed(0)} ms; city KPIs target < 100 ms`);
    // The server's own event loop (bench/soakProbe.cjs, every 5 s): where a latency tail comes from the server's one
    // thread (a stall delays every request and push behind it) rather than from the store.
    const loopProbes = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('soak-probe {'))
      .map(
        (l) =>
          JSON.parse(l.slice('soak-probe '.length)) as {
            t: number;
            eldP99: number;
            eldMax: number;
            allEldP99: number;
            allEldMax: number;
            heapUsed: number;
            gcN: number;
            gcMs: number;
            gcMax: number;
            gcMaxKind: string;
          },
      );
    // The probe's 5 s windows that lie in the measured window (a line at `t` covers the 5 s before it). The whole
    // run's figures include the start: the viewers subscribing, each city viewer's snapshot of every device.
    const inWindow = loopProbes.filter((p) => p.t - 5000 >= tMeasure && p.t <= tEnd + 5000);
    if (loopProbes.length)
      console.log(
        `  server event loop   measured window: max ${Math.max(...inWindow.map((p) => p.eldMax))} ms, worst 5 s window p99 ${Math.max(...inWindow.map((p) => p.eldP99))} ms (${inWindow.length} windows); whole run, start included: p99 ${loopProbes.at(-1)!.allEldP99} ms, max ${loopProbes.at(-1)!.allEldMax} ms; JS heap at end ${(loopProbes.at(-1)!.heapUsed / 2 ** 20).toFixed(0)} MB`,
      );
    if (inWindow.length) {
      const worst = inWindow.reduce((a, b) => (b.gcMax > a.gcMax ? b : a));
      const gcMs = inWindow.reduce((a, b) => a + b.gcMs, 0);
      const gcN = inWindow.reduce((a, b) => a + b.gcN, 0);
      console.log(
        `  server GC           measured window: ${gcN} pauses, ${(gcMs / 1000).toFixed(1)} s in all; longest ${worst.gcMax} ms (${worst.gcMaxKind}); 5 s windows with a pause over 100 ms: ${inWindow.filter((p) => p.gcMax > 100).length} of ${inWindow.length}`,
      );
    }
    // CITY_PROBE_LOG=<file>: the probe's lines (one per 5 s: event-loop delay, GC, heap), to line up with a profile.
    if (process.env.CITY_PROBE_LOG)
      writeFileSync(
        process.env.CITY_PROBE_LOG,
        server
          .output()
          .split('\n')
          .filter((l) => l.startsWith('soak-probe'))
          .join('\n') + '\n',
      );
    const profile = server
      .output()
      .split('\n')
      .find((l) => l.startsWith('soak-probe profile') && !l.startsWith('soak-probe profile started'));
    if (profile) console.log(`  ${profile}`);
    for (const l of errorLines.slice(0, 5)) console.log(`  server error: ${l.slice(0, 300)}`);
  } finally {
    await admin?.end();
    server.kill('SIGTERM');
    await server.exited;
    await cleanup();
  }
}

if (process.argv[2] === 'viewers') {
  const cfg = await new Promise<string>((r) => {
    let buf = '';
    const on = (b: Buffer) => {
      buf += b.toString();
      if (buf.includes('\n')) {
        process.stdin.off('data', on);
        r(buf.split('\n')[0]!);
      }
    };
    process.stdin.on('data', on);
  });
  await viewersMain(JSON.parse(cfg));
  process.exit(0); // stdin stays open: the parent reads the result line, then this process ends
} else {
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
}
