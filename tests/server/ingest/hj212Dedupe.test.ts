import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../server/ingest/hj212/frame.js';
import { buildPacket, formatChinaTime, parsePacket, type Hj212Packet } from '../../../server/ingest/hj212/packet.js';
import { Hj212StreamParser } from '../../../server/ingest/hj212/StreamParser.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { storeKinds } from '../../helpers/store.js';
import { envMonitor, makeDevice, makeProject } from '../../helpers/telemetry.js';

const MN = 'QD2017DEDUPE0001';
const PW = '123456';

/**
 * A dust monitor sends its real-time data (CN=2011, `-Rtd`) and, at the top of each minute / hour / day, the minute
 * (2051), hour (2061) and day (2031) averages (`-Avg`), all carrying the same whole-second DataTime. They are
 * different readings; only a resend of the same command is a repeat.
 */
describe.each(storeKinds())('HJ 212 repeats (%s store)', (kind) => {
  let t: TestServer;
  let deviceId: string;
  let s: Socket;
  const replies: Hj212Packet[] = [];
  const waiting: Array<() => void> = [];
  const nth = (n: number) =>
    new Promise<Hj212Packet>((resolve) => {
      const check = () => (replies.length >= n ? resolve(replies[n - 1]!) : waiting.push(check));
      check();
    });
  const frame = (qn: string, cn: string, time: number, suffix: 'Rtd' | 'Avg', pm10: number) =>
    encodeFrame(
      buildPacket({
        qn,
        st: '22',
        cn,
        pw: PW,
        mn: MN,
        flag: 5,
        cp: [
          [['DataTime', formatChinaTime(time)]],
          [
            [`a34002-${suffix}`, pm10],
            ['a34002-Flag', 'N'],
          ],
        ],
      }),
    );
  const stored = async () =>
    (
      await t.store.db.query<{ time: number; seq: number | null; vals: Record<string, unknown> }>(
        'SELECT time, seq, vals FROM telemetry WHERE device_id = $1 ORDER BY seq, time',
        [deviceId],
      )
    ).rows;

  beforeAll(async () => {
    t = await startTestServer({ kind, env: { HJ212_PORT: '0' } });
    const projectId = await makeProject(t);
    deviceId = (await makeDevice(t, projectId, { ...envMonitor('扬尘 dedupe'), hj212: { mn: MN, pw: PW } })).device.id;
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

  it('stores real-time, minute, hour and day data of the same DataTime as four readings; a resend of each is a repeat', async () => {
    // The top of an hour, a few hours ago (DataTime has whole seconds; China time is UTC+8).
    const time = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const frames = [
      frame('20260101120000001', '2011', time, 'Rtd', 61),
      frame('20260101120000002', '2051', time, 'Avg', 58),
      frame('20260101120000003', '2061', time, 'Avg', 55),
      frame('20260101120000004', '2031', time, 'Avg', 50),
    ];
    for (const f of frames) s.write(f);
    await nth(4);
    expect(replies.map((r) => r.cn)).toEqual(['9014', '9014', '9014', '9014']);
    let rows = await stored();
    // In seq order: day, hour and minute averages, then the real-time value, which the latest state shows.
    expect(rows.map((r) => [Number(r.time), r.vals.pm10Ugm3])).toEqual([
      [time, 50],
      [time, 55],
      [time, 58],
      [time, 61],
    ]);
    expect(t.server.edges.hj212!.stats).toMatchObject({ stored: 4, duplicates: 0 });
    expect((await t.store.telemetry.latest({ deviceIds: [deviceId] }))[0]).toMatchObject({
      time,
      values: { pm10Ugm3: 61 },
    });

    // The device missed the 9014s and sends everything again: answered again, stored once.
    for (const f of frames) s.write(f);
    await nth(8);
    expect(replies.slice(4).map((r) => r.cn)).toEqual(['9014', '9014', '9014', '9014']);
    rows = await stored();
    expect(rows).toHaveLength(4);
    expect(t.server.edges.hj212!.stats).toMatchObject({ stored: 4, duplicates: 4 });

    // The next second's real-time data is new.
    s.write(frame('20260101120001001', '2011', time + 1000, 'Rtd', 62));
    await nth(9);
    expect(await stored()).toHaveLength(5);
  });
});
