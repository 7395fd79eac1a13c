import { connect as tcpConnect } from 'node:net';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../models/errors.js';
import { encodeFrame } from '../../../server/ingest/hj212/frame.js';
import { Hj212Reject } from '../../../server/ingest/hj212/frame.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { crane, envMonitor, makeDevice, makeProject } from '../../helpers/telemetry.js';

// Acceptance 3: property-based fuzzing of every ingest transport and the upload path. Zero crashes (the server
// answers /api/health after each), zero 5xx on bad input, every rejection with a stable code. Counts are printed.
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const STABLE = new Set<string>(Object.values(ErrorCode));
const HJ212_REASONS = new Set<string>([
  ...Object.values(Hj212Reject),
  'bad_packet',
  'bad_pw',
  'no_mn',
  'no_values',
  'not_env_monitor',
  'rejected',
  'unknown_mn',
]);
const MQTT_URL = 'mqtt://127.0.0.1:1883';

let t: TestServer;
let projectId: string;
let craneId: string;
let craneKey: string;
let envId: string;
const prefix = `fuzz${Date.now().toString(36)}`;

/** Counts by outcome, printed at the end of each transport. */
const tally = () => new Map<string, number>();
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** A reading that is almost right: every field can be replaced by anything. */
const nearReading = () =>
  fc.record(
    {
      deviceId: fc.oneof(fc.constant(craneId), fc.uuid(), fc.string(), fc.integer(), fc.constant(null)),
      seq: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string(), fc.constant(-1)),
      time: fc.oneof(fc.constant(Date.now()), fc.integer(), fc.double(), fc.string(), fc.constant(8.64e15 + 1)),
      values: fc.oneof(
        fc.record(
          {
            loadT: fc.oneof(fc.double(), fc.string(), fc.constant(null)),
            ratedLoadT: fc.oneof(fc.double({ min: 0.1, max: 50, noNaN: true }), fc.jsonValue()),
          },
          { requiredKeys: [] },
        ),
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.jsonValue(),
      ),
      key: fc.oneof(fc.constant(craneKey), fc.string()),
    },
    { requiredKeys: [] },
  );
const badBody = () =>
  fc.oneof(
    fc.jsonValue(),
    fc.array(nearReading(), { maxLength: 20 }),
    fc.record({ readings: fc.array(nearReading(), { maxLength: 5 }) }),
    nearReading(),
  );

async function healthy(): Promise<void> {
  const h = await t.api('GET', '/api/health');
  expect(h.status).toBe(200);
}

beforeAll(async () => {
  t = await startTestServer({
    env: {
      HJ212_PORT: '0',
      MQTT_URL,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: `${prefix}-ingest`,
      MQTT_CONSUMERS: '1',
    },
  });
  projectId = await makeProject(t);
  const c = await makeDevice(t, projectId, crane());
  craneId = c.device.id;
  craneKey = c.apiKey;
  envId = (await makeDevice(t, projectId, { ...envMonitor(), hj212: { mn: 'FUZZ0000000001', pw: '123456' } })).device
    .id;
}, 120_000);
afterAll(() => t?.close());

