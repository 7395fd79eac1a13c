import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttAck } from '../../../server/ingest/mqttAdapter.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { storeKinds } from '../../helpers/store.js';
import { crane, makeDevice, makeProject } from '../../helpers/telemetry.js';

const BROKER = 'mqtt://127.0.0.1:1883';

/** `sitetwin/<projectId>/<deviceId>/telemetry`: the topic's project must be the device's own. */
describe.each(storeKinds())('MQTT topic project check through the real Mosquitto (%s store)', (kind) => {
  // A topic prefix and client ids of our own, so parallel runs and leftover sessions on the shared broker never meet.
  const run = randomBytes(4).toString('hex');
  const PREFIX = `sitetwin-test-${run}`;
  let t: TestServer;
  let pub: MqttClient;
  let projectA: string;
  let projectB: string;
  let devA: { device: { id: string }; apiKey: string };
  let devB: { device: { id: string }; apiKey: string };
  const acks: Array<{ topic: string; ack: MqttAck }> = [];
  const waiting: Array<() => void> = [];
  const nthAck = (n: number) =>
    new Promise<{ topic: string; ack: MqttAck }>((resolve) => {
      const check = () => (acks.length >= n ? resolve(acks[n - 1]!) : waiting.push(check));
      check();
    });
  const rows = async (deviceId: string) =>
    (await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [deviceId]))
      .rows[0]!.n;

  beforeAll(async () => {
    t = await startTestServer({
      kind,
      env: { MQTT_URL: BROKER, MQTT_TOPIC_PREFIX: PREFIX, MQTT_CLIENT_ID: `sitetwin-ingest-${run}` },
    });
    projectA = await makeProject(t);
    projectB = await makeProject(t);
    devA = await makeDevice(t, projectA, crane('A 塔吊'));
    devB = await makeDevice(t, projectB, crane('B 塔吊'));
    pub = await mqtt.connectAsync(BROKER, { protocolVersion: 5, clientId: `sitetwin-device-${run}` });
    await pub.subscribeAsync(`${PREFIX}/+/+/ack`, { qos: 1 });
    pub.on('message', (topic, payload) => {
      acks.push({ topic, ack: JSON.parse(payload.toString()) });
      waiting.splice(0).forEach((f) => f());
    });
  });
  afterAll(async () => {
    await pub?.endAsync();
    await t?.close();
  });

  it("refuses a device's readings sent through another project's topic (wrong_project, counted), even with its right key", async () => {
    const now = Date.now();
    // Device A, with its own key, on project B's topic.
    await pub.publishAsync(
      `${PREFIX}/${projectB}/${devA.device.id}/telemetry`,
      JSON.stringify({ key: devA.apiKey, seq: 1, time: now, values: { loadT: 1.5 } }),
      { qos: 1 },
    );
    const first = await nthAck(1);
    expect(first.topic).toBe(`${PREFIX}/${projectB}/${devA.device.id}/ack`);
    expect(first.ack).toMatchObject({
      ok: false,
      error: { code: 'wrong_project' },
      result: { accepted: 0, duplicates: 0, rejected: [{ index: 0, deviceId: devA.device.id, code: 'wrong_project' }] },
    });
    expect(await rows(devA.device.id)).toBe(0);
    expect(t.server.edges.mqtt!.stats).toMatchObject({ wrongProject: 1, rejected: 1, stored: 0 });

    // A batch on project A's topic naming device B as well: A's reading is stored, B's refused alone.
    await pub.publishAsync(
      `${PREFIX}/${projectA}/${devA.device.id}/telemetry`,
      JSON.stringify([
        { key: devA.apiKey, seq: 1, time: now, values: { loadT: 1.5 } },
        { deviceId: devB.device.id, key: devB.apiKey, seq: 1, time: now, values: { loadT: 2.5 } },
      ]),
      { qos: 1 },
    );
    const second = await nthAck(2);
    expect(second.ack).toMatchObject({
      ok: true,
      result: { accepted: 1, rejected: [{ index: 1, deviceId: devB.device.id, code: 'wrong_project' }] },
    });
    expect(await rows(devA.device.id)).toBe(1);
    expect(await rows(devB.device.id)).toBe(0);

    // Through its own project's topic, device B is stored.
    await pub.publishAsync(
      `${PREFIX}/${projectB}/${devB.device.id}/telemetry`,
      JSON.stringify({ key: devB.apiKey, seq: 1, time: now, values: { loadT: 2.5 } }),
      { qos: 1 },
    );
    expect((await nthAck(3)).ack).toMatchObject({ ok: true, result: { accepted: 1, rejected: [] } });
    expect(await rows(devB.device.id)).toBe(1);
    expect(t.server.edges.mqtt!.stats).toMatchObject({ wrongProject: 2, stored: 2 });
  });

  it('refuses a topic whose project is not a project at all', async () => {
    await pub.publishAsync(
      `${PREFIX}/not-a-project/${devA.device.id}/telemetry`,
      JSON.stringify({ key: devA.apiKey, seq: 2, time: Date.now(), values: { loadT: 1 } }),
      { qos: 1 },
    );
    expect((await nthAck(4)).ack).toMatchObject({
      ok: false,
      error: { code: 'wrong_project' },
      result: { accepted: 0, rejected: [{ code: 'wrong_project' }] },
    });
    expect(await rows(devA.device.id)).toBe(1);
  });
});
