import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../server/ingest/hj212/frame.js';
import { buildPacket, formatChinaTime, parsePacket, type Hj212Packet } from '../../../server/ingest/hj212/packet.js';
import { Hj212StreamParser } from '../../../server/ingest/hj212/StreamParser.js';
import type { MqttAck } from '../../../server/ingest/mqttAdapter.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { crane, envMonitor, makeDevice, makeProject } from '../../helpers/telemetry.js';

// The device rate limit of HTTP and Socket.IO (RATE_LIMIT_DEVICE_PER_S, burst twice that) on the two other
// transports, through the real Mosquitto and a real TCP socket. 1 message a second, burst 2: a burst of 30 sent at
// once cannot all pass however slow the machine (that would take ~28 s), and the first two always do.
const BROKER = 'mqtt://127.0.0.1:1883';
const run = randomBytes(4).toString('hex');
const PREFIX = `sitetwin-rl-${run}`;
const MN = `RL${run}`.toUpperCase();
const PW = '654321';
const N = 30;

let t: TestServer;
let projectId: string;
let pub: MqttClient | undefined;
const sockets: Socket[] = [];

const rows = async (deviceId: string) =>
  (await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [deviceId]))
    .rows[0]!.n;

beforeAll(async () => {
  t = await startTestServer({
    env: {
      MQTT_URL: BROKER,
      MQTT_TOPIC_PREFIX: PREFIX,
      MQTT_CLIENT_ID: `sitetwin-ingest-${run}`,
      HJ212_PORT: '0',
      RATE_LIMIT_DEVICE_PER_S: '1',
    },
  });
  projectId = await makeProject(t);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await pub?.endAsync();
  await t?.close();
});

