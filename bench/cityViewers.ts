/**
 * The `/live` viewers of bench/city.ts, in a process of their own (so their CPU is not the server's nor the gateways'):
 * real socket.io clients in city, enterprise and project rooms, timing ingest -> viewer latency on the same clock as
 * the gateways' send stamps. The parent (startViewers) writes the city as one JSON line on the child's stdin, then
 * `measure` and `stop`; the child answers `ready` and, at the end, one `result {...}` line.
 */
import { spawn } from 'node:child_process';
import { io as ioClient, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../models/protocol.js';
import { sleep, VIEWERS } from './cityConfig.js';
import type { City } from './citySeed.js';
import { MsHistogram } from './msHistogram.js';

export interface ViewerResult {
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

/** Starts the viewers process (this file) and waits until every viewer has subscribed. */
export async function startViewers(cfg: { url: string; city: City }) {
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

// The child: `node --import tsx bench/cityViewers.ts viewers` (started by startViewers).
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
}
