import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttAck } from '../../../server/ingest/mqttAdapter.js';
import { StoreUnavailableError } from '../../../server/store/errors.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { collect, crane, makeDevice, makeProject, pushedFor } from '../../helpers/telemetry.js';

const BROKER = 'mqtt://127.0.0.1:1883';
// A topic prefix and client ids of our own, so parallel runs and leftover sessions on the shared broker never meet.
const run = randomBytes(4).toString('hex');
const PREFIX = `sitetwin-test-${run}`;

let t: TestServer;
let projectId: string;
let tc: { device: { id: string }; apiKey: string };
let pub: MqttClient;
const acks: MqttAck[] = [];
const ackWaiters: Array<() => void> = [];

const rows = async (deviceId: string) =>
  (await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [deviceId]))
    .rows[0]!.n;
/** Resolves with the n-th ack (1-based) and the committed row count at the moment it arrived. */
const nthAck = (n: number, deviceId: string) =>
  new Promise<{ ack: MqttAck; rows: Promise<number> }>((resolve) => {
    const check = () =>
      acks.length >= n ? resolve({ ack: acks[n - 1]!, rows: rows(deviceId) }) : ackWaiters.push(check);
    check();
  });
const topic = (deviceId: string) => `${PREFIX}/${projectId}/${deviceId}/telemetry`;
const publish = (deviceId: string, body: unknown, props?: Record<string, string>) =>
  pub.publishAsync(topic(deviceId), typeof body === 'string' ? body : JSON.stringify(body), {
    qos: 1,
    ...(props ? { properties: { userProperties: props } } : {}),
  });

beforeAll(async () => {
  t = await startTestServer({
    env: { MQTT_URL: BROKER, MQTT_TOPIC_PREFIX: PREFIX, MQTT_CLIENT_ID: `sitetwin-ingest-${run}`, LIVE_TICK_MS: '50' },
  });
  projectId = await makeProject(t);
  tc = await makeDevice(t, projectId, crane());
  pub = await mqtt.connectAsync(BROKER, { protocolVersion: 5, clientId: `sitetwin-device-${run}` });
  await pub.subscribeAsync(`${PREFIX}/+/+/ack`, { qos: 1 });
  pub.on('message', (_topic, payload) => {
    acks.push(JSON.parse(payload.toString()));
    ackWaiters.splice(0).forEach((f) => f());
  });
});
afterAll(async () => {
  await pub?.endAsync();
  await t?.close();
});

describe('MQTT through the real Mosquitto', () => {
  it('stores a batch, rejects the bad reading alone, acks after the commit, pushes live', async () => {
    const viewer = t.live();
    const got = collect(viewer);
    await viewer.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId } });
    const now = Date.now();
    await publish(tc.device.id, {
      key: tc.apiKey,
      readings: [
        { seq: 1, time: now, values: { loadT: 2.5, radiusM: 20 } },
        { seq: 2, time: now + 1, values: { loadT: 'heavy' } },
        { seq: 3, time: now + 2, values: { loadT: 2.7, windSpeedMps: 4.1 } },
      ],
    });
    const first = await nthAck(1, tc.device.id);
    expect(first.ack).toMatchObject({
      ok: true,
      result: { accepted: 2, duplicates: 0, rejected: [{ index: 1, code: 'validation_failed' }] },
    });
    expect(first.ack.ok && first.ack.result.rejected[0]!.issues?.[0]?.path).toBe('values.loadT');
    expect(await first.rows).toBe(2); // committed before the ack was published
    await expect.poll(() => pushedFor(got, tc.device.id).length).toBeGreaterThan(0);
    expect(pushedFor(got, tc.device.id).at(-1)).toMatchObject({
      projectId,
      kind: 'tower_crane',
      values: { loadT: 2.7 },
    });
  });

  it('dedupes a device retry, takes the key from a user property, refuses a wrong key and broken JSON', async () => {
    const now = Date.now();
    await publish(tc.device.id, { seq: 3, time: now, values: { loadT: 2.7 }, key: tc.apiKey });
    expect((await nthAck(2, tc.device.id)).ack).toMatchObject({ ok: true, result: { accepted: 0, duplicates: 1 } });
    await publish(tc.device.id, [{ seq: 4, time: now, values: { slewDeg: 45 } }], { key: tc.apiKey });
    expect((await nthAck(3, tc.device.id)).ack).toMatchObject({ ok: true, result: { accepted: 1, duplicates: 0 } });
    await publish(tc.device.id, { seq: 5, time: now, values: { slewDeg: 46 } }, { key: 'stk_not-the-key' });
    expect((await nthAck(4, tc.device.id)).ack).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
      result: { accepted: 0, rejected: [{ code: 'forbidden' }] },
    });
    await publish(tc.device.id, '{"seq": 6, "values": ');
    expect((await nthAck(5, tc.device.id)).ack).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await rows(tc.device.id)).toBe(3);
  });

  it('holds the PUBACK while the store is down and stores the broker redelivery once', async () => {
    const ingest = t.server.ctx.ingest;
    const real = ingest.submit.bind(ingest);
    let outages = 0;
    // Fault injection at the store boundary: the first submit fails as a lost database connection does.
    ingest.submit = async (items, source) => {
      if (outages++ === 0) throw new StoreUnavailableError('connection to the store lost');
      return real(items, source);
    };
    try {
      await publish(tc.device.id, { seq: 7, time: Date.now(), values: { loadT: 1.1 }, key: tc.apiKey });
      // No ack for the failed attempt; the redelivered copy (after the adapter cycles its connection) is stored.
      const redelivered = await nthAck(6, tc.device.id);
      expect(redelivered.ack).toMatchObject({ ok: true, result: { accepted: 1, duplicates: 0 } });
      expect(outages).toBe(2);
      expect(t.server.edges.mqtt!.stats.nacked).toBe(1);
      expect(await rows(tc.device.id)).toBe(4);
    } finally {
      ingest.submit = real;
    }
  }, 30_000);
});
