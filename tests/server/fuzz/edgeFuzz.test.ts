import { connect as tcpConnect } from 'node:net';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../models/errors.js';
import { encodeFrame, Hj212Reject } from '../../../server/ingest/hj212/frame.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { crane, envMonitor, makeDevice, makeProject } from '../../helpers/telemetry.js';

// Issue 14 acceptance 4: the inputs of finding 11 (NUL, lone surrogates, the whole-world bbox, huge and negative
// numbers, a body that claims an encoding it does not have), fuzzed on every ingest transport and on the REST text
// fields and query params. Zero 5xx, zero internal error acks, zero handler failures; a reading with a bad string is
// refused alone, the rest of its batch stored. Runs per property: EDGE_FUZZ_RUNS (default 60, ~30 s in all).
const RUNS = Number(process.env.EDGE_FUZZ_RUNS ?? 60);
const STABLE = new Set<string>(Object.values(ErrorCode));
// rate_limited: PWs never seen before are limited per address (each costs a scrypt run), and the junk PWs are many.
const HJ212_REASONS = new Set<string>([
  ...Object.values(Hj212Reject),
  'bad_packet',
  'bad_pw',
  'no_mn',
  'no_values',
  'not_env_monitor',
  'rejected',
  'unknown_mn',
  'rate_limited',
]);
const MQTT_URL = 'mqtt://127.0.0.1:1883';
const prefix = `edgefuzz${Date.now().toString(36)}`;
const MN = `EDGE${Date.now().toString(36).toUpperCase()}`;

let t: TestServer;
let projectId: string;
let craneId: string;
let craneKey: string;
let alarmId: string;
let seq = 0;

/** A string PostgreSQL text cannot hold: a NUL or a lone surrogate somewhere in it. */
const badText = () =>
  fc.oneof(
    fc.constantFrom('\u0000', '\ud800', '\udfff', 'a\u0000b', '塔吊\ud83d', '\udc00x'),
    fc
      .tuple(
        fc.string({ maxLength: 10 }),
        fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00'),
        fc.string({ maxLength: 10 }),
      )
      .map(([a, b, c]) => a + b + c),
  );
/** A batch of crane readings, some with a bad string in a value or a value's name; `bad` lists their indexes. */
const batch = () =>
  fc
    .array(fc.oneof(fc.constant(null), fc.tuple(fc.constantFrom('value', 'name'), badText())), {
      minLength: 1,
      maxLength: 8,
    })
    .map((spec) => {
      const readings = spec.map((s) => {
        const values = !s
          ? { loadT: 1, operatorId: 'op-1' }
          : s[0] === 'value'
            ? { loadT: 1, operatorId: s[1] }
            : { loadT: 1, [`x${s[1]}`]: 1 };
        return { deviceId: craneId, seq: ++seq, time: Date.now() - 60_000, values };
      });
      return { readings, bad: spec.flatMap((s, i) => (s ? [i] : [])) };
    });
type Result = { accepted: number; duplicates: number; rejected: Array<{ index: number; code: string }> };
/** The good readings stored, each bad one refused alone with validation_failed. */
const expectAlone = (r: Result, b: { readings: unknown[]; bad: number[] }) => {
  expect(r.rejected.map((x) => x.index)).toEqual(b.bad);
  for (const x of r.rejected) expect(x.code).toBe(ErrorCode.VALIDATION_FAILED);
  expect(r.accepted).toBe(b.readings.length - b.bad.length);
};
/** A query value: numbers of every size and sign, number-like text, anything. */
const numberish = () =>
  fc.oneof(
    fc.constantFrom(
      '-1e20',
      '1e20',
      '-100000000000000000000',
      '100000000000000000000',
      'NaN',
      'Infinity',
      '-0',
      '1e309',
      '9007199254740993',
      '8640000000000001',
      '',
      '0x10',
      '1.5',
    ),
    fc.double().map(String),
    fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }).map(String),
    fc.string({ maxLength: 12 }),
  );
/** Percent-encodes every char's UTF-8 bytes; a lone surrogate (no UTF-8 form) goes as its CESU-8 bytes. */
const pct = (s: string) =>
  [...s]
    .map((ch) => {
      const c = ch.charCodeAt(0);
      const bytes =
        c >= 0xd800 && c <= 0xdfff && ch.length === 1
          ? [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)]
          : [...Buffer.from(ch, 'utf8')];
      return bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    })
    .join('');

