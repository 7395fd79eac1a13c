import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHINA_UTC_OFFSET_MIN, localDayStart } from '../../models/localTime.js';
import { Ingest, type IngestSource } from '../../server/ingest/Ingest.js';
import { createLogger } from '../../server/log.js';
import { hashApiKey, newApiKey } from '../../server/security/deviceSecrets.js';
import type { WriteMode } from '../../server/store/TelemetryRepo.js';
import { openTestStore, storeKinds, type TestStore, storeProject } from '../helpers/store.js';

/**
 * The KPI rollups through the one way in every transport takes (HTTP, device socket, MQTT, HJ 212 all call
 * Ingest.submit, which group-commits): concurrent submitters of several transports, repeats across submissions
 * with other values, readings out of order and across the local midnight. The rollup KPIs must equal the raw scan,
 * and the rollup tables must hold what the raw readings say.
 */
const cases = storeKinds().flatMap((kind) => (['copy', 'unnest'] as WriteMode[]).map((mode) => [kind, mode] as const));
const MIN = 60_000;

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(cases)('KPI rollups through Ingest.submit (%s store, %s path)', (kind, mode) => {
  let ts: TestStore;
  let ingest: Ingest;
  const devices: { id: string; key: string; kind: 'env_monitor' | 'gate'; projectId: string }[] = [];

  beforeAll(async () => {
    ts = await openTestStore(kind);
    ts.store.telemetry.writeMode = mode;
    ingest = new Ingest(ts.store, createLogger('silent'));
    const e = await ts.store.enterprises.create({ name: 'E', role: 'contractor' });
    for (let p = 0; p < 2; p++) {
      const loc = { lon: 120.4 + p * 0.01, lat: 36.1 };
      const project = { id: await storeProject(ts.store, e.id, { name: `P${p}`, loc }) };
      for (const k of ['env_monitor', 'env_monitor', 'gate', 'gate'] as const) {
        const key = newApiKey();
        const d = await ts.store.devices.create({
          projectId: project.id,
          kind: k,
          name: k,
          params: k === 'gate' ? { lanes: 1 } : { pm10LimitUgm3: 70, tspLimitUgm3: 200, noiseNightLimitDb: 55 },
          location: { ...loc, height: 1 },
          apiKeyHash: hashApiKey(key),
        });
        devices.push({ id: d.id, key, kind: k, projectId: project.id });
      }
    }
  }, 300_000); // a PGlite copy opens in ~3 s on a quiet machine, a minute or more at load 40
  afterAll(async () => {
    ingest?.dispose();
    await ts?.cleanup();
  }, 300_000);

  it('equal the raw scan whatever the transport, the order, the repeats and the group commits', async () => {
    const rand = rng(kind === 'server' ? 18 : 81);
    const now = Date.now();
    // Two hours back from now and across the local midnight before now (the test may run at any time of day).
    const midnight = localDayStart(now);
    const from = Math.min(now - 120 * MIN, midnight - 60 * MIN);
    const readings: { deviceId: string; key: string; seq: number; time: number; values: Record<string, unknown> }[] =
      [];
    const seqs = new Map<string, number>();
    for (let t = from; t <= now; t += MIN) {
      for (const d of devices) {
        if (d.kind === 'gate' && rand() < 0.6) continue;
        const seq = (seqs.get(d.id) ?? 0) + 1;
        seqs.set(d.id, seq);
        const time = t + Math.floor(rand() * 50_000);
        const values =
          d.kind === 'gate'
            ? {
                workerId: `W${Math.floor(rand() * 12)}`,
                event: rand() < 0.6 ? 'enter' : 'leave',
                ...(rand() < 0.8 ? { trade: ['rebar', 'formwork', 'concrete'][Math.floor(rand() * 3)] } : {}),
              }
            : rand() < 0.1
              ? { temperatureC: 20 } // no dust or noise field
              : { pm10Ugm3: Math.round(rand() * 100), tspUgm3: Math.round(rand() * 250), noiseDb: 40 + rand() * 30 };
        readings.push({ deviceId: d.id, key: d.key, seq, time, values });
      }
    }
    // Out of order: shuffled, then cut into submissions; a third of them resend earlier readings with other values.
    for (let i = readings.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [readings[i], readings[j]] = [readings[j]!, readings[i]!];
    }
    const batches: (typeof readings)[] = [];
    for (let i = 0; i < readings.length; i += 25) {
      const batch = readings.slice(i, i + 25);
      if (i > 0 && rand() < 0.33)
        for (const r of readings.slice(Math.max(0, i - 40), i - 30))
          batch.push({
            ...r,
            values: 'workerId' in r.values ? { ...r.values, event: 'enter' } : { pm10Ugm3: 999, noiseDb: 120 },
          });
      batches.push(batch);
    }
    const sources: ((b: typeof readings) => [unknown[], IngestSource])[] = [
      (b) => [b, { transport: 'http' }],
      (b) => [b, { transport: 'socket' }],
      // MQTT: one device's channel, its key on the connection.
      (b) => [b.map(({ key: _k, ...r }) => r), { transport: 'mqtt', deviceKey: b[0]!.key }],
      // HJ 212: the transport authenticated the device (MN + PW).
      (b) => [b.map(({ key: _k, ...r }) => r), { transport: 'hj212', deviceId: b[0]!.deviceId }],
    ];
    let accepted = 0;
    let next = 0;
    await Promise.all(
      sources.map(async (source, s) => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          // MQTT and HJ 212 carry one device per channel: their share of the batch is split per device.
          const byDevice = new Map<string, typeof readings>();
          for (const r of batch) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);
          const parts = s < 2 ? [batch] : [...byDevice.values()];
          for (const part of parts) {
            const res = await ingest.submit(...source(part));
            expect(res.rejected).toEqual([]);
            accepted += res.accepted;
          }
        }
      }),
    );
    expect(accepted).toBe(readings.length);

    const kpis = (at: number, raw: boolean) =>
      ts.store.kpis.kpis({ all: true }, at, localDayStart(at), CHINA_UTC_OFFSET_MIN, { raw });
    for (const at of [now, midnight - 1, midnight + 7 * MIN, now - 17 * MIN, now - 61 * MIN]) {
      const rolled = await kpis(at, false);
      expect(rolled, new Date(at).toISOString()).toEqual(await kpis(at, true));
    }
    // The rollups hold what the raw readings say: the day's running counts are today's workers on site.
    const onSite = (
      await ts.store.db.query<{ n: number }>(
        'SELECT coalesce(sum(n), 0)::int AS n FROM gate_on_site WHERE day_start = $1',
        [midnight],
      )
    ).rows[0]!.n;
    // Readings run up to 50 s past `now`: the raw count at the day's last instant.
    expect(onSite).toBe((await kpis(midnight + 24 * 60 * MIN - 1, true)).workersOnSite);
    // Every (device, hour) maxima equal those of the stored readings (whichever copy of a repeat was stored).
    const f = (x: string) =>
      `max(CASE WHEN jsonb_typeof(vals -> '${x}') = 'number' THEN (vals ->> '${x}')::float8 END)`;
    const diff = await ts.store.db.query<{ n: number; rows: number }>(
      `WITH r AS (
         SELECT device_id, time / 3600000 AS hour, ${f('pm10Ugm3')} AS pm10, ${f('pm25Ugm3')} AS pm25, ${f('tspUgm3')} AS tsp, ${f('noiseDb')} AS noise
           FROM telemetry WHERE vals ?| ARRAY['pm10Ugm3', 'pm25Ugm3', 'tspUgm3', 'noiseDb'] GROUP BY 1, 2)
       SELECT count(*) FILTER (WHERE r.device_id IS NULL OR h.device_id IS NULL OR r.pm10 IS DISTINCT FROM h.pm10
                 OR r.pm25 IS DISTINCT FROM h.pm25 OR r.tsp IS DISTINCT FROM h.tsp OR r.noise IS DISTINCT FROM h.noise)::int AS n,
              count(*)::int AS rows
         FROM r FULL JOIN telemetry_hourly h ON h.device_id = r.device_id AND h.hour = r.hour`,
    );
    expect(diff.rows[0]!.rows).toBeGreaterThan(8);
    expect(diff.rows[0]!.n).toBe(0);
  }, 300_000);
});
