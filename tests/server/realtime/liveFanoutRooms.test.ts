import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as IoServer } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { blink } from '../../helpers/blink.js';
import {
  PROTOCOL_VERSION,
  type LiveAck,
  type LiveClientToServer,
  type LiveScope,
  type LiveServerMessage,
  type LiveServerToClient,
} from '../../../models/protocol.js';
import type { LiveReading } from '../../../models/Reading.js';
import { openAccessPolicy } from '../../../server/auth/access.js';
import type { ProjectOwner } from '../../../server/auth/ProjectOwners.js';
import { createLogger } from '../../../server/log.js';
import { LiveHub } from '../../../server/realtime/LiveHub.js';
import { liveParser, PreEncoded } from '../../../server/realtime/liveEncoder.js';
import type { Store } from '../../../server/store/Store.js';

// The telemetry fan-out of one node (in-memory adapter with connection state recovery, as Server.ts sets up /live):
// a room nobody watches (no socket in it, no session away within the recovery window that was in it) gets no
// `telemetry.batch` (a city has ~1 000 project rooms and a few dozen viewers; every emit is encoded and kept in the
// recovery buffer), while a viewer that blinks still gets, on recovery, the readings emitted while it was away.
type LiveSocket = Socket<LiveServerToClient, LiveClientToServer>;
interface Packet {
  opts: { rooms: Set<string> };
  data: unknown[];
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const E1 = uuid(1);
const E2 = uuid(2);
const P1 = uuid(11);
const P2 = uuid(12);
const P3 = uuid(13);
const OWNERS: ProjectOwner[] = [
  { id: P1, enterpriseId: E1, regionCode: '370202' },
  { id: P2, enterpriseId: E1, regionCode: '370203' },
  { id: P3, enterpriseId: E2, regionCode: '370211' },
];
const DEVICE: Record<string, string> = { [P1]: uuid(101), [P2]: uuid(102), [P3]: uuid(103) };

let http: HttpServer | undefined;
let io: IoServer | undefined;
let hub: LiveHub | undefined;
const clients: LiveSocket[] = [];

async function start(parser: typeof liveParser | undefined) {
  http = createServer();
  io = new IoServer(http, {
    connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: false },
    ...(parser ? { parser } : {}),
  });
  // Routing needs each project's enterprise and region: the only thing the hub reads from the store.
  const store = { users: { projectOwners: async () => OWNERS } } as unknown as Store;
  hub = new LiveHub(io, store, openAccessPolicy, createLogger('silent'), {
    clustered: false,
    recovery: { maxPackets: 10_000, maxAgeMs: 60_000 },
  });
  await new Promise<void>((r) => http!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/live`;
  const adapter = io.of('/live').adapter as unknown as { packets: Packet[] };
  /** The rooms of every packet the recovery buffer kept since the last call. */
  let seen = 0;
  const newPacketRooms = () => {
    const rooms = adapter.packets.slice(seen).flatMap((p) => [...p.opts.rooms]);
    seen = adapter.packets.length;
    return rooms;
  };
  /** The messages the recovery buffer kept (PreEncoded with the live parser: a string each, not the readings). */
  const keptMessages = () => adapter.packets.map((p) => p.data[1]);
  return { hub, url, newPacketRooms, keptMessages };
}

let t0 = Date.UTC(2026, 11, 6, 12);
function reading(projectId: string, value: number): LiveReading {
  return { deviceId: DEVICE[projectId]!, projectId, kind: 'env_monitor', time: t0++, values: { pm10: value } };
}

async function viewer(url: string, scope: LiveScope) {
  const s: LiveSocket = ioClient(url, {
    auth: { protocolVersion: PROTOCOL_VERSION },
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 50,
    reconnectionDelayMax: 50,
  });
  clients.push(s);
  const got: LiveServerMessage[] = [];
  s.on('msg', (m) => got.push(m));
  await new Promise<void>((r) => s.once('connect', () => r()));
  const ack = (await s.timeout(5000).emitWithAck('msg', { type: 'subscribe', scope })) as LiveAck;
  expect(ack.ok).toBe(true);
  return { s, got };
}

/** pm10 values of the readings of `projectId` pushed to a viewer. */
const valuesOf = (got: LiveServerMessage[], projectId: string) =>
  got.flatMap((m) =>
    m.type === 'telemetry.batch' ? m.readings.filter((r) => r.projectId === projectId).map((r) => r.values.pm10) : [],
  );

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  hub?.close();
  await new Promise<void>((r) => (io ? io.close(() => r()) : r()));
  io = undefined;
  http = undefined;
  hub = undefined;
});

// With Socket.IO's own parser (what a bare server gets) and with Server.ts's (liveEncoder.ts: batches serialized once):
// the same messages reach the viewers.
describe.each([
  ['the default parser', undefined],
  ['the live parser', liveParser],
] as const)('LiveHub telemetry fan-out on one node, with %s', (_, parser) => {
  it('emits no telemetry.batch to a project room (nor the city room) that nobody watches', async () => {
    const { url, newPacketRooms } = await start(parser);
    newPacketRooms();
    hub!.publishReadings([reading(P1, 1), reading(P2, 2), reading(P3, 3)]);
    // Nobody is connected: no room gets a packet.
    expect(newPacketRooms()).toEqual([]);

    const v = await viewer(url, { kind: 'project', projectId: P2 });
    newPacketRooms();
    hub!.publishReadings([reading(P1, 4), reading(P2, 5), reading(P3, 6)]);
    // Only the watched project's room: one packet, to project:P2.
    expect(newPacketRooms()).toEqual([`project:${P2}`]);
    await expect.poll(() => valuesOf(v.got, P2)).toEqual([5]);
    expect(valuesOf(v.got, P1)).toEqual([]);
  });

  it('a project viewer that blinks gets, on recovery, the readings of its project emitted while it was away', async () => {
    const { url, newPacketRooms } = await start(parser);
    const v = await viewer(url, { kind: 'project', projectId: P1 });
    hub!.publishReadings([reading(P1, 1), reading(P3, 100)]);
    await expect.poll(() => valuesOf(v.got, P1)).toEqual([1]);

    newPacketRooms();
    const recovered = await blink(v.s, () => {
      // Away: its room is empty now, but its session (within the recovery window) still holds it.
      hub!.publishReadings([reading(P1, 2), reading(P3, 101)]);
      hub!.publishReadings([reading(P1, 3)]);
    });
    expect(newPacketRooms()).toEqual([`project:${P1}`, `project:${P1}`]);
    expect(recovered).toBe(true);
    await expect.poll(() => valuesOf(v.got, P1)).toEqual([1, 2, 3]);
    expect(valuesOf(v.got, P3)).toEqual([]);
    // The replayed batches are whole (every field of each reading), as the live ones.
    expect(v.got.slice(1).map((m) => m.type === 'telemetry.batch' && m.readings.map((r) => r.deviceId))).toEqual([
      [DEVICE[P1]],
      [DEVICE[P1]],
    ]);

    // Back in its room: the next readings come live.
    hub!.publishReadings([reading(P1, 4)]);
    await expect.poll(() => valuesOf(v.got, P1)).toEqual([1, 2, 3, 4]);
  });

  it('a city viewer gets every project; an enterprise wall gets its own projects only', async () => {
    const { url, newPacketRooms, keptMessages } = await start(parser);
    const city = await viewer(url, { kind: 'city' });
    // Its subscribe reads the project index (enterprise, region of each project), which routing needs too.
    const wall = await viewer(url, { kind: 'enterprise', enterpriseId: E1 });
    newPacketRooms();
    hub!.publishReadings([reading(P1, 1), reading(P2, 2), reading(P3, 3)]);
    expect(newPacketRooms().sort()).toEqual(['city', `enterprise:${E1}`].sort());
    await expect.poll(() => [P1, P2, P3].map((p) => valuesOf(city.got, p))).toEqual([[1], [2], [3]]);
    await expect.poll(() => [P1, P2, P3].map((p) => valuesOf(wall.got, p))).toEqual([[1], [2], []]);
    // Each message whole, as the hub was given it: readings in the order given, every field.
    const sent = [reading(P1, 4), reading(P2, 5), reading(P3, 6)];
    const [cityN, wallN] = [city.got.length, wall.got.length];
    hub!.publishReadings(sent);
    await expect.poll(() => [city.got.length, wall.got.length]).toEqual([cityN + 1, wallN + 1]);
    expect(city.got.at(-1)).toEqual({ type: 'telemetry.batch', scope: { kind: 'city' }, readings: sent });
    expect(wall.got.at(-1)).toEqual({
      type: 'telemetry.batch',
      scope: { kind: 'enterprise', enterpriseId: E1 },
      readings: sent.slice(0, 2),
    });
    // With the live parser, the recovery buffer holds each batch as its text.
    const kept = keptMessages().slice(-2);
    expect(kept.every((m) => m instanceof PreEncoded)).toBe(parser !== undefined);
  });
});
