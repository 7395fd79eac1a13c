/**
 * Soak: the real server as a child process (`tsx server/main.ts`, AUTH=on) on a fresh PostgreSQL database, fed
 * 2 000 readings/s over HTTP by 100 crane devices (20 readings a second each, one batch a second), watched by 50
 * logged-in viewers on /live (10 city, 40 project rooms), for SOAK_MINUTES (default 10). Loopback only, bounded.
 *
 * Prints: readings acknowledged and their rate, errors (non-200 answers, requests without an answer, viewer
 * disconnects, error lines in the server log), ingest round-trip p50 / p99, messages received by viewers, and the
 * server's RSS: the baseline is measured in this run (mean RSS of the minute after warm-up), the end figure is the
 * mean of the last minute, and the ratio end / baseline is the growth (target < 1.10).
 *
 *   npx tsx bench/soak.ts            # 10 minutes
 *   SOAK_MINUTES=1 npx tsx bench/soak.ts
 * Env: SOAK_DATABASE_URL (default TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test), SOAK_RATE (2000).
 */
import { readFileSync } from 'node:fs';
import { io as ioClient, type Socket } from 'socket.io-client';
import { rectangleAround } from '../models/geo.js';
import { PROTOCOL_VERSION } from '../models/protocol.js';
import { createTestDatabase, jsonFetch, startChildServer } from '../tests/helpers/childServer.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const RATE = Number(process.env.SOAK_RATE ?? 2000);
const DEVICES = 100;
const PROJECTS = 5;
const VIEWERS = 50;
const BASE = process.env.SOAK_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WARMUP_S = Math.min(60, MINUTES * 6); // 10 % of the run, at most a minute
const WINDOW_S = Math.min(60, MINUTES * 6);

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function main(): Promise<void> {
  const db = await createTestDatabase(BASE);
  const server = await startChildServer({ DATABASE_URL: db.url, AUTH: 'on', LOG_LEVEL: 'warn', DATA_DIR: `/tmp/sitetwin-soak-${process.pid}` });
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
      const p = await jsonFetch(`${server.url}/api/v1/projects`, 'POST', {
        name: `soak ${i}`,
        enterpriseId: ent.body.id,
        regionCode: '370212',
        location: { lon: 120.4 + i * 0.01, lat: 36.1, height: 0 },
        footprint: rectangleAround({ lon: 120.4 + i * 0.01, lat: 36.1 }, 100, 80),
      }, auth);
      projects.push(p.body.id);
    }
    const devices: Array<{ id: string; key: string }> = [];
    for (let i = 0; i < DEVICES; i++) {
      const d = await jsonFetch(`${server.url}/api/v1/projects/${projects[i % PROJECTS]}/devices`, 'POST', {
        kind: 'tower_crane',
        name: `crane ${i}`,
        location: { lon: 120.4 + (i % PROJECTS) * 0.01, lat: 36.1, height: 0 },
        params: { mastHeightM: 60, jibLengthM: 55, maxLoadT: 8, maxRadiusM: 55 },
      }, auth);
      devices.push({ id: d.body.device.id, key: d.body.apiKey });
    }

    let viewerMsgs = 0;
    let disconnects = 0;
    const viewers: Socket[] = [];
    for (let i = 0; i < VIEWERS; i++) {
      const s = ioClient(`${server.url}/live`, { auth: { protocolVersion: PROTOCOL_VERSION, token: login.body.token }, transports: ['websocket'], forceNew: true });
      await new Promise<void>((r) => s.once('connect', () => r()));
      s.on('msg', () => viewerMsgs++);
      s.on('disconnect', () => disconnects++);
      const scope = i < 10 ? { kind: 'city' } : { kind: 'project', projectId: projects[i % PROJECTS] };
      const ack = await s.emitWithAck('msg', { type: 'subscribe', scope } as never);
      if (!(ack as { ok: boolean }).ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
      viewers.push(s);
    }

    const perDevice = RATE / DEVICES;
    const seq = new Map(devices.map((d) => [d.id, 0]));
    let acked = 0;
    let bad = 0;
    let noAnswer = 0;
    const statuses = new Map<number, number>();
    const rtt: number[] = [];
    const rss: Array<[number, number]> = [];
    const t0 = Date.now();
    const end = t0 + MINUTES * 60_000;
    const sampler = setInterval(() => rss.push([(Date.now() - t0) / 1000, rssMb(pid)]), 5000);
    // Each device: one batch a second with `perDevice` readings, spread over the second so the load is even.
    const loops = devices.map(async (d, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / DEVICES));
      for (let tick = t0 + (i * 1000) / DEVICES; Date.now() < end; tick += 1000) {
        const now = Date.now();
        const batch = Array.from({ length: perDevice }, (_, k) => {
          const s = seq.get(d.id)! + 1;
          seq.set(d.id, s);
          return { deviceId: d.id, seq: s, time: now - (perDevice - k) * 10, values: { loadT: 2 + (s % 40) / 10, ratedLoadT: 8, momentPct: 30 + (s % 30), slewDeg: s % 360, radiusM: 20 } };
        });
        const sent = performance.now();
        try {
          const res = await fetch(`${server.url}/api/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${d.key}` }, body: JSON.stringify(batch), signal: AbortSignal.timeout(15_000) });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 200) acked += batch.length;
          else bad++;
          rtt.push(performance.now() - sent);
        } catch {
          noAnswer++;
        }
        const wait = tick + 1000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    });
    const progress = setInterval(() => {
      const s = (Date.now() - t0) / 1000;
      process.stdout.write(`  ${s.toFixed(0)} s: ${acked} readings acked (${(acked / s).toFixed(0)}/s), rss ${rssMb(pid).toFixed(0)} MB, errors ${bad + noAnswer}\n`);
    }, 60_000);
    await Promise.all(loops);
    clearInterval(sampler);
    clearInterval(progress);
    const durS = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const droppedViewers = disconnects; // before our own close, which disconnects every viewer
    for (const v of viewers) v.close();

    const errorLines = server.output().split('\n').filter((l) => /"level":(50|60)/.test(l));
    const baseline = mean(rss.filter(([s]) => s >= WARMUP_S && s < WARMUP_S + WINDOW_S).map(([, r]) => r));
    const last = mean(rss.filter(([s]) => s >= durS - WINDOW_S).map(([, r]) => r));
    const peak = Math.max(...rss.map(([, r]) => r));
    console.log(`\nsoak: ${MINUTES} min, ${DEVICES} devices, target ${RATE} readings/s, ${VIEWERS} viewers`);
    console.log(`  readings acked      ${acked} (${(acked / durS).toFixed(0)}/s; target ${RATE}/s)`);
    console.log(`  answers             ${JSON.stringify(Object.fromEntries(statuses))}, no answer ${noAnswer}`);
    console.log(`  errors              ${bad + noAnswer + droppedViewers + errorLines.length} (non-200 ${bad}, no answer ${noAnswer}, viewer disconnects ${droppedViewers}, server error log lines ${errorLines.length})`);
    console.log(`  ingest round trip   p50 ${pct(rtt, 50).toFixed(1)} ms, p99 ${pct(rtt, 99).toFixed(1)} ms`);
    console.log(`  viewer messages     ${viewerMsgs} (${(viewerMsgs / durS / VIEWERS).toFixed(1)}/s per viewer)`);
    console.log(`  server RSS          baseline ${baseline.toFixed(1)} MB (mean of ${WARMUP_S}-${WARMUP_S + WINDOW_S} s), end ${last.toFixed(1)} MB (mean of the last ${WINDOW_S} s), peak ${peak.toFixed(1)} MB`);
    console.log(`  RSS ratio end/base  ${(last / baseline).toFixed(3)} (growth ${((last / baseline - 1) * 100).toFixed(1)} %; target < 10 %)`);
    for (const l of errorLines.slice(0, 5)) console.log(`  server error: ${l.slice(0, 300)}`);
  } finally {
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