describe('fuzzing every ingest transport and the upload path (fast-check)', () => {
  it('HTTP JSON: POST /api/v1/ingest', async () => {
    const out = tally();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badBody().map((b) => JSON.stringify(b)),
          fc.string(),
          fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u).toString('latin1')),
        ),
        async (body) => {
          const r = await t.api('POST', '/api/v1/ingest', body, {
            headers: { 'content-type': 'application/json' },
            token: craneKey,
          });
          expect(r.status).toBeLessThan(500);
          if (r.status >= 400) {
            expect(STABLE.has(r.body?.code), JSON.stringify(r.body)).toBe(true);
            bump(out, `${r.status} ${r.body.code}`);
          } else bump(out, String(r.status));
          for (const x of r.body?.rejected ?? []) {
            expect(STABLE.has(x.code), JSON.stringify(x)).toBe(true);
            bump(out, `rejected ${x.code}`);
          }
        },
      ),
      { numRuns: RUNS },
    );
    console.log(`fuzz http (${RUNS} runs):`, JSON.stringify(Object.fromEntries(out)));
    await healthy();
  }, 180_000);

  it('Socket.IO /devices: reading messages and handshakes', async () => {
    const out = tally();
    const s = ioClient(`${t.url}/devices`, {
      auth: { deviceId: craneId, key: craneKey },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((res, rej) => (s.on('connect', res), s.on('connect_error', rej)));
    await fc.assert(
      fc.asyncProperty(fc.oneof(badBody(), fc.anything()), async (payload) => {
        const ack = (await s.timeout(10_000).emitWithAck('reading', payload)) as {
          ok: boolean;
          error?: { code: string };
          result?: { rejected: Array<{ code: string }> };
        };
        if (!ack.ok) {
          expect(STABLE.has(ack.error!.code), JSON.stringify(ack)).toBe(true);
          bump(out, `error ${ack.error!.code}`);
        } else {
          bump(out, 'ok');
          for (const x of ack.result!.rejected) {
            expect(STABLE.has(x.code)).toBe(true);
            bump(out, `rejected ${x.code}`);
          }
        }
      }),
      { numRuns: RUNS },
    );
    s.close();
    // Bad handshakes are refused with a stable code in connect_error.data.
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.dictionary(fc.string(), fc.jsonValue()),
          fc.record({ deviceId: fc.oneof(fc.uuid(), fc.string()), key: fc.string() }),
        ),
        async (auth) => {
          const c = ioClient(`${t.url}/devices`, {
            auth,
            transports: ['websocket'],
            reconnection: false,
            forceNew: true,
          });
          const err = await new Promise<{ data?: { code: string } } | null>(
            (res) => (c.on('connect', () => res(null)), c.on('connect_error', (e) => res(e as never))),
          );
          c.close();
          expect(err, 'a random handshake must not open a device socket').not.toBeNull();
          expect(STABLE.has(err!.data?.code ?? ''), JSON.stringify(err!.data)).toBe(true);
          bump(out, `handshake ${err!.data!.code}`);
        },
      ),
      { numRuns: Math.ceil(RUNS / 5) },
    );
    console.log(
      `fuzz socket.io (${RUNS} messages, ${Math.ceil(RUNS / 5)} handshakes):`,
      JSON.stringify(Object.fromEntries(out)),
    );
    await healthy();
  }, 180_000);

  it('MQTT payloads through Mosquitto', async () => {
    const out = tally();
    const client = await mqtt.connectAsync(MQTT_URL, { clientId: `${prefix}-dev`, clean: true });
    const acks: Array<{ ok: boolean; error?: { code: string }; result?: { rejected: Array<{ code: string }> } }> = [];
    await client.subscribeAsync(`${prefix}/${projectId}/${craneId}/ack`, { qos: 1 });
    client.on('message', (_topic, payload) => acks.push(JSON.parse(payload.toString())));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badBody().map((b) => Buffer.from(JSON.stringify(b) ?? 'null')),
          fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)),
        ),
        async (payload) => {
          await client.publishAsync(`${prefix}/${projectId}/${craneId}/telemetry`, payload, {
            qos: 1,
            properties: { userProperties: { key: craneKey } },
          });
        },
      ),
      { numRuns: RUNS },
    );
    await expect.poll(() => acks.length, { timeout: 60_000, interval: 200 }).toBe(RUNS);
    await client.endAsync();
    for (const a of acks) {
      if (!a.ok) {
        expect(STABLE.has(a.error!.code), JSON.stringify(a)).toBe(true);
        expect(a.error!.code).not.toBe(ErrorCode.INTERNAL);
        bump(out, `error ${a.error!.code}`);
      } else {
        bump(out, 'ok');
        for (const x of a.result!.rejected) (expect(STABLE.has(x.code)).toBe(true), bump(out, `rejected ${x.code}`));
      }
    }
    console.log(`fuzz mqtt (${RUNS} payloads, ${acks.length} acks):`, JSON.stringify(Object.fromEntries(out)));
    await healthy();
  }, 180_000);

  it('HJ 212 frames over TCP', async () => {
    const hj = t.server.edges.hj212!;
    const before = { ...hj.stats.dropped };
    const framesBefore = hj.stats.frames;
    const fields = fc.record({
      st: fc.constantFrom('22', '32', '99', ''),
      cn: fc.constantFrom('2011', '2051', '1062', '9999', ''),
      mn: fc.constantFrom('FUZZ0000000001', 'NOPE', ''),
      pw: fc.constantFrom('123456', 'wrong', ''),
      cp: fc.array(
        fc.tuple(
          fc.constantFrom('a34001', 'a34002', 'a34004', 'LA', 'a01001', 'x', ''),
          fc.oneof(fc.double().map(String), fc.string({ maxLength: 8 })),
        ),
        { maxLength: 6 },
      ),
    });
    const packet = fields.map(
      ({ st, cn, mn, pw, cp }) =>
        `QN=20240101120000000;ST=${st};CN=${cn};PW=${pw};MN=${mn};Flag=5;CP=&&DataTime=20240101120000;${cp.map(([k, v]) => `${k}-Rtd=${v},${k}-Flag=N`).join(';')}&&`,
    );
    const frame = fc.oneof(
      packet.map((p) => encodeFrame(p)), // well-framed, content fuzzed
      fc.tuple(packet, fc.nat(400), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([p, at, junk]) => {
        const b = encodeFrame(p);
        const i = at % b.length;
        return Buffer.concat([b.subarray(0, i), Buffer.from(junk), b.subarray(i)]); // corrupted
      }),
      fc
        .uint8Array({ maxLength: 300 })
        .map((u) => Buffer.concat([Buffer.from('##'), Buffer.from(u), Buffer.from('\r\n')])),
    );
    const sock = tcpConnect(hj.port, '127.0.0.1');
    await new Promise<void>((r) => sock.on('connect', () => r()));
    let replies = '';
    sock.on('data', (b) => (replies += b.toString('latin1')));
    await fc.assert(
      fc.asyncProperty(frame, async (f) => {
        await new Promise<void>((r) => sock.write(f, () => r()));
      }),
      { numRuns: RUNS },
    );
    await new Promise<void>((r) => sock.end(() => r()));
    await expect.poll(() => hj.stats.frames - framesBefore, { timeout: 30_000 }).toBeGreaterThan(RUNS / 2);
    await new Promise((r) => setTimeout(r, 500));
    const dropped: Record<string, number> = {};
    for (const [k, v] of Object.entries(hj.stats.dropped))
      if (v - (before[k] ?? 0) > 0) dropped[k] = v - (before[k] ?? 0);
    for (const k of Object.keys(dropped)) expect(HJ212_REASONS.has(k), k).toBe(true);
    const rtn: Record<string, number> = {};
    for (const m of replies.matchAll(/(?:QnRtn|ExeRtn)=(\d+)/g)) rtn[m[1]!] = (rtn[m[1]!] ?? 0) + 1;
    console.log(
      `fuzz hj212 (${RUNS} writes, ${hj.stats.frames - framesBefore} frames seen): dropped by reason`,
      JSON.stringify(dropped),
      `replies ${replies.split('##').length - 1}`,
      JSON.stringify(rtn),
      'stored',
      hj.stats.stored,
    );
    expect(envId).toBeTruthy();
    await healthy();
  }, 180_000);

  it('upload path: POST /projects/:id/models with arbitrary bytes, raw and multipart', async () => {
    const out = tally();
    const ifcish = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }).map((u) => Buffer.from(u)),
      fc.string({ maxLength: 500 }).map((s) => Buffer.from(`ISO-10303-21;\nHEADER;${s}`)),
      fc.uint8Array({ maxLength: 500 }).map((u) => Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(u)])),
    );
    const ctype = fc.constantFrom(
      'application/octet-stream',
      'multipart/form-data; boundary=XyZ',
      'multipart/form-data',
      'text/plain',
      'application/json',
    );
    await fc.assert(
      fc.asyncProperty(ifcish, ctype, fc.string({ maxLength: 40 }), async (bytes, type, name) => {
        const body = type.includes('boundary=XyZ')
          ? Buffer.concat([
              Buffer.from(
                `--XyZ\r\nContent-Disposition: form-data; name="file"; filename="${name.replace(/["\r\n]/g, '')}.ifc"\r\nContent-Type: application/octet-stream\r\n\r\n`,
              ),
              bytes,
              Buffer.from('\r\n--XyZ--\r\n'),
            ])
          : bytes;
        const res = await fetch(
          `${t.url}/api/v1/projects/${projectId}/models?filename=${encodeURIComponent(name || 'x')}.ifc`,
          { method: 'POST', headers: { 'content-type': type }, body },
        );
        const parsed = (await res.json().catch(() => null)) as { code?: string } | null;
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(STABLE.has(parsed?.code ?? ''), JSON.stringify(parsed)).toBe(true);
          bump(out, `${res.status} ${parsed!.code}`);
        } else bump(out, String(res.status));
      }),
      { numRuns: Math.min(RUNS, 200) },
    );
    console.log(`fuzz upload (${Math.min(RUNS, 200)} runs):`, JSON.stringify(Object.fromEntries(out)));
    await healthy();
  }, 180_000);
});
