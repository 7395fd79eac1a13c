/**
 * Edges benchmark (HJ 212 and MQTT), loopback only, bounded (about a minute). Needs PostgreSQL + PostGIS
 * (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; a scratch database is made and dropped) and
 * Mosquitto at mqtt://127.0.0.1:1883.
 *
 * 1. Hj212StreamParser throughput on a stream cut into 1460-byte TCP segments, next to the least work any parser
 *    must do on the same bytes (split on CRLF + CRC16 of each data segment): frames/s and ratio.
 * 2. Closed-loop round trips into the real server, 20 devices x N readings each, one reading per message, each
 *    device waiting for its answer (as real devices do): HJ 212 frame -> 9014, MQTT publish -> ack topic, next to
 *    HTTP POST of one reading -> 200 as the baseline. Readings/s, p50 / p99 of the round trip, ratio to HTTP.
 * 3. RSS of this process (server and clients together) after the run.
 */
import { connect } from 'node:net';
import mqtt from 'mqtt';
import pg from 'pg';
import { rectangleAround } from '../models/geo.js';
import { loadConfig } from '../server/config.js';
import { hashApiKey, hashHj212Pw } from '../server/security/deviceSecrets.js';
import { hj212Crc16 } from '../server/ingest/hj212/crc16.js';
import { encodeFrame } from '../server/ingest/hj212/frame.js';
import { buildPacket, formatChinaTime } from '../server/ingest/hj212/packet.js';
import { Hj212StreamParser } from '../server/ingest/hj212/StreamParser.js';
import { createLogger } from '../server/log.js';
import { startServer } from '../server/Server.js';
import { openStore } from '../server/store/Store.js';

const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DEVICES = 20;
const PER_DEVICE = Number(process.env.BENCH_PER_DEVICE ?? 150);
const PARSER_FRAMES = 50_000;
const DB = 'sitetwin_bench_edges';
const PREFIX = `sitetwin-bench-${process.pid}`;

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (n: number) => n.toFixed(n < 10 ? 2 : 0);

function frameFor(mn: string, time: number, i: number, flag = 5): Buffer {
  return encodeFrame(
    buildPacket({
      qn: `${formatChinaTime(time, true)}`,
      st: '22',
      cn: '2011',
      pw: '123456',
      mn,
      flag,
      cp: [
        [['DataTime', formatChinaTime(time)]],
        [
          ['a34004-Rtd', 20 + (i % 30)],
          ['a34004-Flag', 'N'],
        ],
        [
          ['a34002-Rtd', 40 + (i % 50)],
          ['a34002-Flag', 'N'],
        ],
        [
          ['LA-Rtd', 55 + (i % 20) / 2],
          ['LA-Flag', 'N'],
        ],
        [
          ['a01001-Rtd', 21.5],
          ['a01001-Flag', 'N'],
        ],
      ],
    }),
  );
}

function parserBench() {
  const t0 = Date.UTC(2026, 0, 1);
  const stream = Buffer.concat(
    Array.from({ length: PARSER_FRAMES }, (_, i) => frameFor('BENCH0000000001', t0 + i * 1000, i)),
  );
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 1460) chunks.push(stream.subarray(i, i + 1460));
  let best = Infinity;
  let baseBest = Infinity;
  for (let round = 0; round < 3; round++) {
    let s = performance.now();
    const p = new Hj212StreamParser();
    let ok = 0;
    for (const c of chunks) for (const r of p.push(c)) if (r.ok) ok++;
    if (ok !== PARSER_FRAMES) throw new Error(`parser found ${ok} frames`);
    best = Math.min(best, performance.now() - s);
    s = performance.now();
    let n = 0;
    const text = stream.toString('latin1');
    for (const line of text.split('\r\n')) {
      if (!line) continue;
      if (hj212Crc16(Buffer.from(line.slice(6, -4), 'latin1')) >= 0) n++;
    }
    if (n !== PARSER_FRAMES) throw new Error(`baseline found ${n} frames`);
    baseBest = Math.min(baseBest, performance.now() - s);
  }
  return {
    parser: PARSER_FRAMES / (best / 1000),
    baseline: PARSER_FRAMES / (baseBest / 1000),
    mb: stream.length / 1e6,
  };
}

