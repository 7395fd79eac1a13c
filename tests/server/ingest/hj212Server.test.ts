import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../server/ingest/hj212/frame.js';
import { buildPacket, formatChinaTime, parsePacket, type Hj212Packet } from '../../../server/ingest/hj212/packet.js';
import { Hj212StreamParser } from '../../../server/ingest/hj212/StreamParser.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { collect, envMonitor, makeDevice, makeProject, pushedFor } from '../../helpers/telemetry.js';

let t: TestServer;
let port: number;
let deviceId: string;
const MN = '010000A8900016F000169DC0';
const PW = '123456';
const sockets: Socket[] = [];

/** A real TCP client that collects the server's reply packets. */
async function dial() {
  const s = connect(port, '127.0.0.1');
  sockets.push(s);
  await new Promise<void>((resolve, reject) => (s.once('connect', resolve), s.once('error', reject)));
  const parser = new Hj212StreamParser();
  const replies: Hj212Packet[] = [];
  const onReply: Array<() => void> = [];
  s.on('data', (chunk: Buffer) => {
    for (const r of parser.push(chunk)) {
      if (!r.ok) throw new Error(`server sent a bad frame: ${r.reason}`);
      replies.push(parsePacket(r.frame.data));
      onReply.splice(0).forEach((f) => f());
    }
  });
  /** Resolves with the n-th reply (1-based), running `atArrival` synchronously when it arrives. */
  const nth = <T>(n: number, atArrival: () => T) =>
    new Promise<{ reply: Hj212Packet; seen: T }>((resolve) => {
      const check = () =>
        replies.length >= n ? resolve({ reply: replies[n - 1]!, seen: atArrival() }) : onReply.push(check);
      check();
    });
  return { s, replies, nth };
}

const dataFrame = (
  qn: string,
  time: number,
  cp: Array<[string, string | number]>,
  opts: { mn?: string; pw?: string; flag?: number } = {},
) =>
  encodeFrame(
    buildPacket({
      qn,
      st: '22',
      cn: '2011',
      pw: opts.pw ?? PW,
      mn: opts.mn ?? MN,
      flag: opts.flag ?? 5,
      cp: [
        [['DataTime', formatChinaTime(time)]],
        ...cp.map((kv) => [kv, [`${kv[0].split('-')[0]}-Flag`, 'N']] as Array<[string, string | number]>),
      ],
    }),
  ).toString('latin1');

const rows = async () =>
  (await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [deviceId]))
    .rows[0]!.n;

beforeAll(async () => {
  t = await startTestServer({ env: { HJ212_PORT: '0', LIVE_TICK_MS: '50' } });
  port = t.server.edges.hj212!.port;
  const projectId = await makeProject(t);
  deviceId = (await makeDevice(t, projectId, { ...envMonitor('1# 扬尘噪声'), hj212: { mn: MN, pw: PW } })).device.id;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await t?.close();
});

