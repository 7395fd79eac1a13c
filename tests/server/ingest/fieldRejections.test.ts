import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceAck } from '../../../models/protocol.js';
import type { MqttAck } from '../../../server/ingest/mqttAdapter.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { storeKinds } from '../../helpers/store.js';
import { envMonitor, makeDevice, makeProject, postIngest } from '../../helpers/telemetry.js';

const BROKER = 'mqtt://127.0.0.1:1883';

/** `2026-…T…+08:00`: an ISO 8601 time in China time, as vendor gateways write it. */
const isoCst = (t: number) => new Date(t + 8 * 3600_000).toISOString().replace('Z', '+08:00');

/**
 * One reading with one out-of-range field next to good ones: the good fields are stored, the bad one is kept aside
 * (readable through the quality API) and the answer says so (`fieldRejections`), on HTTP, Socket.IO and MQTT; ISO 8601
 * times with an offset are taken on each; an MQTT message whose readings were all refused is acked `ok: false`.
 */
describe.each(storeKinds())('field-level refusals on every JSON transport (%s store)', (kind) => {
  const run = randomBytes(4).toString('hex');
  const PREFIX = `sitetwin-fq-${run}`;
  let t: TestServer;
  let projectId: string;
  let dust: { device: { id: string }; apiKey: string };
  let pub: MqttClient;
  let sock: Socket;
  const acks: MqttAck[] = [];
  const waiting: Array<() => void> = [];
  const nthAck = (n: number) =>
    new Promise<MqttAck>((resolve) => {
      const check = () => (acks.length >= n ? resolve(acks[n - 1]!) : waiting.push(check));
      check();
    });
  const stored = async (time: number) =>
    (await t.store.telemetry.readings(dust.device.id, time, time + 1, 5))[0]?.values;
  const quality = async () => (await t.api('GET', `/api/v1/devices/${dust.device.id}/quality`)).body;

  beforeAll(async () => {
    t = await startTestServer({
      kind,
      env: { MQTT_URL: BROKER, MQTT_TOPIC_PREFIX: PREFIX, MQTT_CLIENT_ID: `sitetwin-fq-${run}`, MQTT_CONSUMERS: '1' },
    });
    projectId = await makeProject(t);
    dust = await makeDevice(t, projectId, envMonitor('扬尘 field check'));
    pub = await mqtt.connectAsync(BROKER, { protocolVersion: 5, clientId: `sitetwin-fq-dev-${run}` });
    await pub.subscribeAsync(`${PREFIX}/+/+/ack`, { qos: 1 });
    pub.on('message', (_topic, payload) => {
      acks.push(JSON.parse(payload.toString()));
      waiting.splice(0).forEach((f) => f());
    });
    sock = io(`${t.url}/devices`, {
      auth: { deviceId: dust.device.id, key: dust.apiKey },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>(
      (resolve, reject) => (sock.once('connect', () => resolve()), sock.once('connect_error', reject)),
    );
  });
  afterAll(async () => {
    sock?.close();
    await pub?.endAsync();
    await t?.close();
  });

  it('HTTP: stores the good fields, keeps PM10 140600 aside with a unit hint, answers 207 with fieldRejections; ISO time taken', async () => {
    const time = Math.floor(Date.now() / 1000) * 1000 - 300_000;
    const r = await postIngest(
      t,
      [{ deviceId: dust.device.id, time: isoCst(time), values: { pm10Ugm3: 140600, pm25Ugm3: 31, noiseDb: 61.5 } }],
      dust.apiKey,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(207);
    expect(r.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    expect(r.body.fieldRejections).toEqual([
      {
        index: 0,
        field: 'pm10Ugm3',
        value: 140600,
        code: 'out_of_range',
        reason: expect.stringMatching(/PM10 140600.*ng\/m3/),
        details: { value: 140600, limit: expect.any(Number), bound: 'max', unit: 'ng/m3' },
      },
    ]);
    expect(await stored(time)).toEqual({ pm25Ugm3: 31, noiseDb: 61.5 });
    const q = await quality();
    expect(q).toMatchObject({ refused: 1, refusedByCode: { out_of_range: 1 }, lastRefused: { transport: 'http' } });
    expect(JSON.parse(q.lastRefused.raw)).toMatchObject({ values: { pm10Ugm3: 140600 } });
    expect(q.recent[0]).toMatchObject({ field: 'pm10Ugm3', raw: 140600, transport: 'http', time });
    // The values a reader words the refusal from, kept with it (the English reason stays for other readers).
    expect(q.recent[0].details).toEqual({ value: 140600, limit: expect.any(Number), bound: 'max', unit: 'ng/m3' });
    expect(q.recent[0].details.limit).toBeLessThan(140600);

    // The device's unit set through the API: the same reading stores every field, in ug/m3.
    const patch = await t.api('PATCH', `/api/v1/devices/${dust.device.id}`, { units: { pm: 'ng/m3' } });
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    expect(patch.body.units).toEqual({ pm: 'ng/m3' });
    const again = await postIngest(
      t,
      [{ deviceId: dust.device.id, time: time + 1000, values: { pm10Ugm3: 140600, pm25Ugm3: 31000 } }],
      dust.apiKey,
    );
    expect(again.status).toBe(200);
    expect(again.body.fieldRejections).toBeUndefined();
    expect(await stored(time + 1000)).toEqual({ pm10Ugm3: 140.6, pm25Ugm3: 31 });
    expect((await t.api('PATCH', `/api/v1/devices/${dust.device.id}`, { units: null })).body.units).toBeUndefined();
    const bad = await t.api('PATCH', `/api/v1/devices/${dust.device.id}`, {
      units: { noiseDb: 'ng/m3' },
      scale: { a99999: 2 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
  });

  it('Socket.IO: stored-with-rejections in the ack; ISO time with offset taken', async () => {
    const time = Math.floor(Date.now() / 1000) * 1000 - 240_000;
    const ack = (await sock.emitWithAck('reading', {
      time: isoCst(time),
      values: { temperatureC: 14.5, humidityPct: 180 },
    })) as DeviceAck;
    expect(ack).toMatchObject({
      ok: true,
      result: {
        accepted: 1,
        rejected: [],
        fieldRejections: [{ index: 0, field: 'humidityPct', value: 180, code: 'out_of_range' }],
      },
    });
    expect(await stored(time)).toEqual({ temperatureC: 14.5 });
    expect((await quality()).recent[0]).toMatchObject({ field: 'humidityPct', transport: 'socket', time });
  });

  it('MQTT: stored-with-rejections acked ok: true; ISO time taken; all readings refused acked ok: false', async () => {
    const time = Math.floor(Date.now() / 1000) * 1000 - 180_000;
    const topic = `${PREFIX}/${projectId}/${dust.device.id}/telemetry`;
    await pub.publishAsync(
      topic,
      JSON.stringify({
        key: dust.apiKey,
        readings: [{ time: isoCst(time), values: { windSpeedMps: 3.3, windDirDeg: 400 } }],
      }),
      { qos: 1 },
    );
    expect(await nthAck(1)).toMatchObject({
      ok: true,
      result: { accepted: 1, fieldRejections: [{ index: 0, field: 'windDirDeg', value: 400, code: 'out_of_range' }] },
    });
    expect(await stored(time)).toEqual({ windSpeedMps: 3.3 });

    await pub.publishAsync(
      topic,
      JSON.stringify({
        key: dust.apiKey,
        readings: [
          { time: time + 1000, values: { noiseDb: 900 } },
          { time: time + 2000, values: { pm25Ugm3: 'lots' } },
        ],
      }),
      { qos: 1 },
    );
    const all = await nthAck(2);
    expect(all).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
      result: { accepted: 0, rejected: [{ index: 0 }, { index: 1 }] },
    });
    const q = await quality();
    expect(q.onlyRefused).toBe(true);
    expect(q.refusedByCode).toMatchObject({ wrong_type: 1 });
  });
});