async function main() {
  const p = parserBench();
  console.log(
    `1. HJ 212 stream parser: ${fmt(p.parser)} frames/s over ${p.mb.toFixed(1)} MB in 1460-byte segments; baseline split+CRC ${fmt(p.baseline)} frames/s; ratio ${(p.parser / p.baseline).toFixed(2)}`,
  );

  const admin = new pg.Client({ connectionString: BASE });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  const url = new URL(BASE);
  url.pathname = `/${DB}`;
  const store = await openStore({ databaseUrl: url.toString() });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SEED: '0',
    SIMULATE: '0',
    LOG_LEVEL: 'silent',
    HJ212_PORT: '0',
    MQTT_URL: 'mqtt://127.0.0.1:1883',
    MQTT_TOPIC_PREFIX: PREFIX,
    MQTT_CLIENT_ID: `${PREFIX}-ingest`,
  });
  const server = await startServer({ config, store, log: createLogger('silent') });
  try {
    const e = await store.enterprises.create({ name: 'Bench', role: 'contractor' });
    const loc = { lon: 120.3, lat: 36.07 };
    const proj = await store.projects.create({
      name: 'Bench site',
      enterpriseId: e.id,
      address: '',
      regionCode: '370202',
      status: 'under_construction',
      heightM: 30,
      location: { ...loc, height: 0 },
      footprint: rectangleAround(loc, 100, 100),
    });
    const pwHash = await hashHj212Pw('123456');
    const devs: Array<{ id: string; key: string; mn: string }> = [];
    for (let i = 0; i < DEVICES; i++) {
      const key = `stk_bench_${i}`;
      const mn = `BENCH${String(i).padStart(10, '0')}`;
      const d = await store.devices.create({
        projectId: proj.id,
        kind: 'env_monitor',
        name: `dust ${i}`,
        params: {},
        location: { ...loc, height: 2 },
        apiKeyHash: hashApiKey(key),
        hj212Mn: mn,
        hj212PwHash: pwHash,
      });
      devs.push({ id: d.id, key, mn });
    }
    const t0 = Date.now() - 3 * 86_400_000;
    const values = (i: number) => ({
      pm25Ugm3: 20 + (i % 30),
      pm10Ugm3: 40 + (i % 50),
      noiseDb: 55 + (i % 20) / 2,
      temperatureC: 21.5,
    });

    const runLoop = async (
      name: string,
      offsetS: number,
      one: (dev: (typeof devs)[number], i: number, time: number) => Promise<void>,
    ) => {
      const lat: number[] = [];
      const start = performance.now();
      await Promise.all(
        devs.map(async (dev) => {
          for (let i = 0; i < PER_DEVICE; i++) {
            const s = performance.now();
            await one(dev, i, t0 + (offsetS + i) * 1000);
            lat.push(performance.now() - s);
          }
        }),
      );
      const rate = (DEVICES * PER_DEVICE) / ((performance.now() - start) / 1000);
      return { name, rate, p50: pct(lat, 50), p99: pct(lat, 99) };
    };

    const http = await runLoop('HTTP, one reading per POST (baseline)', 0, async (dev, i, time) => {
      const res = await fetch(`${server.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${dev.key}` },
        body: JSON.stringify({ deviceId: dev.id, time, values: values(i) }),
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      await res.arrayBuffer();
    });

    const sockets = new Map(
      await Promise.all(
        devs.map(async (d) => {
          const s = connect(server.edges.hj212!.port, '127.0.0.1');
          await new Promise((r) => s.once('connect', r));
          const parser = new Hj212StreamParser();
          const waiters: Array<() => void> = [];
          s.on('data', (c) => {
            for (const r of parser.push(c)) if (r.ok && r.frame.data.includes('CN=9014')) waiters.shift()?.();
          });
          return [d.id, { s, waiters }] as const;
        }),
      ),
    );
    const hj = await runLoop('HJ 212 frame -> 9014', 100_000, async (dev, i, time) => {
      const c = sockets.get(dev.id)!;
      await new Promise<void>((r) => {
        c.waiters.push(r);
        c.s.write(frameFor(dev.mn, time, i));
      });
    });
    for (const c of sockets.values()) c.s.destroy();

    const pub = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5, clientId: `${PREFIX}-dev` });
    const ackWaiters = new Map<string, Array<() => void>>(devs.map((d) => [d.id, []]));
    await pub.subscribeAsync(`${PREFIX}/+/+/ack`, { qos: 1 });
    pub.on('message', (topic) => ackWaiters.get(topic.split('/')[2]!)?.shift()?.());
    const mq = await runLoop('MQTT QoS 1 publish -> ack topic', 200_000, async (dev, i, time) => {
      await new Promise<void>((r) => {
        ackWaiters.get(dev.id)!.push(r);
        void pub.publishAsync(
          `${PREFIX}/${proj.id}/${dev.id}/telemetry`,
          JSON.stringify({ key: dev.key, time, values: values(i) }),
          { qos: 1 },
        );
      });
    });
    await pub.endAsync();

    console.log(
      `2. Round trips into the real server, ${DEVICES} devices x ${PER_DEVICE} readings, one reading per message:`,
    );
    for (const r of [http, hj, mq]) {
      console.log(
        `   ${r.name.padEnd(40)} ${fmt(r.rate).padStart(6)} readings/s  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms  ratio to HTTP ${(r.rate / http.rate).toFixed(2)}`,
      );
    }
    const stored = (await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry')).rows[0]!.n;
    if (stored !== 3 * DEVICES * PER_DEVICE) throw new Error(`stored ${stored}, expected ${3 * DEVICES * PER_DEVICE}`);
    console.log(
      `3. RSS of the bench process (server + clients): ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB; rows stored ${stored}`,
    );
  } finally {
    await server.close();
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.end();
  }
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
