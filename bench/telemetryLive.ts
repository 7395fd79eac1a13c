/**
 * Child processes of bench/telemetry.ts: `serve` runs the real Site Twin server on a PostgreSQL database, `bare`
 * runs a bare Socket.IO server that broadcasts each posted batch at once (no store, no validation, no coalescing):
 * the baseline. Each prints one JSON line `{ url }` when it listens.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as IoServer } from 'socket.io';
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/log.js';
import { startServer } from '../server/Server.js';
import { openStore } from '../server/store/Store.js';

async function serve(databaseUrl: string, mode: string | undefined): Promise<void> {
  const store = await openStore({ databaseUrl });
  if (mode === 'copy' || mode === 'unnest') store.telemetry.writeMode = mode;
  // The load is one gateway posting 50 batches a second from one address: per-key / per-address request limits
  // (a deployment setting) are off, so the run measures the pipeline, not the limiter.
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SEED: '0',
    SIMULATE: '0',
    DATABASE_URL: databaseUrl,
    AUTH: 'off',
    RATE_LIMIT_DEVICE_PER_S: '0',
    RATE_LIMIT_API_PER_MIN: '0',
  });
  const s = await startServer({ config, store, log: createLogger('silent') });
  process.stdout.write(JSON.stringify({ url: s.url }) + '\n');
  // What the server did, for the report: group commits and alarms written during the run.
  process.on('SIGTERM', async () => {
    const alarms = await store.db
      .query<{ n: number }>('SELECT count(*)::int AS n FROM alarms')
      .catch(() => ({ rows: [{ n: -1 }] }));
    process.stderr.write(`   server: ${JSON.stringify({ ingest: s.ctx.ingest.stats, alarms: alarms.rows[0]!.n })}\n`);
    process.exit(0);
  });
}

async function bare(projectMapFile: string): Promise<void> {
  const projectOf = new Map<string, string>(Object.entries(JSON.parse(readFileSync(projectMapFile, 'utf8'))));
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const readings = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        deviceId: string;
        time: number;
        seq: number;
        values: object;
      }[];
      const byRoom = new Map<string, unknown[]>();
      for (const r of readings) {
        const projectId = projectOf.get(r.deviceId)!;
        const room = `project:${projectId}`;
        if (!byRoom.has(room)) byRoom.set(room, []);
        byRoom
          .get(room)!
          .push({ deviceId: r.deviceId, projectId, kind: 'env_monitor', time: r.time, seq: r.seq, values: r.values });
      }
      for (const [room, list] of byRoom)
        nsp.to(room).emit('msg', {
          type: 'telemetry.batch',
          scope: { kind: 'project', projectId: room.slice(8) },
          readings: list,
        });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ accepted: readings.length, duplicates: 0, rejected: [] }));
    });
  });
  const io = new IoServer(http, { serveClient: false });
  const nsp = io.of('/live');
  nsp.on('connection', (socket) => {
    socket.on(
      'msg',
      async (m: { type: string; scope: { kind: string; projectId?: string } }, ack: (r: unknown) => void) => {
        await socket.join(m.scope.kind === 'city' ? 'city' : `project:${m.scope.projectId}`);
        ack({ ok: true });
      },
    );
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` }) + '\n');
}

// A clean exit on SIGTERM, so --cpu-prof (BENCH_NODE_ARGS) writes its profile.
if (process.argv[2] !== 'serve') process.on('SIGTERM', () => process.exit(0));
const [mode, arg, arg2] = process.argv.slice(2);
if (mode === 'serve') await serve(arg!, arg2);
else if (mode === 'bare') await bare(arg!);
else throw new Error('usage: telemetryLive.ts serve <databaseUrl> [copy|unnest] | bare <projectMap.json>');
