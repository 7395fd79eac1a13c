import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as IoServer } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { blink } from '../../helpers/blink.js';
import { liveParser, PreEncoded } from '../../../server/realtime/liveEncoder.js';
import { boundRecoveryBuffer } from '../../../server/realtime/recoveryBuffer.js';

// A real Socket.IO server with connection state recovery, as Server.ts configures /live, and a real client.
let http: HttpServer | undefined;
let io: IoServer | undefined;
const clients: Socket[] = [];

async function start(
  opts: { maxPackets: number; maxReadings?: number; maxAgeMs: number; everyMs?: number },
  parser?: typeof liveParser,
) {
  http = createServer();
  io = new IoServer(http, {
    connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: true },
    ...(parser ? { parser } : {}),
  });
  const nsp = io.of('/live');
  nsp.on('connection', (s) => void s.join('city'));
  const stop = boundRecoveryBuffer(nsp, opts);
  await new Promise<void>((r) => http!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/live`;
  const packets = () => (nsp.adapter as unknown as { packets: unknown[] }).packets;
  return { nsp, url, packets, stop };
}

async function viewer(url: string) {
  const s = ioClient(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 50,
    reconnectionDelayMax: 50,
  });
  clients.push(s);
  const got: number[] = [];
  s.on('n', (n: number) => got.push(n));
  await new Promise<void>((r) => s.once('connect', () => r()));
  return { s, got };
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await new Promise<void>((r) => (io ? io.close(() => r()) : r()));
  io = undefined;
  http = undefined;
});

describe('boundRecoveryBuffer', () => {
  it('keeps at most maxPackets (plus a 10 % step), still replays a short blink, and gives up on one that outlasts the buffer', async () => {
    const { nsp, url, packets } = await start({ maxPackets: 100, maxAgeMs: 60_000 });
    const v = await viewer(url);
    for (let i = 0; i < 1000; i++) nsp.to('city').emit('n', i);
    expect(packets().length).toBeGreaterThanOrEqual(100);
    expect(packets().length).toBeLessThanOrEqual(110);
    await expect.poll(() => v.got.length).toBe(1000);

    // Missed 20 packets: all kept, so the viewer is recovered and gets them.
    const recovered = await blink(v.s, () => {
      for (let i = 1000; i < 1020; i++) nsp.to('city').emit('n', i);
    });
    expect(recovered).toBe(true);
    await expect.poll(() => v.got.length).toBe(1020);
    expect(v.got.slice(1000)).toEqual(Array.from({ length: 20 }, (_, i) => 1000 + i));

    // Missed 500: its last packet is gone from the buffer, so no replay (LiveClient resubscribes and gets a snapshot).
    const again = await blink(v.s, () => {
      for (let i = 1020; i < 1520; i++) nsp.to('city').emit('n', i);
    });
    expect(again).toBe(false);
    expect(v.got.length).toBe(1020);
  });

  it("drops packets older than maxAgeMs without waiting for Socket.IO's one-minute sweep", async () => {
    const { nsp, packets } = await start({ maxPackets: 10_000, maxAgeMs: 200, everyMs: 50 });
    for (let i = 0; i < 300; i++) nsp.to('city').emit('n', i);
    expect(packets().length).toBe(300);
    await expect.poll(() => packets().length, { timeout: 5000 }).toBe(0);
  });

  it('bounds the readings kept by maxReadings: a few city-wide batches weigh more than many small packets', async () => {
    const { nsp, url, packets } = await start({ maxPackets: 10_000, maxReadings: 1000, maxAgeMs: 60_000 });
    const v = await viewer(url);
    let batches = 0;
    v.s.on('msg', () => batches++);
    const batch = (n: number, from: number) => ({
      type: 'telemetry.batch',
      readings: Array.from({ length: n }, (_, i) => ({ deviceId: `d${from + i}` })),
    });
    const weight = () =>
      (packets() as { data: [string, { readings?: unknown[] }] }[]).reduce(
        (a, p) => a + (p.data[1]?.readings?.length ?? 1),
        0,
      );
    // 40 batches of 100 readings (4 000 readings in 40 packets: far under maxPackets).
    for (let i = 0; i < 40; i++) nsp.to('city').emit('msg', batch(100, i * 100));
    expect(weight()).toBeGreaterThanOrEqual(1000);
    expect(weight()).toBeLessThanOrEqual(1100);
    // The newest are the ones kept.
    const last = (packets().at(-1) as { data: [string, { readings: { deviceId: string }[] }] }).data[1];
    expect(last.readings.at(-1)!.deviceId).toBe('d3999');
    await expect.poll(() => batches).toBe(40);
    // Small packets count 1 each, and a blink within the bound is still replayed.
    const recovered = await blink(v.s, () => {
      for (let i = 0; i < 5; i++) nsp.to('city').emit('msg', batch(10, 5000 + i * 10));
    });
    expect(recovered).toBe(true);
    await expect.poll(() => batches).toBe(45);
  });

  it('weighs a pre-encoded batch (the live parser) by its readings too', async () => {
    const { nsp, url, packets } = await start({ maxPackets: 10_000, maxReadings: 1000, maxAgeMs: 60_000 }, liveParser);
    const v = await viewer(url);
    const got: { readings: unknown[] }[] = [];
    v.s.on('msg', (m: { readings: unknown[] }) => got.push(m));
    const batch = (n: number) => {
      const m = { type: 'telemetry.batch', readings: Array.from({ length: n }, (_, i) => ({ i })) };
      return new PreEncoded(JSON.stringify(m), n);
    };
    for (let i = 0; i < 40; i++) nsp.to('city').emit('msg', batch(100));
    const kept = packets() as { data: [string, PreEncoded] }[];
    expect(kept.length).toBeGreaterThanOrEqual(10);
    expect(kept.length).toBeLessThanOrEqual(11);
    expect(kept.every((p) => p.data[1] instanceof PreEncoded)).toBe(true);
    await expect.poll(() => got.length).toBe(40);
    expect(got[0]!.readings).toHaveLength(100);
  });

  it('stops cutting once stopped', async () => {
    const { nsp, packets, stop } = await start({ maxPackets: 10, maxAgeMs: 60_000 });
    stop();
    for (let i = 0; i < 50; i++) nsp.to('city').emit('n', i);
    expect(packets().length).toBe(50);
  });
});
