import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../server/ingest/hj212/frame.js';
import { formatChinaTime, parsePacket, type Hj212Packet } from '../../../server/ingest/hj212/packet.js';
import { Hj212StreamParser } from '../../../server/ingest/hj212/StreamParser.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { storeKinds } from '../../helpers/store.js';
import { envMonitor, makeDevice, makeProject } from '../../helpers/telemetry.js';

const MN = 'QD2017QUALITY001';
const PW = '123456';

/**
 * A vendor dust monitor that sends its particulates in ng/m3 (a thousand times the ug/m3 the field expects) next to
 * six good fields, CRC correct, Flag=5 (reply wanted). The good fields are stored, the particulates kept aside with
 * their reasons, and the frame answered 9014 so the device stops resending; once the device's scale is set through
 * the API, the same frame stores every field.
 */
const vendorFrame = (qn: string, time: number) =>
  encodeFrame(
    `QN=${qn};ST=22;CN=2011;PW=${PW};MN=${MN};Flag=5;CP=&&DataTime=${formatChinaTime(time)};` +
      'a34001-Rtd=210500,a34001-Flag=N;a34002-Rtd=140600,a34002-Flag=N;a34004-Rtd=75300,a34004-Flag=N;' +
      'a01001-Rtd=12.6,a01001-Flag=N;a01002-Rtd=48,a01002-Flag=N;a01006-Rtd=101.02,a01006-Flag=N;' +
      'a01007-Rtd=2.1,a01007-Flag=N;a01008-Rtd=120,a01008-Flag=N;LA-Rtd=63.4,LA-Flag=N&&',
  );

describe.each(storeKinds())('HJ 212 field-level refusals (%s store)', (kind) => {
  let t: TestServer;
  let deviceId: string;
  let projectId: string;
  let s: Socket;
  const replies: Hj212Packet[] = [];
  const waiting: Array<() => void> = [];
  const nth = (n: number) =>
    new Promise<Hj212Packet>((resolve) => {
      const check = () => (replies.length >= n ? resolve(replies[n - 1]!) : waiting.push(check));
      check();
    });

  beforeAll(async () => {
    t = await startTestServer({ kind, env: { HJ212_PORT: '0' } });
    projectId = await makeProject(t);
    deviceId = (await makeDevice(t, projectId, { ...envMonitor('扬尘 vendor ng'), hj212: { mn: MN, pw: PW } })).device
      .id;
    s = connect(t.server.edges.hj212!.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => (s.once('connect', resolve), s.once('error', reject)));
    const parser = new Hj212StreamParser();
    s.on('data', (chunk: Buffer) => {
      for (const r of parser.push(chunk)) if (r.ok) replies.push(parsePacket(r.frame.data));
      waiting.splice(0).forEach((f) => f());
    });
  });
  afterAll(async () => {
    s?.destroy();
    await t?.close();
  });

  it('stores the six good fields, keeps the scaled particulates aside with a unit hint, answers 9014; a scale set by the API stores them all', async () => {
    const time = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    const frame = vendorFrame('20260301000000001', time);
    s.write(frame);
    const reply = await nth(1);
    expect(reply).toMatchObject({ cn: '9014', st: '91', qn: '20260301000000001', mn: MN });

    const [stored] = await t.store.telemetry.readings(deviceId, time, time + 1, 10);
    expect(stored!.values).toEqual({
      temperatureC: 12.6,
      humidityPct: 48,
      pressureKpa: 101.02,
      windSpeedMps: 2.1,
      windDirDeg: 120,
      noiseDb: 63.4,
    });

    const q = await t.api('GET', `/api/v1/devices/${deviceId}/quality`);
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({
      deviceId,
      refused: 3,
      refusedByCode: { out_of_range: 3 },
      onlyRefused: false,
      lastAcceptedAt: expect.any(Number),
    });
    const byField = Object.fromEntries(q.body.recent.map((x: { field: string }) => [x.field, x]));
    expect(byField.pm10Ugm3).toMatchObject({ raw: 140600, code: 'out_of_range', transport: 'hj212', time });
    expect(byField.pm10Ugm3.reason).toMatch(/PM10 140600.*ng\/m3/);
    expect(Object.keys(byField).sort()).toEqual(['pm10Ugm3', 'pm25Ugm3', 'tspUgm3']);
    expect(q.body.lastRefused).toMatchObject({
      transport: 'hj212',
      raw: frame.toString('latin1').replace(/\r\n$/, ''),
    });
    const pq = await t.api('GET', `/api/v1/projects/${projectId}/quality`);
    expect(pq.status).toBe(200);
    expect(pq.body.devices.find((d: { deviceId: string }) => d.deviceId === deviceId)).toMatchObject({
      refused: 3,
      refusedByCode: { out_of_range: 3 },
    });

    const patch = await t.api('PATCH', `/api/v1/devices/${deviceId}`, {
      scale: { a34001: 0.001, a34002: 0.001, a34004: 0.001 },
    });
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    expect(patch.body.scale).toEqual({ a34001: 0.001, a34002: 0.001, a34004: 0.001 });
    s.write(vendorFrame('20260301000000002', time + 30_000));
    expect(await nth(2)).toMatchObject({ cn: '9014', qn: '20260301000000002' });
    const [all] = await t.store.telemetry.readings(deviceId, time + 30_000, time + 30_001, 10);
    expect(all!.values).toEqual({
      tspUgm3: 210.5,
      pm10Ugm3: 140.6,
      pm25Ugm3: 75.3,
      temperatureC: 12.6,
      humidityPct: 48,
      pressureKpa: 101.02,
      windSpeedMps: 2.1,
      windDirDeg: 120,
      noiseDb: 63.4,
    });
    expect((await t.api('GET', `/api/v1/devices/${deviceId}/quality`)).body.refused).toBe(3);
  });

  it('keeps a reading with no usable field aside and still answers 9014 (the device would resend it forever)', async () => {
    const time = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    s.write(
      encodeFrame(
        `QN=20260301000000003;ST=22;CN=2011;PW=${PW};MN=${MN};Flag=5;CP=&&DataTime=${formatChinaTime(time)};a01002-Rtd=150,a01002-Flag=N&&`,
      ),
    );
    expect(await nth(3)).toMatchObject({ cn: '9014', qn: '20260301000000003' });
    expect(await t.store.telemetry.readings(deviceId, time, time + 1, 10)).toHaveLength(0);
    const q = (await t.api('GET', `/api/v1/devices/${deviceId}/quality`)).body;
    expect(q).toMatchObject({ refused: 4, onlyRefused: true });
    expect(q.recent[0]).toMatchObject({ field: 'humidityPct', raw: 150, code: 'out_of_range', time });
  });

  it("keeps a dead clock's reading (DataTime in 2000) aside under `time` and answers 9014", async () => {
    const frame = encodeFrame(
      `QN=20260301000000004;ST=22;CN=2011;PW=${PW};MN=${MN};Flag=5;CP=&&DataTime=20000101000500;a34004-Rtd=41,a34004-Flag=N&&`,
    );
    s.write(frame);
    expect(await nth(4)).toMatchObject({ cn: '9014', qn: '20260301000000004' });
    const q = (await t.api('GET', `/api/v1/devices/${deviceId}/quality`)).body;
    expect(q.refusedByField).toMatchObject({ time: 1 });
    expect(q.recent[0]).toMatchObject({
      field: 'time',
      code: 'invalid',
      raw: Date.UTC(2000, 0, 1, 0, 5) - 8 * 3600_000,
    });
    expect(q.lastRefused.raw).toContain('DataTime=20000101000500');
  });
});
