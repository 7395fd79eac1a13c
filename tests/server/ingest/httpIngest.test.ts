import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { LiveServerMessage } from '../../../models/protocol.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { collect, crane, envMonitor, makeDevice, makeProject, postIngest, pushedFor } from '../../helpers/telemetry.js';

let t: TestServer;
let projectId: string;
let dust: { device: { id: string }; apiKey: string };
let tc: { device: { id: string }; apiKey: string };

const rows = async (deviceId: string) =>
  (
    await t.store.db.query<{ time: number; seq: number | null; vals: Record<string, unknown> }>(
      'SELECT time, seq, vals FROM telemetry WHERE device_id = $1 ORDER BY time, seq',
      [deviceId],
    )
  ).rows;

beforeAll(async () => {
  t = await startTestServer();
  projectId = await makeProject(t);
  dust = await makeDevice(t, projectId, envMonitor());
  tc = await makeDevice(t, projectId, crane());
});
afterAll(() => t?.close());

describe('POST /api/v1/ingest', () => {
  it('stores a batch, rejects a bad reading alone with field-level reasons, pushes to /live, dedupes a retry', async () => {
    const viewer = t.live();
    const got = collect(viewer);
    expect(await viewer.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId } })).toEqual({
      ok: true,
    });
    // The snapshot comes first, with the project's devices.
    expect(got[0]?.type).toBe('snapshot');
    const snap = got[0] as Extract<LiveServerMessage, { type: 'snapshot' }>;
    expect(snap.devices.map((d) => d.id).sort()).toEqual([dust.device.id, tc.device.id].sort());

    const t0 = Date.now() - 10_000;
    const batch = [
      { deviceId: dust.device.id, time: t0, values: { pm10Ugm3: 61, pm25Ugm3: 33, noiseDb: 64.5 } },
      { deviceId: dust.device.id, time: t0 + 1000, values: { pm10Ugm3: -5, dustiness: 3 } },
      { deviceId: dust.device.id, time: t0 + 2000, values: { pm10Ugm3: 75 } },
    ];
    const r = await postIngest(t, batch, dust.apiKey);
    expect(r.status).toBe(207);
    expect(r.body).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(r.body.rejected).toHaveLength(1);
    expect(r.body.rejected[0]).toMatchObject({ index: 1, deviceId: dust.device.id, code: 'validation_failed' });
    expect(r.body.rejected[0].issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'values',
      'values.pm10Ugm3',
    ]);
    // Committed before the answer: the rows are there now.
    expect((await rows(dust.device.id)).map((x) => Number(x.time))).toEqual([t0, t0 + 2000]);

    // Pushed, coalesced into one update with the newest value and the older fields kept.
    await expect.poll(() => pushedFor(got, dust.device.id).length).toBeGreaterThan(0);
    const pushed = pushedFor(got, dust.device.id).at(-1)!;
    expect(pushed).toMatchObject({
      projectId,
      kind: 'env_monitor',
      time: t0 + 2000,
      values: { pm10Ugm3: 75, pm25Ugm3: 33, noiseDb: 64.5 },
    });
    // Every message on the wire parses with its schema.
    for (const m of got) expect(LiveServerMessage.safeParse(m).success).toBe(true);

    // A device retry: nothing new is stored, the repeats are counted.
    const retry = await postIngest(t, { readings: batch }, dust.apiKey);
    expect(retry.status).toBe(207);
    expect(retry.body).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(await rows(dust.device.id)).toHaveLength(2);
  });

  it('dedupes on seq when given, also inside one batch', async () => {
    const time = Date.now() - 5000;
    const r = await postIngest(
      t,
      [
        { deviceId: tc.device.id, seq: 1, time, values: { loadT: 2.5, radiusM: 30 } },
        { deviceId: tc.device.id, seq: 1, time: time + 100, values: { loadT: 2.6 } },
        { deviceId: tc.device.id, seq: 2, values: { slewDeg: 45 } },
      ],
      tc.apiKey,
    );
    expect(r).toMatchObject({ status: 200, body: { accepted: 2, duplicates: 1, rejected: [] } });
    const again = await postIngest(t, [{ deviceId: tc.device.id, seq: 2, values: { slewDeg: 46 } }], tc.apiKey);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
    const stored = await rows(tc.device.id);
    expect(stored.map((x) => Number(x.seq))).toEqual([1, 2]);
    expect(stored[0]!.vals).toEqual({ loadT: 2.5, radiusM: 30 });
  });

  it('checks device keys per device: a key authorises only its own device', async () => {
    const time = Date.now();
    // The crane's key cannot write for the dust monitor; a per-reading key can.
    const r = await postIngest(
      t,
      [
        { deviceId: dust.device.id, time, values: { noiseDb: 50 } },
        { deviceId: dust.device.id, time: time + 1, values: { noiseDb: 51 }, key: dust.apiKey },
        { deviceId: tc.device.id, time, values: { loadT: 1 } },
      ],
      tc.apiKey,
    );
    expect(r.status).toBe(207);
    expect(r.body.accepted).toBe(2);
    expect(r.body.rejected).toEqual([
      expect.objectContaining({ index: 0, code: 'forbidden', deviceId: dust.device.id }),
    ]);

    const none = await postIngest(t, { deviceId: dust.device.id, time, values: { noiseDb: 50 } });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({
      code: 'unauthenticated',
      accepted: 0,
      rejected: [{ index: 0, code: 'unauthenticated' }],
    });
    const unknown = await postIngest(
      t,
      [{ deviceId: '00000000-0000-4000-8000-000000000000', time, values: { noiseDb: 1 } }],
      dust.apiKey,
    );
    expect(unknown).toMatchObject({ status: 404, body: { rejected: [{ code: 'not_found' }] } });
    const badAuth = await fetch(`${t.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      body: '[]',
    });
    expect(badAuth.status).toBe(401);
  });

  it('refuses malformed batches, times from the future and more than 10k readings', async () => {
    const shape = await postIngest(
      t,
      [{ deviceId: 'x', values: 3 }, { deviceId: dust.device.id, values: { noiseDb: 40 } }, 42],
      dust.apiKey,
    );
    expect(shape.status).toBe(400);
    expect(shape.body.rejected.map((x: { index: number }) => x.index)).toEqual([0, 1, 2]);
    expect(shape.body.rejected[1].issues).toEqual([
      expect.objectContaining({ path: 'time', message: expect.stringContaining('time or seq') }),
    ]);
    const future = await postIngest(
      t,
      [{ deviceId: dust.device.id, time: Date.now() + 3_600_000, values: { noiseDb: 40 } }],
      dust.apiKey,
    );
    expect(future.body.rejected[0].issues[0].path).toBe('time');
    expect((await postIngest(t, 'hello', dust.apiKey)).body.code).toBe('bad_request');
    const big = Array.from({ length: 10_001 }, (_, i) => ({
      deviceId: dust.device.id,
      seq: i,
      values: { noiseDb: 40 },
    }));
    const tooMany = await postIngest(t, big, dust.apiKey);
    expect(tooMany).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
    // 10k is accepted in one go.
    const ok = await postIngest(t, big.slice(0, 10_000), dust.apiKey);
    expect(ok).toMatchObject({ status: 200, body: { accepted: 10_000, duplicates: 0 } });
  });
});

describe('device credentials and bad characters (issue 14)', () => {
  it('an HJ 212 PW is no device key: HTTP ingest and the Socket.IO /devices handshake refuse it', async () => {
    const env = await makeDevice(t, projectId, {
      ...envMonitor('口令监测仪'),
      hj212: { mn: 'PWONLY000000001', pw: '123456' },
    });
    const time = Date.now() - 1000;
    const perReading = await postIngest(t, [{ deviceId: env.device.id, time, values: { noiseDb: 50 }, key: '123456' }]);
    expect(perReading.status).toBe(403);
    expect(perReading.body.rejected).toEqual([expect.objectContaining({ index: 0, code: 'forbidden' })]);
    const bearer = await postIngest(t, [{ deviceId: env.device.id, time, values: { noiseDb: 50 } }], '123456');
    expect(bearer.status).toBe(403);
    // Many guesses in one request: each refused, none stored; the real key still works.
    const guesses = Array.from({ length: 200 }, (_, i) => ({
      deviceId: env.device.id,
      seq: i,
      values: { noiseDb: 50 },
      key: String(100000 + i),
    }));
    const many = await postIngest(t, guesses);
    expect(many.status).toBe(403);
    expect(many.body.rejected).toHaveLength(200);
    expect(await rows(env.device.id)).toHaveLength(0);
    expect((await postIngest(t, [{ deviceId: env.device.id, time, values: { noiseDb: 50 } }], env.apiKey)).status).toBe(
      200,
    );

    const refused = await new Promise<{ data?: { code: string } } | null>((res) => {
      const s = ioClient(`${t.url}/devices`, {
        auth: { deviceId: env.device.id, key: '123456' },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      s.on('connect', () => (s.close(), res(null)));
      s.on('connect_error', (e) => (s.close(), res(e as never)));
    });
    expect(refused?.data?.code).toBe('unauthenticated');
  });

  it('a NUL or a lone surrogate in one reading refuses that reading alone; the others of the batch are stored', async () => {
    const time = Date.now() - 20_000;
    const batch = [
      { deviceId: tc.device.id, seq: 101, time, values: { loadT: 1, operatorId: 'op-1' } },
      { deviceId: tc.device.id, seq: 102, time: time + 1, values: { loadT: 1, operatorId: 'op\u00002' } },
      { deviceId: tc.device.id, seq: 103, time: time + 2, values: { loadT: 1, operatorId: 'op-\ud8003' } },
      { deviceId: tc.device.id, seq: 104, time: time + 3, values: { loadT: 1, operatorId: 'op-4' } },
    ];
    // JSON.stringify writes a lone surrogate as \ud800 and NUL as \u0000: the escapes a device would send.
    const r = await postIngest(t, batch, tc.apiKey);
    expect(r.status, JSON.stringify(r.body)).toBe(207);
    expect(r.body).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(r.body.rejected.map((x: { index: number; code: string }) => [x.index, x.code])).toEqual([
      [1, 'validation_failed'],
      [2, 'validation_failed'],
    ]);
    expect(r.body.rejected[0].issues).toEqual([expect.objectContaining({ path: 'values.operatorId' })]);
    const seqs = (await rows(tc.device.id)).map((x) => Number(x.seq));
    expect(seqs).toEqual(expect.arrayContaining([101, 104]));
    expect(seqs).not.toContain(102);
    // A bad character in a value's name is refused alike.
    const badName = await postIngest(
      t,
      [{ deviceId: tc.device.id, seq: 105, time, values: { 'load\u0000T': 1 } }],
      tc.apiKey,
    );
    expect(badName.status).toBe(400);
    expect(badName.body.rejected[0]).toMatchObject({ index: 0, code: 'validation_failed' });
  });

  it('a body marked gzip that is not gzip is a 400', async () => {
    const res = await fetch(`${t.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${tc.apiKey}` },
      body: '[1,2,3]',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('bad_request');
  });
});
