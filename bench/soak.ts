/**
 * Soak: the real server as a child process (`tsx server/main.ts`, AUTH=on) on a fresh PostgreSQL database, fed
 * 2 000 readings/s over HTTP by 100 crane devices (20 readings a second each, one batch a second) from this process,
 * watched by 50 logged-in viewers on /live (10 city, 40 project rooms) in a third process, for SOAK_MINUTES
 * (default 10). Loopback only, bounded. Run it alone: `flock -x -w 1800 /tmp/heavy.lock npx tsx bench/soak.ts`.
 *
 * Prints: readings acknowledged and their rate against the target, errors (non-200 answers, requests without an
 * answer within 15 s, viewer disconnects, error lines in the server log), ingest round-trip p50 / p99, messages
 * received by viewers, the server's RSS at the start of the load, after the warm-up (mean of the window after it)
 * and at the end (mean of the last window), growth from both (the target, < 10 %, is judged from the warm-up: the
 * first minute fills caches, pools and the bounded /live recovery buffer), heap used / external (bench/soakProbe.cjs,
 * preloaded into the server), the server's event-loop delay p99, and the CPU of the server, load generator, viewers.
 *
 *   npx tsx bench/soak.ts            # 10 minutes
 *   SOAK_MINUTES=2 npx tsx bench/soak.ts
 * Env: SOAK_DATABASE_URL (default TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test), SOAK_RATE (2000),
 * SOAK_WARMUP_S (10 % of the run, at most 60), SOAK_PROGRESS_S (60), SOAK_SERIES=1 (every probe sample),
 * SOAK_HEAPSNAPSHOT=<dir> (server heap snapshots after the warm-up and at the end; diagnosis only), SOAK_SERVER_<NAME>
 * (the server's <NAME> setting).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { rectangleAround } from '../models/geo.js';
import { PROTOCOL_VERSION } from '../models/protocol.js';
import { createTestDatabase, jsonFetch, startChildServer } from '../tests/helpers/childServer.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const RATE = Number(process.env.SOAK_RATE ?? 2000);
const DEVICES = 100;
const PROJECTS = 5;
const VIEWERS = 50;
const BASE =
  process.env.SOAK_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WARMUP_S = Number(process.env.SOAK_WARMUP_S ?? Math.min(60, MINUTES * 6)); // 10 % of the run, at most a minute
const WINDOW_S = Math.min(60, MINUTES * 6);

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const MB = 1048576;
/** One line of bench/soakProbe.cjs (preloaded into the server): its memoryUsage, event-loop delay and CPU. */
interface Probe {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  eldP99: number;
  eldMax: number;
  allEldP99: number;
  allEldMax: number;
  cpuPct: number;
}
const probesOf = (out: string): Probe[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('soak-probe '))
    .map((l) => JSON.parse(l.slice('soak-probe '.length)) as Probe);