describe('per-device rate limit on MQTT and HJ 212', () => {
  it('MQTT: a burst past the limit is dropped with rate_limited on the ack topic, never stored nor redelivered; another device is not limited', async () => {
    const a = await makeDevice(t, projectId, crane('限流塔吊'));
    const b = await makeDevice(t, projectId, crane('旁边的塔吊'));
    const acks = new Map<string, MqttAck[]>([
      [a.device.id, []],
      [b.device.id, []],
    ]);
    pub = await mqtt.connectAsync(BROKER, { protocolVersion: 5, clientId: `sitetwin-rl-device-${run}` });
    await pub.subscribeAsync(`${PREFIX}/+/+/ack`, { qos: 1 });
    pub.on('message', (topic, payload) => acks.get(topic.split('/')[2]!)?.push(JSON.parse(payload.toString())));
    const send = (d: { device: { id: string }; apiKey: string }, seq: number) =>
      pub!.publishAsync(
        `${PREFIX}/${projectId}/${d.device.id}/telemetry`,
        JSON.stringify({ key: d.apiKey, seq, time: Date.now() - 60_000 + seq, values: { slewDeg: seq } }),
        { qos: 1 },
      );

    await Promise.all(Array.from({ length: N }, (_, i) => send(a, i + 1)));
    await expect.poll(() => acks.get(a.device.id)!.length, { timeout: 20_000 }).toBe(N);
    const got = acks.get(a.device.id)!;
    const ok = got.filter((x) => x.ok);
    const limited = got.filter((x) => !x.ok);
    expect(ok.length).toBeGreaterThanOrEqual(2); // the burst
    expect(limited.length).toBeGreaterThan(0);
    for (const x of limited) {
      expect(x).toMatchObject({
        ok: false,
        error: { code: 'rate_limited', details: { retryAfterS: expect.any(Number) } },
      });
    }
    const accepted = ok.reduce((s, x) => s + (x.ok ? x.result.accepted : 0), 0);
    expect(accepted).toBe(ok.length);
    expect(await rows(a.device.id)).toBe(accepted); // a dropped message is not stored
    expect(t.server.edges.mqtt!.stats.rateLimited).toBe(limited.length);

    // Another device has its own bucket; a dropped message was acknowledged (0x97), so the broker does not resend it.
    await send(b, 1);
    await expect.poll(() => acks.get(b.device.id)!.length, { timeout: 10_000 }).toBe(1);
    expect(acks.get(b.device.id)![0]).toMatchObject({ ok: true, result: { accepted: 1 } });
    expect(acks.get(a.device.id)!.length).toBe(N);
    expect(await rows(a.device.id)).toBe(accepted);
  });

  it('HJ 212: past the limit a frame asking for a reply gets 9011 QnRtn=2, one that does not is dropped silently; neither is stored', async () => {
    const d = await makeDevice(t, projectId, { ...envMonitor('限流扬尘'), hj212: { mn: MN, pw: PW } });
    const s = connect(t.server.edges.hj212!.port, '127.0.0.1');
    sockets.push(s);
    await new Promise<void>((resolve, reject) => (s.once('connect', resolve), s.once('error', reject)));
    const parser = new Hj212StreamParser();
    const replies: Hj212Packet[] = [];
    s.on('data', (chunk: Buffer) => {
      for (const r of parser.push(chunk)) if (r.ok) replies.push(parsePacket(r.frame.data));
    });
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 3_600_000;
    const qn = (i: number) => `20260301000${String(i).padStart(6, '0')}`;
    const frame = (i: number, flag: number) =>
      encodeFrame(
        buildPacket({
          qn: qn(i),
          st: '22',
          cn: '2011',
          pw: PW,
          mn: MN,
          flag,
          cp: [
            [['DataTime', formatChinaTime(base + i * 60_000)]],
            [
              ['a34004-Rtd', 30 + i],
              ['a34004-Flag', 'N'],
            ],
          ],
        }),
      );

    // N frames that ask for a reply (Flag=5), then N that do not (Flag=4), then one more that does, in one write.
    const frames = [
      ...Array.from({ length: N }, (_, i) => frame(i, 5)),
      ...Array.from({ length: N }, (_, i) => frame(N + i, 4)),
      frame(2 * N, 5),
    ];
    s.write(Buffer.concat(frames));
    // Frames of a connection are handled in order: the reply to the last frame means all were handled.
    await expect.poll(() => replies.some((r) => r.qn === qn(2 * N)), { timeout: 20_000 }).toBe(true);
    const stored = replies.filter((r) => r.cn === '9014');
    const refused = replies.filter((r) => r.cn === '9011');
    expect(replies).toHaveLength(N + 1); // nothing for the Flag=4 frames, stored or not
    expect(stored.length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.cp.get('QnRtn')).toBe('2');
    const dropped = t.server.edges.hj212!.stats.dropped.rate_limited ?? 0;
    const storedRows = await rows(d.device.id);
    // Each of the 2N+1 frames was either stored or dropped as rate_limited, and a refused one was never stored.
    expect(storedRows + dropped).toBe(2 * N + 1);
    expect(dropped).toBeGreaterThanOrEqual(refused.length + 1);
    expect(storedRows).toBeGreaterThanOrEqual(stored.length);
  });
});

