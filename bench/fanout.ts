/**
 * The live fan-out alone, at the city's scale (bench/city.ts): LiveHub.publishReadings on a real Socket.IO server set
 * up as Server.ts does (connection state recovery, its packet buffer bounded, the `/live` encoder), with real websocket viewers in city,
 * enterprise and project rooms (10 % / 20 % / 70 %, as bench/city.ts), fed every tick with the readings a city
 * flushes in one tick (10 250 devices at 1 Hz, LIVE_TICK_MS 50: ~513 readings over ~400 projects).
 * Prints the CPU time of one tick's publishReadings (process CPU around the call: encoding, the recovery buffer, the
 * socket writes), per tick and per 1 000 readings, and the packets the tick left in the recovery buffer. CPU time,
 * not wall time, so runs on a busy machine compare; alternate runs of two versions (A B A B) to see a change.
 *
 *   npx tsx bench/fanout.ts
 * Env: FANOUT_PROJECTS (1000), FANOUT_ENTERPRISES (20), FANOUT_DEVICES (10250), FANOUT_VIEWERS (50),
 *      FANOUT_TICKS (600), FANOUT_TICK_MS (50).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as IoServer } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../models/protocol.js';
import type { LiveReading } from '../models/Reading.js';
import { openAccessPolicy } from '../server/auth/access.js';
import type { ProjectOwner } from '../server/auth/ProjectOwners.js';
import { createLogger } from '../server/log.js';
import { LiveHub } from '../server/realtime/LiveHub.js';
import { liveParser } from '../server/realtime/liveEncoder.js';
import type { Store } from '../server/store/Store.js';

const num = (name: string, def: number) => Number(process.env[name] ?? def);
const PROJECTS = num('FANOUT_PROJECTS', 1000);
const ENTERPRISES = num('FANOUT_ENTERPRISES', 20);
const DEVICES = num('FANOUT_DEVICES', 10_250);
const VIEWERS = num('FANOUT_VIEWERS', 50);
const TICKS = num('FANOUT_TICKS', 600);
const TICK_MS = num('FANOUT_TICK_MS', 50);
const DISTRICTS = ['370202', '370203', '370211', '370212', '370213', '370214', '370215'];
const uuid = (prefix: number, n: number) =>
  `${String(prefix).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((p / 100) * (xs.length - 1))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const enterprises = Array.from({ length: ENTERPRISES }, (_, i) => uuid(1, i));
const owners: ProjectOwner[] = Array.from({ length: PROJECTS }, (_, i) => ({
  id: uuid(2, i),
  enterpriseId: enterprises[i % ENTERPRISES]!,
  regionCode: DISTRICTS[i % DISTRICTS.length]!,
}));

const http = createServer();
const io = new IoServer(http, {
  connectionStateRecovery: { maxDisconnectionDuration: 120_000, skipMiddlewares: false },
  parser: liveParser,
});
const store = { users: { projectOwners: async () => owners } } as unknown as Store;
const hub = new LiveHub(io, store, openAccessPolicy, createLogger('silent'), {
  clustered: false,
  recovery: { maxPackets: 20_000, maxAgeMs: 120_000 },
});
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/live`;

const sockets: Socket[] = [];
let received = 0;
for (let i = 0; i < VIEWERS; i++) {
  const s = ioClient(url, { auth: { protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'], forceNew: true });
  await new Promise<void>((r) => s.once('connect', () => r()));
  s.on('msg', () => received++);
  const k = i / VIEWERS;
  const scope =
    k < 0.1
      ? { kind: 'city' }
      : k < 0.3
        ? { kind: 'enterprise', enterpriseId: enterprises[i % ENTERPRISES] }
        : { kind: 'project', projectId: owners[(i * 37) % PROJECTS]!.id };
  const ack = (await s.emitWithAck('msg', { type: 'subscribe', scope })) as { ok: boolean };
  if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
  sockets.push(s);
}

const perTick = Math.round((DEVICES * TICK_MS) / 1000);
let next = 0;
function tickReadings(now: number): LiveReading[] {
  const out: LiveReading[] = [];
  for (let j = 0; j < perTick; j++, next = (next + 1) % DEVICES) {
    const d = next;
    const crane = d % 41 === 0;
    out.push({
      deviceId: uuid(3, d),
      projectId: owners[d % PROJECTS]!.id,
      kind: crane ? 'tower_crane' : 'env_monitor',
      time: now,
      seq: Math.floor(now / 1000),
      values: crane
        ? { loadT: 3 + (d % 5), radiusM: 20 + (d % 30), slewDeg: (now / 100) % 360, windMps: 4.2, momentPct: 61 }
        : { pm10Ugm3: 40 + (d % 50), pm25Ugm3: 20 + (d % 30), noiseDb: 55 + (d % 20), tempC: 12.5, humidityPct: 40 },
    });
  }
  return out;
}

const packets = () => (io.of('/live').adapter as unknown as { packets: unknown[] }).packets.length;
const cpuUs: number[] = [];
const kept: number[] = [];
for (let t = 0; t < TICKS; t++) {
  const readings = tickReadings(Date.now());
  const p0 = packets();
  const c0 = process.cpuUsage();
  hub.publishReadings(readings);
  const c = process.cpuUsage(c0);
  // Past the buffer's bound the count stops growing: count only before it is reached.
  if (p0 < 18_000) kept.push(packets() - p0);
  if (t >= TICKS / 10) cpuUs.push(c.user + c.system); // the first tenth warms the JIT
  await sleep(TICK_MS);
}
const mean = cpuUs.reduce((s, x) => s + x, 0) / cpuUs.length;
console.log(
  `fan-out of one tick: ${perTick} readings over ${PROJECTS} projects, ${VIEWERS} viewers; ${cpuUs.length} ticks measured`,
);
console.log(
  `  CPU per tick  mean ${(mean / 1000).toFixed(2)} ms, p50 ${(pct(cpuUs, 50) / 1000).toFixed(2)} ms, p99 ${(pct(cpuUs, 99) / 1000).toFixed(2)} ms; per 1 000 readings ${(mean / perTick).toFixed(2)} ms`,
);
console.log(
  `  packets kept in the recovery buffer per tick: ${(kept.reduce((s, x) => s + x, 0) / Math.max(1, kept.length)).toFixed(1)}; messages the viewers got: ${received}`,
);
for (const s of sockets) s.close();
hub.close();
io.close();
process.exit(0);