async function main(): Promise<void> {
  const db = await createTestDatabase(BASE);
  const probe = join(import.meta.dirname, 'soakProbe.cjs');
  const server = await startChildServer({
    DATABASE_URL: db.url,
    AUTH: 'on',
    LOG_LEVEL: 'warn',
    DATA_DIR: `/tmp/sitetwin-soak-${process.pid}`,
    // SOAK_SERVER_<NAME>=v sets the server's <NAME> (e.g. SOAK_SERVER_LIVE_RECOVERY_MAX_PACKETS=1000000 to compare).
    ...Object.fromEntries(
      Object.entries(process.env).flatMap(([k, v]) =>
        k.startsWith('SOAK_SERVER_') && v !== undefined ? [[k.slice('SOAK_SERVER_'.length), v]] : [],
      ),
    ),
    NODE_OPTIONS: `--require ${probe}${process.env.SOAK_HEAPSNAPSHOT ? ` --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${process.env.SOAK_HEAPSNAPSHOT}` : ''}`,
  });
  const pid = server.proc.pid!;
  const stop = async () => {
    server.kill('SIGTERM');
    await server.exited;
    await db.drop();
  };
  try {
    // The one-time admin password is printed once on stdout: that is how an operator gets in, and so does the soak.
    const pw = /password: (\S+)/.exec(server.output())?.[1];
    if (!pw) throw new Error(`no one-time admin password in the output:\n${server.output()}`);
    const login = await jsonFetch(`${server.url}/api/v1/auth/login`, 'POST', { username: 'admin', password: pw });
    const auth = { authorization: `Bearer ${login.body.token}` };
    const ent = await jsonFetch(`${server.url}/api/v1/enterprises`, 'POST', { name: 'soak' }, auth);
    const projects: string[] = [];
    for (let i = 0; i < PROJECTS; i++) {
      const p = await jsonFetch(
        `${server.url}/api/v1/projects`,
        'POST',
        {
          name: `soak ${i}`,
          enterpriseId: ent.body.id,
          regionCode: '370212',
          location: { lon: 120.4 + i * 0.01, lat: 36.1, height: 0 },
          footprint: rectangleAround({ lon: 120.4 + i * 0.01, lat: 36.1 }, 100, 80),
        },
        auth,
      );
      projects.push(p.body.id);
    }
    const devices: Array<{ id: string; key: string }> = [];
    for (let i = 0; i < DEVICES; i++) {
      const d = await jsonFetch(
        `${server.url}/api/v1/projects/${projects[i % PROJECTS]}/devices`,
        'POST',
        {
          kind: 'tower_crane',
          name: `crane ${i}`,
          location: { lon: 120.4 + (i % PROJECTS) * 0.01, lat: 36.1, height: 0 },
          params: { mastHeightM: 60, jibLengthM: 55, maxLoadT: 8, maxRadiusM: 55 },
        },
        auth,
      );
      devices.push({ id: d.body.device.id, key: d.body.apiKey });
    }

    // The viewers run in a process of their own (`soak.ts viewers`): ~17 k messages/s to parse must not delay this
    // process's requests (their round trip is measured here) nor hide in its CPU figure.
    const viewers = await startViewers({ url: server.url, token: login.body.token, projects });
    const perDevice = RATE / DEVICES;
    const seq = new Map(devices.map((d) => [d.id, 0]));
    let acked = 0;
    let sent = 0;
    let bad = 0;
    let noAnswer = 0;
    const statuses = new Map<number, number>();
    const rtt: number[] = [];
    const rss: Array<[number, number]> = [];
    const rssStart = rssMb(pid);
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const end = t0 + MINUTES * 60_000;
    // SOAK_HEAPSNAPSHOT=<dir>: the server writes a heap snapshot there after the warm-up and at the end (diagnosis only).
    const snap = process.env.SOAK_HEAPSNAPSHOT
      ? setTimeout(() => process.kill(pid, 'SIGUSR2'), WARMUP_S * 1000)
      : undefined;
    const sampler = setInterval(() => rss.push([(Date.now() - t0) / 1000, rssMb(pid)]), 5000);
    // Each device: one batch a second with `perDevice` readings, spread over the second so the load is even.
    const loops = devices.map(async (d, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / DEVICES));
      for (let tick = t0 + (i * 1000) / DEVICES; Date.now() < end; tick += 1000) {
        const now = Date.now();
        const batch = Array.from({ length: perDevice }, (_, k) => {
          const s = seq.get(d.id)! + 1;
          seq.set(d.id, s);
          return {
            deviceId: d.id,
            seq: s,
            time: now - (perDevice - k) * 10,
            values: {
              loadT: 2 + (s % 40) / 10,
              ratedLoadT: 8,
              momentPct: 30 + (s % 30),
              slewDeg: s % 360,
              radiusM: 20,
            },
          };
        });
        sent += batch.length;
        const sentAt = performance.now();
        try {
          const res = await fetch(`${server.url}/api/v1/ingest`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${d.key}` },
            body: JSON.stringify(batch),
            signal: AbortSignal.timeout(15_000),
          });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 200) acked += batch.length;
          else bad++;
          rtt.push(performance.now() - sentAt);
        } catch {
          noAnswer++;
        }
        const wait = tick + 1000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    });
    const progress = setInterval(
      () => {
        const s = (Date.now() - t0) / 1000;
        const p = probesOf(server.output()).at(-1);
        const heap = p
          ? `, heap ${(p.heapUsed / MB).toFixed(0)} MB, external ${(p.external / MB).toFixed(0)} MB, loop p99 ${p.eldP99} ms, server cpu ${p.cpuPct} %`
          : '';
        process.stdout.write(
          `  ${s.toFixed(0)} s: ${acked} readings acked (${(acked / s).toFixed(0)}/s), rss ${rssMb(pid).toFixed(0)} MB${heap}, errors ${bad + noAnswer}\n`,
        );
      },
      Number(process.env.SOAK_PROGRESS_S ?? 60) * 1000,
    );
    await Promise.all(loops);
    clearInterval(sampler);
    clearInterval(progress);
    clearTimeout(snap);
    const durS = (Date.now() - t0) / 1000;
    const clientCpu = process.cpuUsage(cpu0);
    if (process.env.SOAK_HEAPSNAPSHOT) {
      process.kill(pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 20_000));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const { msgs: viewerMsgs, disconnects: droppedViewers, cpuPct: viewerCpuPct } = await viewers.stop();

    const errorLines = server
      .output()
      .split('\n')
      .filter((l) => /"level":(50|60)/.test(l));
    const probes = probesOf(server.output())
      .map((p) => ({ ...p, s: (p.t - t0) / 1000 }))
      .filter((p) => p.s > 0 && p.s <= durS + 5);
    const inWindow = <T extends { s: number }>(xs: T[], from: number, to: number) =>
      xs.filter((x) => x.s >= from && x.s < to);
    const rssAt = rss.map(([s, r]) => ({ s, r }));
    const warm = mean(inWindow(rssAt, WARMUP_S, WARMUP_S + WINDOW_S).map((x) => x.r));
    const last = mean(inWindow(rssAt, durS - WINDOW_S, durS + 1).map((x) => x.r));
    const peak = Math.max(...rss.map(([, r]) => r));
    const memLine = (xs: typeof probes) => {
      const m = (k: 'heapUsed' | 'heapTotal' | 'external' | 'arrayBuffers') =>
        (mean(xs.map((p) => p[k])) / MB).toFixed(1);
      return `heapUsed ${m('heapUsed')}, heapTotal ${m('heapTotal')}, external ${m('external')}, arrayBuffers ${m('arrayBuffers')} MB`;
    };
    const serverCpu = mean(probes.map((p) => p.cpuPct));
    const clientCpuPct = ((clientCpu.user + clientCpu.system) / 1000 / (durS * 1000)) * 100;
    const errors = bad + noAnswer + droppedViewers + errorLines.length;
    console.log(`\nsoak: ${MINUTES} min, ${DEVICES} devices, target ${RATE} readings/s, ${VIEWERS} viewers`);
    // The rate over the load window (MINUTES): the loops end on the first tick past it, so durS runs up to a second longer.
    const ackRate = acked / (MINUTES * 60);
    console.log(
      `  readings acked      ${acked} of ${sent} sent (${ackRate.toFixed(0)}/s over the ${MINUTES * 60} s window = ${((ackRate / RATE) * 100).toFixed(1)} % of the target ${RATE}/s; ${(acked / durS).toFixed(0)}/s over ${durS.toFixed(1)} s until the last answer)`,
    );
    console.log(
      `  answers             ${JSON.stringify(Object.fromEntries(statuses))}, no answer within 15 s ${noAnswer}`,
    );
    console.log(
      `  errors              ${errors} (non-200 ${bad}, no answer ${noAnswer}, viewer disconnects ${droppedViewers}, server error log lines ${errorLines.length}; target 0)`,
    );
    console.log(`  ingest round trip   p50 ${pct(rtt, 50).toFixed(1)} ms, p99 ${pct(rtt, 99).toFixed(1)} ms`);
    console.log(`  viewer messages     ${viewerMsgs} (${(viewerMsgs / durS / VIEWERS).toFixed(1)}/s per viewer)`);
    console.log(
      `  server RSS          start ${rssStart.toFixed(1)} MB (load about to begin), after warm-up ${warm.toFixed(1)} MB (mean of ${WARMUP_S}-${WARMUP_S + WINDOW_S} s), end ${last.toFixed(1)} MB (mean of the last ${WINDOW_S} s), peak ${peak.toFixed(1)} MB`,
    );
    console.log(
      `  RSS growth          from start ${((last / rssStart - 1) * 100).toFixed(1)} %, from warm-up ${((last / warm - 1) * 100).toFixed(1)} % <- judged on this one (target < 10 %)`,
    );
    console.log(`  server heap         after warm-up: ${memLine(inWindow(probes, WARMUP_S, WARMUP_S + WINDOW_S))}`);
    console.log(`                      end:           ${memLine(inWindow(probes, durS - WINDOW_S, durS + 5))}`);
    console.log(
      `  event-loop delay    p99 ${probes.at(-1)?.allEldP99 ?? NaN} ms over the run (worst 5 s window p99 ${Math.max(...probes.map((p) => p.eldP99))} ms, max ${probes.at(-1)?.allEldMax ?? NaN} ms)`,
    );
    console.log(
      `  CPU                 server ${serverCpu.toFixed(0)} % of one core, load generator ${clientCpuPct.toFixed(0)} %, viewers ${viewerCpuPct.toFixed(0)} % (machine: ${os.cpus().length} cores, load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
    console.log(
      `  verdict             rate ${ackRate >= RATE * 0.99 ? 'met' : 'NOT met'}, errors ${errors === 0 ? 'met' : 'NOT met'}, RSS growth ${last / warm < 1.1 ? 'met' : 'NOT met'}`,
    );
    if (process.env.SOAK_SERIES)
      for (const p of probes)
        console.log(
          `  ${p.s.toFixed(0)} s rss ${(p.rss / MB).toFixed(0)} heap ${(p.heapUsed / MB).toFixed(0)}/${(p.heapTotal / MB).toFixed(0)} ext ${(p.external / MB).toFixed(0)} ab ${(p.arrayBuffers / MB).toFixed(0)} eld ${p.eldP99} cpu ${p.cpuPct}`,
        );
    for (const l of errorLines.slice(0, 5)) console.log(`  server error: ${l.slice(0, 300)}`);
  } finally {
    await stop();
  }
}

interface ViewerSetup {
  url: string;
  token: string;
  projects: string[];
}

/** Child process side: connects and subscribes the viewers, says `ready`, counts until `stop` on stdin, then reports. */
async function viewersMain(cfg: ViewerSetup): Promise<void> {
  let msgs = 0;
  let disconnects = 0;
  const sockets: Socket[] = [];
  for (let i = 0; i < VIEWERS; i++) {
    const s = ioClient(`${cfg.url}/live`, {
      auth: { protocolVersion: PROTOCOL_VERSION, token: cfg.token },
      transports: ['websocket'],
      forceNew: true,
    });
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.on('msg', () => msgs++);
    s.on('disconnect', () => disconnects++);
    const scope = i < 10 ? { kind: 'city' } : { kind: 'project', projectId: cfg.projects[i % cfg.projects.length] };
    const ack = await s.emitWithAck('msg', { type: 'subscribe', scope } as never);
    if (!(ack as { ok: boolean }).ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
    sockets.push(s);
  }
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  process.stdin.on('end', () => process.exit(1)); // the soak died: do not outlive it
  process.stdout.write('ready\n');
  await new Promise<void>((r) => process.stdin.on('data', (b: Buffer) => b.toString().includes('stop') && r()));
  const c = process.cpuUsage(cpu0);
  const result = { msgs, disconnects, cpuPct: ((c.user + c.system) / 1000 / (Date.now() - t0)) * 100 }; // before our own close
  for (const s of sockets) s.close();
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
}

/** Parent side: starts `soak.ts viewers` and waits until every viewer is subscribed. */
async function startViewers(
  cfg: ViewerSetup,
): Promise<{ stop(): Promise<{ msgs: number; disconnects: number; cpuPct: number }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'viewers', JSON.stringify(cfg)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  while (!out.includes('ready\n')) {
    if (child.exitCode !== null) throw new Error(`viewers exited: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    async stop() {
      child.stdin!.write('stop\n');
      const code = await exited;
      const line = out.split('\n').find((l) => l.startsWith('result '));
      if (!line) throw new Error(`viewers exited with ${code} and no result: ${out}`);
      return JSON.parse(line.slice('result '.length));
    },
  };
}

(process.argv[2] === 'viewers' ? viewersMain(JSON.parse(process.argv[3]!)) : main()).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
