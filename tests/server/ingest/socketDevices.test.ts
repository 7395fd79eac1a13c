import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type DeviceAck, type LiveServerMessage } from '../../../models/protocol.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { collect, crane, envMonitor, makeDevice, makeProject, postIngest, pushedFor } from '../../helpers/telemetry.js';

let t: TestServer;
let projectId: string;
let dust: { device: { id: string }; apiKey: string };
let tc: { device: { id: string }; apiKey: string };
const sockets: Socket[] = [];

const deviceSocket = (auth: Record<string, unknown>) => {
  const s = io(`${t.url}/devices`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(s);
  return s;
};
const connected = (s: Socket) =>
  new Promise<void>((resolve, reject) =>
    s.connected ? resolve() : (s.once('connect', () => resolve()), s.once('connect_error', reject)),
  );
const countRows = async (deviceId: string) =>
  Number(
    (await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [deviceId]))
      .rows[0]!.n,
  );

beforeAll(async () => {
  // 4 updates per device per second, flushed every 50 ms.
  t = await startTestServer({ env: { LIVE_MAX_HZ: '4', LIVE_TICK_MS: '50' } });
  projectId = await makeProject(t);
  dust = await makeDevice(t, projectId, envMonitor());
  tc = await makeDevice(t, projectId, crane());
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

describe('Socket.IO /devices', () => {
  it('refuses a handshake without a valid device key', async () => {
    const wrong = deviceSocket({ deviceId: dust.device.id, key: tc.apiKey });
    await expect(connected(wrong)).rejects.toMatchObject({ data: { code: 'unauthenticated' } });
    const none = deviceSocket({});
    await expect(connected(none)).rejects.toMatchObject({ data: { code: 'validation_failed' } });
  });

  it('acks only after the commit, rejects a bad reading alone, dedupes a retry, pushes to /live', async () => {
    const viewer = t.live();
    const got = collect(viewer);
    await viewer.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'city' } });
    const s = deviceSocket({ deviceId: tc.device.id, key: tc.apiKey });
    await connected(s);

    // The ack handler looks at the table the moment the ack arrives: the row must already be committed.
    const seenAtAck = await new Promise<{ ack: DeviceAck; rows: Promise<number> }>((resolve) =>
      s.emit('reading', { seq: 100, time: Date.now(), values: { loadT: 3.2, momentPct: 71 } }, (ack: DeviceAck) =>
        resolve({ ack, rows: countRows(tc.device.id) }),
      ),
    );
    expect(seenAtAck.ack).toEqual({ ok: true, result: { accepted: 1, duplicates: 0, rejected: [] } });
    expect(await seenAtAck.rows).toBe(1);

    const now = Date.now();
    const batch = [
      { seq: 101, time: now, values: { loadT: 3.4 } },
      { seq: 102, time: now + 1, values: { loadT: 'heavy', windSpeedMps: -1 } },
      { seq: 103, time: now + 2, values: { loadT: 3.6, slewDeg: 90 } },
    ];
    const ack = (await s.emitWithAck('reading', batch)) as DeviceAck;
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.result).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(ack.result.rejected).toHaveLength(1);
    expect(ack.result.rejected[0]!.index).toBe(1);
    expect(ack.result.rejected[0]!.issues!.map((i) => i.path).sort()).toEqual(['values.loadT', 'values.windSpeedMps']);
    const retry = (await s.emitWithAck('reading', batch)) as DeviceAck;
    expect(retry).toMatchObject({ ok: true, result: { accepted: 0, duplicates: 2 } });
    expect(await countRows(tc.device.id)).toBe(3);

    await expect.poll(() => pushedFor(got, tc.device.id).at(-1)?.seq).toBe(103);
    // Pushes carry what changed since the device's last push; the latest state merges everything.
    expect(pushedFor(got, tc.device.id).at(-1)!.values).toMatchObject({ loadT: 3.6, slewDeg: 90 });
    const [latest] = await t.store.telemetry.latest({ deviceIds: [tc.device.id] });
    expect(latest).toMatchObject({ seq: 103, values: { loadT: 3.6, slewDeg: 90, momentPct: 71 } });
    // Another device's reading needs that device's key.
    const other = (await s.emitWithAck('reading', {
      deviceId: dust.device.id,
      time: now,
      values: { noiseDb: 50 },
    })) as DeviceAck;
    expect(other).toMatchObject({ ok: true, result: { accepted: 0, rejected: [{ code: 'unauthenticated' }] } });
  });

  it('coalesces per device: at most LIVE_MAX_HZ updates per device, one batch per room per tick, last values kept', async () => {
    const viewer = t.live();
    const got = collect(viewer);
    await viewer.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId } });
    const s = deviceSocket({ deviceId: dust.device.id, key: dust.apiKey });
    await connected(s);
    const crane = deviceSocket({ deviceId: tc.device.id, key: tc.apiKey });
    await connected(crane);
    // The test before pushed these devices moments ago: once both last pushes are older than 1 / LIVE_MAX_HZ, both
    // devices are due at the same ticks, and the batches below can show two devices in one message.
    await new Promise((r) => setTimeout(r, 300));
    const start = Date.now();
    // 25 readings per device over ~1 s: 50 readings in all.
    for (let i = 0; i < 25; i++) {
      await Promise.all([
        s.emitWithAck('reading', { seq: 1000 + i, time: start + i, values: { noiseDb: 50 + i } }),
        crane.emitWithAck('reading', { seq: 1000 + i, time: start + i, values: { slewDeg: i } }),
      ]);
      await new Promise((r) => setTimeout(r, 40));
    }
    const elapsedS = (Date.now() - start) / 1000;
    await expect.poll(() => pushedFor(got, dust.device.id).at(-1)?.values.noiseDb).toBe(74);
    await expect.poll(() => pushedFor(got, tc.device.id).at(-1)?.values.slewDeg).toBe(24);
    const updates = pushedFor(got, dust.device.id).length;
    expect(updates).toBeGreaterThan(1);
    expect(updates).toBeLessThanOrEqual(Math.ceil(elapsedS * 4) + 2);
    // One message carries several devices: the batches hold fewer messages than device updates.
    const batches = got.filter(
      (m): m is Extract<LiveServerMessage, { type: 'telemetry.batch' }> => m.type === 'telemetry.batch',
    );
    expect(batches.some((m) => m.readings.length === 2)).toBe(true);
    for (const b of batches) expect(new Set(b.readings.map((r) => r.deviceId)).size).toBe(b.readings.length);
  });

  it('gives a new viewer the latest state first, and a viewer that blinks what it missed', async () => {
    const late = t.live();
    const got = collect(late);
    await late.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId } });
    const snap = got[0] as Extract<LiveServerMessage, { type: 'snapshot' }>;
    expect(snap.type).toBe('snapshot');
    expect(snap.latest.find((r) => r.deviceId === dust.device.id)?.values).toMatchObject({ noiseDb: 74 });
    expect(snap.latest.find((r) => r.deviceId === tc.device.id)?.values).toMatchObject({ slewDeg: 24, loadT: 3.6 });

    // A viewer with reconnection on, as the browser client has it.
    const v = io(`${t.url}/live`, {
      auth: { protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      reconnectionDelay: 100,
      forceNew: true,
    });
    sockets.push(v);
    const seen = collect(v as never);
    await connected(v);
    await v.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId } });
    // Recovery needs at least one packet seen after connect (its offset); wait for a push.
    await postIngest(
      t,
      [{ deviceId: dust.device.id, seq: 5000, time: Date.now(), values: { noiseDb: 60 } }],
      dust.apiKey,
    );
    await expect.poll(() => pushedFor(seen, dust.device.id).some((r) => r.seq === 5000)).toBe(true);

    v.io.engine.close(); // the network blinks
    await expect.poll(() => v.connected).toBe(false);
    const missed = await postIngest(
      t,
      [{ deviceId: dust.device.id, seq: 5001, time: Date.now(), values: { noiseDb: 61 } }],
      dust.apiKey,
    );
    expect(missed.body.accepted).toBe(1);
    await new Promise((r) => setTimeout(r, 400)); // flushed while the viewer is away
    await expect.poll(() => v.connected, { timeout: 10_000 }).toBe(true);
    expect(v.recovered).toBe(true);
    await expect.poll(() => pushedFor(seen, dust.device.id).some((r) => r.seq === 5001)).toBe(true);
  });
});