describe('per-device rate limit on HTTP ingest (issue 14 finding 9)', () => {
  // 1 request a second, burst 2 (RATE_LIMIT_DEVICE_PER_S=1): N requests at once can pass only the burst plus what
  // refills while they run, whatever the spelling of the header or where the key travels.
  const passed = async (send: (i: number) => Promise<Response>) => {
    const t0 = Date.now();
    const statuses = await Promise.all(Array.from({ length: N }, async (_, i) => (await send(i)).status));
    const elapsedS = (Date.now() - t0) / 1000;
    return {
      ok: statuses.filter((s) => s === 200).length,
      limited: statuses.filter((s) => s === 429).length,
      most: 2 + Math.ceil(elapsedS) + 1,
    };
  };
  const body = (deviceId: string, seq: number, key?: string) =>
    JSON.stringify([
      { deviceId, seq, time: Date.now() - 60_000 + seq, values: { slewDeg: seq }, ...(key ? { key } : {}) },
    ]);

  it('the case and spacing of "Bearer" do not make new buckets', async () => {
    const d = await makeDevice(t, projectId, crane('拼写塔吊'));
    // "Bearer", "bearer", "BEARER", ... with 1-3 spaces or a tab: 30 spellings of one key.
    const spell = (i: number) =>
      `${[...'bearer'].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c)).join('')}${[' ', '  ', '\t', '   '][i % 4]}${d.apiKey}${i % 3 ? '' : ' '}`;
    const r = await passed((i) =>
      fetch(`${t.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: spell(i) },
        body: body(d.device.id, i + 1),
      }),
    );
    expect(r.limited).toBeGreaterThan(0);
    expect(r.ok).toBeLessThanOrEqual(r.most);
  });

  it('a made-up bearer per request with the real key inside each reading does not escape the device limit', async () => {
    const d = await makeDevice(t, projectId, crane('换钥塔吊'));
    const r = await passed((i) =>
      fetch(`${t.url}/api/v1/ingest`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer made-up-${i}-${randomBytes(4).toString('hex')}`,
        },
        body: body(d.device.id, i + 1, d.apiKey),
      }),
    );
    expect(r.limited).toBeGreaterThan(0);
    expect(r.ok).toBeLessThanOrEqual(r.most);
    expect(await rows(d.device.id)).toBe(r.ok);
  });
});

describe('HJ 212 PW guessing (issue 14 finding 5)', () => {
  it('PWs never seen before are limited per address (each costs a scrypt run); the device from its own address still gets in', async () => {
    const mn = `PG${run}`.toUpperCase();
    const d = await makeDevice(t, projectId, { ...envMonitor('猜口令扬尘'), hj212: { mn, pw: '24680' } });
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    const frame = (i: number, pw: string) =>
      encodeFrame(
        buildPacket({
          qn: `20260302000${String(i).padStart(6, '0')}`,
          st: '22',
          cn: '2011',
          pw,
          mn,
          flag: 5,
          cp: [
            [['DataTime', formatChinaTime(base + i * 60_000)]],
            [
              ['a34004-Rtd', 30 + i],
              ['a34004-Flag', 'N'],
            ],
          ],
        }),
      );
    const open = async (localAddress: string) => {
      const s = connect({ port: t.server.edges.hj212!.port, host: '127.0.0.1', localAddress });
      sockets.push(s);
      await new Promise<void>((resolve, reject) => (s.once('connect', resolve), s.once('error', reject)));
      const parser = new Hj212StreamParser();
      const replies: Hj212Packet[] = [];
      s.on('data', (chunk: Buffer) => {
        for (const r of parser.push(chunk)) if (r.ok) replies.push(parsePacket(r.frame.data));
      });
      return { s, replies };
    };
    const guesser = await open('127.0.0.4');
    const t0 = Date.now();
    guesser.s.write(Buffer.concat(Array.from({ length: 2 * N }, (_, i) => frame(i, `guess-${i}`))));
    await expect.poll(() => guesser.replies.length, { timeout: 30_000 }).toBe(2 * N);
    const elapsedS = (Date.now() - t0) / 1000;
    const rtn = guesser.replies.map((r) => r.cp.get('QnRtn'));
    const checked = rtn.filter((x) => x === '3').length; // wrong PW: a scrypt run each
    expect(rtn.filter((x) => x === '2').length).toBeGreaterThan(0); // refused before any run
    expect(checked).toBeLessThanOrEqual(20 + 2 * Math.ceil(elapsedS) + 2);
    // The device itself, from its own address, right after: stored and answered 9014.
    const device = await open('127.0.0.5');
    device.s.write(frame(2 * N + 1, '24680'));
    await expect.poll(() => device.replies.length, { timeout: 20_000 }).toBe(1);
    expect(device.replies[0]!.cn).toBe('9014');
    expect(await rows(d.device.id)).toBe(1);
  });
});
