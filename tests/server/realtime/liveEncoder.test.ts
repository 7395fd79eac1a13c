import fc from 'fast-check';
import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import type { LiveScope, LiveServerMessage } from '../../../models/protocol.js';
import type { LiveReading } from '../../../models/Reading.js';
import { LiveEncoder, PreEncoded, preEncodedBatch } from '../../../server/realtime/liveEncoder.js';

// The `/live` encoder must write what Socket.IO's own encoder writes, byte for byte: clients decode it with the
// default parser (socket.io-client), and the wire contract (one JSON text per packet) is unchanged.
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const event = (nsp: string, data: unknown[], id?: number): Packet => ({
  type: PacketType.EVENT,
  nsp,
  data,
  ...(id !== undefined ? { id } : {}),
});
const plain = new Encoder();
const live = new LiveEncoder();

const reading = (n: number, values: Record<string, unknown>): LiveReading => ({
  deviceId: uuid(100 + n),
  projectId: uuid(10 + (n % 3)),
  kind: n % 2 ? 'tower_crane' : 'env_monitor',
  time: Date.UTC(2026, 11, 7, 12) + n,
  ...(n % 4 ? { seq: n } : {}),
  values,
});

const MESSAGES: LiveServerMessage[] = [
  {
    type: 'telemetry.batch',
    scope: { kind: 'city' },
    readings: [reading(1, { pm10Ugm3: 41.5, noiseDb: 60 }), reading(2, { momentPct: 101.25, note: '塔吊 "A" \n' })],
  },
  { type: 'project.deleted', projectId: uuid(11) },
  { type: 'device.deleted', deviceId: uuid(101), projectId: uuid(11) },
];

describe('LiveEncoder', () => {
  it("encodes /live msg events as the default encoder does, with and without recovery's offset", () => {
    for (const m of MESSAGES) {
      for (const data of [
        ['msg', m],
        ['msg', m, 'offset-1'],
      ]) {
        const expected = plain.encode(event('/live', data));
        expect(live.encode(event('/live', data))).toEqual(expected);
        // A PreEncoded message holding the message's JSON gives the same packet.
        const pre = ['msg', new PreEncoded(JSON.stringify(m), 1), ...data.slice(2)];
        expect(live.encode(event('/live', pre))).toEqual(expected);
      }
    }
  });

  it('leaves every other packet to the default encoder (binary in another namespace, acks, other events)', () => {
    const others: Packet[] = [
      event('/devices', ['reading', { raw: Buffer.from([1, 2, 3]) }]),
      event('/live', ['msg', MESSAGES[1]], 7),
      event('/live', ['other', { a: 1 }]),
      event('/', ['msg', MESSAGES[1]]),
      { type: PacketType.ACK, nsp: '/live', id: 3, data: [{ ok: true }] },
      { type: PacketType.CONNECT, nsp: '/live', data: { sid: 'x' } },
    ];
    for (const p of others) expect(live.encode(p)).toEqual(plain.encode(p));
    // The binary packet really is binary (a string header and the buffer), not JSON.
    expect(live.encode(others[0]!)).toHaveLength(2);
  });

  it('a packet it writes decodes (socket.io-client parser) to the message', () => {
    const m = MESSAGES[0]!;
    const [text] = live.encode(event('/live', ['msg', new PreEncoded(JSON.stringify(m), 2), 'off']));
    const decoded: Packet[] = [];
    const d = new Decoder();
    d.on('decoded', (p: Packet) => decoded.push(p));
    d.add(text);
    expect(decoded).toEqual([{ type: PacketType.EVENT, nsp: '/live', data: ['msg', m, 'off'] }]);
  });
});

describe('preEncodedBatch', () => {
  const value = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.string({ unit: 'grapheme' }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 }),
  );
  const readingArb = fc.record(
    {
      deviceId: fc.uuid(),
      projectId: fc.uuid(),
      kind: fc.constantFrom('tower_crane', 'env_monitor', 'pit_gauge'),
      time: fc.integer({ min: 0 }),
      seq: fc.integer({ min: 0 }),
      values: fc.dictionary(fc.string(), value, { maxKeys: 6 }),
    },
    { requiredKeys: ['deviceId', 'projectId', 'kind', 'time', 'values'] },
  ) as fc.Arbitrary<LiveReading>;
  const scopeArb: fc.Arbitrary<LiveScope> = fc.oneof(
    fc.constant({ kind: 'city' as const }),
    fc.uuid().map((projectId) => ({ kind: 'project' as const, projectId })),
    fc.uuid().map((enterpriseId) => ({ kind: 'enterprise' as const, enterpriseId })),
    fc.constantFrom('37', '3702', '370211').map((regionPrefix) => ({ kind: 'region' as const, regionPrefix })),
  );

  it("is the JSON of the batch of its groups' readings, in order, and weighs their number", () => {
    fc.assert(
      fc.property(scopeArb, fc.array(fc.array(readingArb, { maxLength: 4 }), { maxLength: 5 }), (scope, groups) => {
        const pre = preEncodedBatch(scope, groups, new Map());
        const readings = groups.flat();
        expect(pre.json).toBe(JSON.stringify({ type: 'telemetry.batch', scope, readings }));
        expect(pre.weight).toBe(readings.length);
      }),
    );
  });

  it('serializes a group once for all the rooms it goes to', () => {
    const a = [reading(1, { pm10Ugm3: 40 })];
    const b = [reading(2, { pm10Ugm3: 50 }), reading(3, { pm10Ugm3: 60 })];
    const json = new Map<LiveReading[], string>();
    const city = preEncodedBatch({ kind: 'city' }, [a, b], json);
    expect(json.size).toBe(2);
    // The cached text is used as it is: a changed reading after the first room would not show (none is changed).
    json.set(b, JSON.stringify([reading(9, { marker: 1 })]).slice(1, -1));
    const project = preEncodedBatch({ kind: 'project', projectId: uuid(11) }, [b], json);
    expect(JSON.parse(project.json).readings).toEqual([JSON.parse(JSON.stringify(reading(9, { marker: 1 })))]);
    expect(JSON.parse(city.json).readings).toHaveLength(3);
  });
});