async function expectStable(r: { status: number; body: any }, what: string): Promise<void> {
  expect(r.status, `${what} ${JSON.stringify(r.body)}`).toBeLessThan(500);
  if (r.status >= 400) expect(STABLE.has(r.body?.code), `${what} ${JSON.stringify(r.body)}`).toBe(true);
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
  await makeDevice(t, projectId, { ...envMonitor(), hj212: { mn: MN, pw: '123456' } });
  alarmId = (
    await t.store.alarms.raise({
      projectId,
      deviceId: craneId,
      rule: 'crane.load',
      quantity: 'loadPct',
      level: 'alarm',
      value: 105,
      threshold: 100,
      message: 'overload',
      time: Date.now(),
    })
  ).alarm.id;
}, 120_000);
afterAll(() => t?.close());

describe('edge fuzz: bad characters and bounds on every transport and REST (issue 14)', () => {
  it('HTTP ingest: a bad string refuses its reading alone', async () => {
    await fc.assert(
      fc.asyncProperty(batch(), async (b) => {
        const r = await t.api('POST', '/api/v1/ingest', b.readings, { token: craneKey });
        await expectStable(r, 'ingest');
        expectAlone(r.body, b);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('Socket.IO /devices: a bad string refuses its reading alone, never an internal error', async () => {
    const s = ioClient(`${t.url}/devices`, {
      auth: { deviceId: craneId, key: craneKey },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((res, rej) => (s.on('connect', res), s.on('connect_error', rej)));
    await fc.assert(
      fc.asyncProperty(batch(), async (b) => {
        const ack = (await s.timeout(10_000).emitWithAck('reading', b.readings)) as {
          ok: boolean;
          error?: unknown;
          result?: Result;
        };
        expect(ack.ok, JSON.stringify(ack)).toBe(true);
        expectAlone(ack.result!, b);
      }),
      { numRuns: RUNS },
    );
    s.close();
  }, 120_000);

  it('MQTT: a bad string refuses its reading alone, never an internal error', async () => {
    const client = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5, clientId: `${prefix}-dev`, clean: true });
    await client.subscribeAsync(`${prefix}/${projectId}/${craneId}/ack`, { qos: 1 });
    const waiting: Array<(a: { ok: boolean; result?: Result; error?: unknown }) => void> = [];
    client.on('message', (_topic, payload) => waiting.shift()?.(JSON.parse(payload.toString())));
    try {
      await fc.assert(
        fc.asyncProperty(batch(), async (b) => {
          const acked = new Promise<{ ok: boolean; result?: Result; error?: unknown }>((r) => waiting.push(r));
          await client.publishAsync(`${prefix}/${projectId}/${craneId}/telemetry`, JSON.stringify(b.readings), {
            qos: 1,
            properties: { userProperties: { key: craneKey } },
          });
          const ack = await acked;
          // A batch whose every reading was refused is acknowledged `ok: false` with its result (issue 15); never an
          // internal error, and the good readings of a mixed batch are stored.
          expect(ack.ok, JSON.stringify(ack)).toBe(b.bad.length < b.readings.length);
          expect(JSON.stringify(ack)).not.toContain('"internal"');
          expectAlone(ack.result!, b);
        }),
        { numRuns: RUNS },
      );
    } finally {
      await client.endAsync();
    }
  }, 120_000);

  it('HJ 212 TCP: NUL and high bytes in MN, PW and values end in a named drop or a reply, never a handler failure', async () => {
    const hj = t.server.edges.hj212!;
    const framesBefore = hj.stats.frames;
    const storedBefore = hj.stats.stored;
    const junk = fc.oneof(
      fc.constantFrom('\u0000', 'a\u0000', '\u00ff\u0080', ''),
      fc.string({ maxLength: 6 }),
      fc.uint8Array({ maxLength: 6 }).map((u) => Buffer.from(u).toString('latin1')),
    );
    const packet = fc
      .record({
        mn: fc.oneof(
          fc.constant(MN),
          fc.tuple(fc.constant(MN), junk).map(([a, b]) => a + b),
          junk,
        ),
        pw: fc.oneof(fc.constant('123456'), junk),
        value: fc.oneof(fc.double().map(String), junk),
        time: fc.oneof(fc.constant('20260101120000'), junk),
      })
      .map(
        ({ mn, pw, value, time }) =>
          `QN=${Date.now()}000;ST=22;CN=2011;PW=${pw};MN=${mn};Flag=5;CP=&&DataTime=${time};a34004-Rtd=${value},a34004-Flag=N&&`,
      );
    const good = (qn: string) =>
      encodeFrame(
        `QN=${qn};ST=22;CN=2011;PW=123456;MN=${MN};Flag=5;CP=&&DataTime=20260101120000;a34004-Rtd=${40 + (seq++ % 50)},a34004-Flag=N&&`,
      );
    const sock = tcpConnect(hj.port, '127.0.0.1');
    await new Promise<void>((r) => sock.on('connect', () => r()));
    sock.on('data', () => {});
    // The right PW first, so it is known before the junk PWs use up this address's KDF runs.
    await new Promise<void>((r) => sock.write(good('20260101120000000'), () => r()));
    await expect
      .poll(() => hj.stats.stored + hj.stats.duplicates - storedBefore, { timeout: 30_000 })
      .toBeGreaterThan(0);
    let sent = 1;
    await fc.assert(
      fc.asyncProperty(packet, async (p) => {
        sent++;
        await new Promise<void>((r) => sock.write(encodeFrame(p), () => r()));
      }),
      { numRuns: RUNS },
    );
    // One good frame last: frames of a connection are handled in order, so once it is stored all were handled.
    const storedMid = hj.stats.stored + hj.stats.duplicates;
    await new Promise<void>((r) => sock.write(good('20260101120000001'), () => r()));
    await expect.poll(() => hj.stats.frames - framesBefore, { timeout: 30_000 }).toBe(sent + 1);
    await expect.poll(() => hj.stats.stored + hj.stats.duplicates - storedMid, { timeout: 30_000 }).toBeGreaterThan(0);
    sock.destroy();
    for (const k of Object.keys(hj.stats.dropped))
      expect(HJ212_REASONS.has(k), `${k}: ${JSON.stringify(hj.stats.dropped)}`).toBe(true);
    expect(hj.stats.dropped.internal_error ?? 0).toBe(0);
  }, 120_000);

  it('REST text fields: a bad string is a 400 validation_failed naming the field', async () => {
    const { device } = await makeDevice(t, projectId, crane('文本塔吊'));
    const e = await t.api('POST', '/api/v1/enterprises', { name: '模糊测试建设' });
    const target = fc.constantFrom(
      'project.name',
      'project.address',
      'project.patch',
      'enterprise.name',
      'device.name',
      'device.code',
      'device.patch',
      'alarm.comment',
      'alarm.by',
    );
    await fc.assert(
      fc.asyncProperty(target, badText(), async (what, bad) => {
        const project = {
          name: 'p',
          enterpriseId: e.body.id,
          regionCode: '370212',
          location: { lon: 120.47, lat: 36.1, height: 0 },
          footprint: {
            type: 'Polygon',
            coordinates: [
              [
                [120.47, 36.1],
                [120.48, 36.1],
                [120.48, 36.11],
                [120.47, 36.1],
              ],
            ],
          },
        };
        const [method, path, body, field] = {
          'project.name': ['POST', '/api/v1/projects', { ...project, name: bad }, 'name'],
          'project.address': ['POST', '/api/v1/projects', { ...project, address: bad }, 'address'],
          'project.patch': ['PATCH', `/api/v1/projects/${projectId}`, { name: bad }, 'name'],
          'enterprise.name': ['POST', '/api/v1/enterprises', { name: bad }, 'name'],
          'device.name': ['POST', `/api/v1/projects/${projectId}/devices`, { ...crane(), name: bad }, 'name'],
          'device.code': ['POST', `/api/v1/projects/${projectId}/devices`, { ...crane(), code: bad }, 'code'],
          'device.patch': ['PATCH', `/api/v1/devices/${device.id}`, { name: bad }, 'name'],
          'alarm.comment': ['POST', `/api/v1/alarms/${alarmId}/ack`, { by: 'ops', comment: bad }, 'comment'],
          'alarm.by': ['POST', `/api/v1/alarms/${alarmId}/ack`, { by: bad }, 'by'],
        }[what] as [string, string, unknown, string];
        const r = await t.api(method, path, body);
        expect([r.status, r.body?.code], `${what} ${JSON.stringify(bad)} ${JSON.stringify(r.body)}`).toEqual([
          400,
          'validation_failed',
        ]);
        expect(r.body.details.issues.map((i: { path: string }) => i.path)).toContain(field);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('REST query params: ?q=, ?bbox=, times, limits and offsets of any size never answer 5xx', async () => {
    const { device } = await makeDevice(t, projectId, crane('查询塔吊'));
    const endpoints = [
      (v: string) => `/api/v1/projects?q=${v}`,
      (v: string) => `/api/v1/projects.geojson?q=${v}`,
      (v: string) => `/api/v1/devices/${device.id}/readings?from=${v}`,
      (v: string) => `/api/v1/devices/${device.id}/readings?to=${v}&bucket=1d`,
      (v: string) => `/api/v1/devices/${device.id}/readings?limit=${v}`,
      (v: string) => `/api/v1/devices/${device.id}/readings?bucket=${v}`,
      (v: string) => `/api/v1/alarms?from=${v}`,
      (v: string) => `/api/v1/alarms?to=${v}&limit=${v}`,
      (v: string) => `/api/v1/projects/${projectId}/alarms?from=${v}`,
      (v: string) => `/api/v1/projects/${projectId}/state-at?t=${v}`,
      (v: string) => `/api/v1/projects/${projectId}/replay?from=${v}&to=1767225600000&stepMs=86400000`,
      (v: string) => `/api/v1/audit?from=${v}&actor=${v}`,
      (v: string) => `/api/v1/kpis?tier=project&id=${v}`,
    ];
    const value = fc.oneof(numberish().map(encodeURIComponent), badText().map(pct));
    await fc.assert(
      fc.asyncProperty(fc.nat(endpoints.length - 1), value, async (i, v) => {
        const path = endpoints[i]!(v);
        await expectStable(await t.api('GET', path), path);
      }),
      { numRuns: RUNS * 3 },
    );
    // Any box: in range it is answered (the whole world included), out of range it is bad_bbox, never a 5xx.
    const edge = fc.constantFrom(-180, 180, -90, 90, 0, -179.999999, 179.999999);
    const coord = fc.oneof(edge, fc.double({ min: -200, max: 200, noNaN: true }));
    await fc.assert(
      fc.asyncProperty(fc.tuple(coord, coord, coord, coord), async ([a, b, c, d]) => {
        const bbox = `${a},${b},${c},${d}`;
        const r = await t.api('GET', `/api/v1/projects?bbox=${bbox}`);
        await expectStable(r, bbox);
        const valid = a >= -180 && c <= 180 && b >= -90 && d <= 90 && a <= c && b <= d;
        expect(r.status, `${bbox} ${JSON.stringify(r.body)}`).toBe(valid ? 200 : 400);
      }),
      { numRuns: RUNS },
    );
    const world = await t.api('GET', '/api/v1/projects?bbox=-180,-90,180,90');
    expect(world.body.map((p: { id: string }) => p.id)).toContain(projectId);
  }, 120_000);

  it('bodies that claim an encoding they do not have: 4xx with a stable code', async () => {
    const encoding = fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip');
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)),
      fc.constant(Buffer.from('[{"deviceId":1}]')),
      fc.constant(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2])),
    );
    await fc.assert(
      fc.asyncProperty(
        encoding,
        bytes,
        fc.constantFrom('/api/v1/ingest', '/api/v1/projects', `/api/v1/alarms/${alarmId}/ack`),
        async (enc, body, path) => {
          const res = await fetch(`${t.url}${path}`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-encoding': enc,
              authorization: `Bearer ${craneKey}`,
            },
            body,
          });
          const text = await res.text();
          let parsed: { code?: string } | null = null;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* checked below */
          }
          await expectStable({ status: res.status, body: parsed }, `${path} ${enc}`);
        },
      ),
      { numRuns: RUNS },
    );
    expect((await t.api('GET', '/api/health')).status).toBe(200);
  }, 120_000);
});
