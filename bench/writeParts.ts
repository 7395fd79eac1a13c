/**
 * Where the ingest write's time goes on PostgreSQL (issue 18: the city's ingest -> viewer tail). The COPY write path
 * of TelemetryRepo (BEGIN; COPY; one statement that moves `latest` and folds the KPI rollups; COMMIT) replayed on one
 * connection of a scratch database, for a city's devices (CITY_DEVICES, 10 250: 250 cranes, 6 000 dust/noise
 * monitors, 4 000 pit gauges; bench/city.ts's values) one simulated second after another, four ways in turn, each
 * on its own quarter of the devices (~2 560 readings a second, written in groups of about GROUP rows, default 2 500:
 * what the group commit takes at the city's rate):
 *  - `full`: the product's statement (latest + rollups),
 *  - `latest`: the same without the rollup CTEs,
 *  - `copy`: the COPY alone (the floor),
 *  - `unnest`: the one-statement path (TelemetryRepo's fallback after a repeat): insert, latest and rollups in SQL.
 * Per variant and step: wall time per group (p50 / p99) and the backend's CPU per reading (from /proc: other load on
 * the machine does not skew it). The hourly rollup sends a row per device whose maxima rise, so the first minutes of
 * an hour (every device's first reading of the hour, then the waves' rising halves) cost more than the rest: SECONDS
 * (default 60) simulated seconds from an hour's start, reported in two halves.
 *
 *   npx tsx bench/writeParts.ts
 *   SECONDS=120 GROUP=1000 npx tsx bench/writeParts.ts
 * Env: BENCH_DATABASE_URL (default TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { rectangleAround } from '../models/geo.js';
import { from as copyFrom } from 'pg-copy-streams';
import { openStore } from '../server/store/Store.js';
import { ROLLUP_CTES, RollupBatch, rollupSourcesFromParams } from '../server/store/kpiRollup.js';
import {
  insertAndMoveLatest,
  MOVE_LATEST,
  plainArray,
  UNNEST_SOURCE,
  type StoredReading,
} from '../server/store/TelemetryRepo.js';
import { createTestDatabase } from '../tests/helpers/childServer.js';

const BASE =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DEVICES = Number(process.env.CITY_DEVICES ?? 10_250);
const GROUP = Number(process.env.GROUP ?? 2500);
const SECONDS = Number(process.env.SECONDS ?? 60);
const VARIANTS = ['full', 'latest', 'copy', 'unnest'] as const;
type Variant = (typeof VARIANTS)[number];

// As TelemetryRepo's COPY path sends it (plainArray, one JSON array for the values).
const LATEST_SRC = `INSERT INTO latest (device_id, time, seq, received_at, vals)
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[],
           ARRAY(SELECT v FROM jsonb_array_elements($5::jsonb) WITH ORDINALITY AS e (v, n) ORDER BY n))
         ${MOVE_LATEST}`;

const cpuS = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN;

type Kind = 'tower_crane' | 'env_monitor' | 'pit_gauge';
function valuesOf(kind: Kind, hot: boolean, s: number, i: number): Record<string, unknown> {
  const w = Math.sin((s + i * 7) / 40);
  if (kind === 'tower_crane')
    return {
      loadT: 3 + 3 * Math.abs(w),
      ratedLoadT: 8,
      momentPct: 70 + 35 * w,
      radiusM: 20 + 15 * Math.abs(w),
      slewDeg: (s * 3 + i) % 360,
      windSpeedMps: 4 + Math.abs(w) * 3,
    };
  if (kind === 'env_monitor')
    return {
      pm10Ugm3: hot ? 60 + 40 * Math.abs(w) : 35 + 10 * w,
      pm25Ugm3: 25 + 5 * w,
      noiseDb: 58 + 5 * w,
      temperatureC: 12,
    };
  return { displacementMm: 8 + 3 * w, rateMmPerDay: 0.4 };
}

async function main() {
  console.log(
    `writeParts: ${DEVICES} devices, groups of ${GROUP}, ${SECONDS} s from an hour's start; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const db = await createTestDatabase(BASE);
  try {
    const store = await openStore({ databaseUrl: db.url });
    const e = await store.enterprises.create({ name: 'e', role: 'contractor' });
    const p = await store.projects.create({
      name: 'p',
      enterpriseId: e.id,
      address: 'a',
      regionCode: '370202',
      status: 'under_construction',
      heightM: 30,
      location: { lon: 120.3, lat: 36.07, height: 0 },
      footprint: rectangleAround({ lon: 120.3, lat: 36.07 }, 120, 90),
    });
    await store.close();
    const c = new pg.Client({ connectionString: db.url });
    c.on('error', () => {}); // the drop at the end ends this connection
    await c.connect();
    const devs = (
      await c.query<{ id: string; kind: Kind; i: number }>(
        `INSERT INTO devices (id, project_id, kind, name, ifc_global_id, api_key_hash, created_at, updated_at)
         SELECT gen_random_uuid(), $1, CASE WHEN i < 250 THEN 'tower_crane' WHEN (i - 250) % 5 < 3 THEN 'env_monitor' ELSE 'pit_gauge' END,
                'd' || i, 'g' || i, 'x', 0, 0
           FROM generate_series(0, $2 - 1) i
         RETURNING id, kind, substr(name, 2)::int AS i`,
        [p.id, DEVICES],
      )
    ).rows.sort((a, b) => a.i - b.i);
    const pid = (await c.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0]!.p;
    // A quarter of the devices per variant: each sees the same kinds and the same waves, and its own rows only.
    const parts = VARIANTS.map((_, v) => devs.filter((_, i) => i % VARIANTS.length === v));
    const hour0 = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    await c.query('SELECT telemetry_ensure_partition($1::bigint)', [hour0]);
    await c.query('SELECT telemetry_ensure_partition($1::bigint)', [hour0 + SECONDS * 1000]);
    const committed = VARIANTS.map(() => new Map<string, (number | null)[]>());
    type Acc = { copy: number[]; stmt: number[]; commit: number[]; total: number[]; cpu: number; rows: number };
    const fresh = (): Acc => ({ copy: [], stmt: [], commit: [], total: [], cpu: 0, rows: 0 });
    const halves = [0, 1].map(() => Object.fromEntries(VARIANTS.map((v) => [v, fresh()])) as Record<Variant, Acc>);
    for (let s = 0; s < SECONDS; s++) {
      const half = halves[s < SECONDS / 2 ? 0 : 1]!;
      for (let v = 0; v < VARIANTS.length; v++) {
        const variant = VARIANTS[v]!;
        const rows: StoredReading[] = parts[v]!.map((d) => ({
          deviceId: d.id,
          time: hour0 + s * 1000 + (d.i % 1000),
          seq: s + 1,
          receivedAt: hour0 + s * 1000,
          values: valuesOf(d.kind, d.kind === 'env_monitor' && (d.i - 250) % 20 === 0, s, d.i),
        }));
        // Groups of about GROUP rows (the variant's second split evenly).
        const per = Math.ceil(rows.length / Math.max(1, Math.round(rows.length / GROUP)));
        for (let g = 0; g < rows.length; g += per) {
          const group = rows.slice(g, g + per);
          const acc = half[variant];
          const cpu0 = cpuS(pid);
          const t0 = performance.now();
          if (variant === 'unnest') {
            // The one-statement path (no explicit transaction): insert, latest and rollups computed in SQL.
            await c.query(insertAndMoveLatest(UNNEST_SOURCE, group.length), [
              group.map((r) => r.deviceId),
              group.map((r) => r.time),
              group.map((r) => r.seq),
              group.map((r) => r.receivedAt),
              group.map((r) => JSON.stringify(r.values)),
            ]);
            const t1 = performance.now();
            acc.copy.push(0);
            acc.stmt.push(t1 - t0);
            acc.commit.push(0);
            acc.total.push(t1 - t0);
            acc.cpu += cpuS(pid) - cpu0;
            acc.rows += group.length;
            continue;
          }
          await c.query('BEGIN');
          let text = '';
          for (const r of group)
            text += `${r.deviceId}\t${r.time}\t${r.seq}\t${r.receivedAt}\t${JSON.stringify(r.values)}\n`;
          const stream = c.query(copyFrom('COPY telemetry (device_id, time, seq, received_at, vals) FROM STDIN'));
          await new Promise<void>((res, rej) => {
            stream.on('finish', res);
            stream.on('error', rej);
            stream.end(text);
          });
          const t1 = performance.now();
          const sorted = [...group].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
          const latestParams = [
            plainArray(sorted.map((r) => r.deviceId)),
            plainArray(sorted.map((r) => r.time)),
            plainArray(sorted.map((r) => r.seq ?? null)),
            plainArray(sorted.map((r) => r.receivedAt)),
            `[${sorted.map((r) => JSON.stringify(r.values)).join(',')}]`,
          ];
          const rollup = new RollupBatch(group, committed[v]!);
          if (variant === 'full')
            await c.query(`WITH moved AS (${LATEST_SRC}), ${rollupSourcesFromParams(6)}, ${ROLLUP_CTES} SELECT 1`, [
              ...latestParams,
              ...rollup.params(),
            ]);
          else if (variant === 'latest') await c.query(`WITH moved AS (${LATEST_SRC}) SELECT 1`, latestParams);
          const t2 = performance.now();
          await c.query('COMMIT');
          const t3 = performance.now();
          if (variant === 'full') rollup.committedNow();
          acc.copy.push(t1 - t0);
          acc.stmt.push(t2 - t1);
          acc.commit.push(t3 - t2);
          acc.total.push(t3 - t0);
          acc.cpu += cpuS(pid) - cpu0;
          acc.rows += group.length;
        }
      }
    }
    for (const [h, half] of halves.entries()) {
      console.log(`\n${h === 0 ? 'first' : 'second'} half (${SECONDS / 2} s)`);
      for (const v of VARIANTS) {
        const a = half[v];
        const f = (xs: number[]) => `${pct(xs, 50).toFixed(1)} / ${pct(xs, 99).toFixed(1)}`;
        console.log(
          `  ${v.padEnd(7)} per group of ~${Math.round(a.rows / a.total.length)}: copy ${f(a.copy)} ms, statement ${f(a.stmt)} ms, commit ${f(a.commit)} ms, total ${f(a.total)} ms (p50 / p99); backend CPU ${((a.cpu / a.rows) * 1e6).toFixed(1)} us per reading`,
        );
      }
    }
    await c.end();
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    await db.drop();
  }
  console.log(
    `\nload average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