describe('HJ 212 over TCP into the real server', () => {
  it('drops a bad CRC, a wrong length and a truncated frame, stores the good one behind them, replies after commit, pushes live', async () => {
    const viewer = t.live();
    const got = collect(viewer);
    await viewer.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'city' } });
    const { s, nth } = await dial();
    const time = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const good = dataFrame('20260101000000001', time, [
      ['a34004-Rtd', 35],
      ['a34002-Rtd', 61],
      ['LA-Rtd', 66.5],
      ['a01007-Rtd', 3.2],
      ['w01018-Rtd', 12],
    ]);
    const badCrc = good.replace(/[0-9A-F]{4}\r\n$/, (m) => (m.startsWith('0') ? '1' : '0') + m.slice(1));
    const wrongLength = good.replace(/^##(\d{4})/, (_, n) => `##${String(Number(n) + 3).padStart(4, '0')}`);
    const truncated = good.slice(0, 90);
    // One TCP write of all four, as a device with a flaky serial bridge sends them.
    s.write(Buffer.from(badCrc + wrongLength + truncated + good, 'latin1'));

    const first = await nth(1, () => null);
    expect(first.reply).toMatchObject({ cn: '9011', st: '91', mn: MN });
    expect(first.reply.cp.get('QnRtn')).toBe('9'); // the bad CRC frame is told so
    const second = await nth(2, rows);
    expect(second.reply).toMatchObject({ cn: '9014', st: '91', qn: '20260101000000001', flag: 4 });
    expect(await second.seen).toBe(1); // committed before the 9014 left

    const stored = await t.store.telemetry.readings(deviceId, 0, Date.now() + 1, 10);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.time).toBe(time);
    expect(stored[0]!.values).toEqual({
      pm25Ugm3: 35,
      pm10Ugm3: 61,
      noiseDb: 66.5,
      windSpeedMps: 3.2,
      extra: { 'w01018-Rtd': 12, 'w01018-Flag': 'N' },
    });
    await expect.poll(() => pushedFor(got, deviceId).length).toBeGreaterThan(0);
    expect(pushedFor(got, deviceId)[0]).toMatchObject({ time, values: { pm25Ugm3: 35 }, kind: 'env_monitor' });
    expect(t.server.edges.hj212!.stats.dropped).toMatchObject({ bad_crc: 1, bad_length: 1, truncated: 1 });

    // The device did not see the 9014 in time and resends: answered again, stored once.
    s.write(Buffer.from(good, 'latin1'));
    const third = await nth(3, () => null);
    expect(third.reply.cn).toBe('9014');
    expect(await rows()).toBe(1);
    expect(t.server.edges.hj212!.stats.duplicates).toBe(1);
  });

  it('answers an unknown MN and a wrong PW with QnRtn 4 and 3, and answers a refused reading (kept aside) with a 9014', async () => {
    const { s, nth, replies } = await dial();
    const time = Date.now() - 120_000;
    s.write(dataFrame('20260101000000002', time, [['a34004-Rtd', 20]], { mn: 'NOSUCHMN01' }));
    expect((await nth(1, () => null)).reply.cp.get('QnRtn')).toBe('4');
    s.write(dataFrame('20260101000000003', time, [['a34004-Rtd', 20]], { pw: '654321' }));
    expect((await nth(2, () => null)).reply.cp.get('QnRtn')).toBe('3');
    // Humidity 150 % fails the env_monitor schema: nothing stored, the field kept aside (data-quality view), and the
    // frame answered 9014 so the device does not resend it forever.
    const before = await rows();
    s.write(dataFrame('20260101000000004', time, [['a01002-Rtd', 150]]));
    // Then a good frame on the same connection still goes through.
    s.write(dataFrame('20260101000000005', time + 1000, [['a01002-Rtd', 55]]));
    expect((await nth(3, () => null)).reply).toMatchObject({ cn: '9014', qn: '20260101000000004' });
    const next = await nth(4, () => null);
    expect(next.reply).toMatchObject({ cn: '9014', qn: '20260101000000005' });
    expect(replies).toHaveLength(4);
    expect(await rows()).toBe(before + 1);
    expect(t.server.edges.hj212!.stats.dropped).toMatchObject({ unknown_mn: 1, bad_pw: 1, rejected: 1 });
  });

  it('sends no reply when Flag does not ask for one, and joins a split command (PNUM/PNO) into one reading', async () => {
    const { s, nth } = await dial();
    const time = Math.floor(Date.now() / 1000) * 1000 - 180_000; // DataTime has whole seconds
    s.write(dataFrame('20260101000000006', time, [['LA-Rtd', 58]], { flag: 4 }));
    const qn = '20260101000000007';
    const part = (pno: number, cp: string) =>
      encodeFrame(
        `QN=${qn};ST=22;CN=2011;PW=${PW};MN=${MN};Flag=7;PNUM=2;PNO=${pno};CP=&&DataTime=${formatChinaTime(time + 5000)};${cp}&&`,
      );
    s.write(part(2, 'a01001-Rtd=21.5,a01001-Flag=N'));
    s.write(part(1, 'a34004-Rtd=44,a34004-Flag=N'));
    const a = await nth(1, () => null);
    const b = await nth(2, () => null);
    expect([a.reply.cn, b.reply.cn, a.reply.qn]).toEqual(['9014', '9014', qn]);
    const r = await t.store.telemetry.readings(deviceId, time, time + 6000, 10);
    expect(r.map((x) => x.values)).toEqual([{ noiseDb: 58 }, { pm25Ugm3: 44, temperatureC: 21.5 }]);
  });

  it('answers every frame of a 200-frame burst in order (the connection pauses past 64 queued frames)', async () => {
    const { s, nth, replies } = await dial();
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const n = 200; // more than the per-connection queue, so the socket has to pause and resume
    const frames = Array.from({ length: n }, (_, i) =>
      dataFrame(`2026010200${String(i).padStart(7, '0')}`, base + i * 1000, [['a34004-Rtd', i % 90]]),
    );
    s.write(Buffer.from(frames.join(''), 'latin1'));
    await nth(n, () => null);
    expect(replies.map((r) => r.qn)).toEqual(frames.map((_, i) => `2026010200${String(i).padStart(7, '0')}`));
    expect(replies.every((r) => r.cn === '9014')).toBe(true);
    expect(await t.store.telemetry.readings(deviceId, base, base + n * 1000, n + 1)).toHaveLength(n);
  });
});
