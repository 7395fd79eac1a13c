import { parseArgs } from 'node:util';
import { ensureDevices, ensureProjects, login, type SimDevice } from './apiClient.js';
import { simFor } from './fleet.js';
import { seedOf } from './rng.js';
import type { Sim } from './siteDevices.js';
import { createTransport, type Outgoing, type SendStats, type TransportName } from './transports.js';

const USAGE = `npm run simulate -- [options]
  --url URL          server (default http://localhost:8080)
  --projects N       projects to drive (existing ones first; missing ones are created)   default 2
  --cranes N         tower cranes per project                                             default 2
  --sensors N        other devices per project (env monitor, hoist, pit, camera, gate, sensor in turn) default 6
  --rate HZ          readings per device per second                                       default 1
  --transport T      http | socket | mqtt | hj212                                          default http
  --duration S       stop after S seconds (default: run until Ctrl-C)
  --mqtt-url URL     broker for --transport mqtt (default mqtt://127.0.0.1:1883)
  --mqtt-prefix P    topic prefix (default sitetwin)
  --hj212 HOST:PORT  HJ 212 listener for --transport hj212 (default: the --url host, port 2120)
  --seed N           seed of the device physics (default 1)
  --user U           operator account to register devices with, on a server with AUTH=on
                     (password from --password or the SITETWIN_PASSWORD environment variable)
  --password P`;

/** The CLI's own console output: a tool for people, so plain lines, not the server's JSON log. */
const say = (line: string) => process.stdout.write(`${line}\n`);

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function positive(name: string, v: string | undefined, def: number, integer = true): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    fail(`--${name} must be a ${integer ? 'whole ' : ''}number >= 0, not "${v}"`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string', default: 'http://localhost:8080' },
        projects: { type: 'string' },
        cranes: { type: 'string' },
        sensors: { type: 'string' },
        rate: { type: 'string' },
        transport: { type: 'string', default: 'http' },
        duration: { type: 'string' },
        seed: { type: 'string' },
        'mqtt-url': { type: 'string', default: 'mqtt://127.0.0.1:1883' },
        'mqtt-prefix': { type: 'string', default: 'sitetwin' },
        hj212: { type: 'string' },
        help: { type: 'boolean' },
        user: { type: 'string' },
        password: { type: 'string' },
      },
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) return void say(USAGE);
  const transport = values.transport as TransportName;
  if (!['http', 'socket', 'mqtt', 'hj212'].includes(transport))
    fail(`--transport must be http, socket, mqtt or hj212, not "${transport}"`);
  const url = values.url!.replace(/\/$/, '');
  const projects = positive('projects', values.projects, 2);
  const cranes = positive('cranes', values.cranes, 2);
  const sensors = positive('sensors', values.sensors, 6);
  const rate = positive('rate', values.rate, 1, false);
  if (rate <= 0 || rate > 100) fail('--rate must be above 0 and at most 100 Hz');
  const duration = values.duration === undefined ? undefined : positive('duration', values.duration, 0, false);
  const seed = positive('seed', values.seed, 1);
  const [hjHost, hjPort] = (values.hj212 ?? `${new URL(url).hostname}:2120`).split(':');
  if (!hjHost || !Number.isInteger(Number(hjPort))) fail(`--hj212 must be HOST:PORT, not "${values.hj212}"`);

  say(
    `simulate: ${projects} project(s) x (${cranes} crane(s) + ${sensors} device(s)) at ${rate} Hz over ${transport} -> ${url}`,
  );
  if (values.user) {
    const password = values.password ?? process.env.SITETWIN_PASSWORD;
    if (!password) fail('--user needs --password or SITETWIN_PASSWORD');
    await login(url, values.user, password);
  }
  const sites = await ensureProjects(url, projects);
  const devices: SimDevice[] = [];
  for (const p of sites) devices.push(...(await ensureDevices(url, p, cranes, sensors)));
  say(`simulate: ${devices.length} device(s) registered or reused`);

  const start = Date.now();
  const sims = new Map<string, Sim<Record<string, unknown>>>(
    devices.map((d) => [d.device.id, simFor(d.spec.kind, seedOf(d.device.id) ^ seed, d.spec.params, start)]),
  );
  const stats: SendStats = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, errors: 0 };
  const t = await createTransport(
    transport,
    {
      url,
      mqttUrl: values['mqtt-url']!,
      mqttPrefix: values['mqtt-prefix']!,
      hj212: { host: hjHost, port: Number(hjPort) },
    },
    stats,
  );

  let stopping = false;
  const stop = () => (stopping = true);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const periodMs = 1000 / rate;
  let lastTime = 0;
  let nextReport = start + 5000;
  while (!stopping && (duration === undefined || Date.now() - start < duration * 1000)) {
    const tickStart = Date.now();
    // Distinct times per device: the ingest dedupes on (device, time) for readings without seq.
    const time = Math.max(tickStart, lastTime + 1);
    lastTime = time;
    const batch: Outgoing[] = devices.map((dev) => ({ dev, time, values: sims.get(dev.device.id)!.next(time) }));
    try {
      await t.send(batch);
    } catch (e) {
      stats.errors++;
      process.stderr.write(`simulate: send failed: ${(e as Error).message}\n`);
    }
    if (Date.now() >= nextReport) {
      nextReport += 5000;
      say(
        `simulate: sent ${stats.sent}, stored ${stats.accepted}, duplicates ${stats.duplicates}, rejected ${stats.rejected}, errors ${stats.errors}`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.max(0, periodMs - (Date.now() - tickStart))));
  }
  // Acks still in flight (MQTT ack topic, HJ 212 9014) get up to 5 s to come back before the totals are printed.
  const deadline = Date.now() + 5000;
  while (stats.accepted + stats.duplicates + stats.rejected + stats.errors < stats.sent && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await t.close();
  say(`simulate: done: ${JSON.stringify(stats)}`);
  process.exit(stats.errors > 0 && stats.accepted === 0 ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`simulate: ${(e as Error).message}\n`);
  process.exit(1);
});
