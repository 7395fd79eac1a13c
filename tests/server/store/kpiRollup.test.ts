import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHINA_UTC_OFFSET_MIN, localDayStart } from '../../../models/localTime.js';
import type { ProjectScope } from '../../../server/store/projectScope.js';
import type { StoredReading, WriteMode } from '../../../server/store/TelemetryRepo.js';
import { openTestStore, storeKinds, type TestStore, storeProject } from '../../helpers/store.js';

/**
 * The city KPIs read from the rollups the telemetry write keeps (issue 18) must equal the raw scan of today's
 * telemetry: across Asia/Shanghai day boundaries, with late, out-of-order and repeated (device, seq) readings, on both
 * stores and both write paths.
 */
const cases = storeKinds().flatMap((kind) => (['copy', 'unnest'] as WriteMode[]).map((mode) => [kind, mode] as const));

const H = 3_600_000;
/** 2026-05-10 00:00 in Shanghai (2026-05-09T16:00Z). */
const D = localDayStart(Date.UTC(2026, 4, 10, 4));
/** Local clock time on day D (negative hours: the day before). */
const at = (h: number, m = 0) => D + h * H + m * 60_000;

describe.each(cases)('city KPI rollups (%s store, %s path)', (kind, mode) => {
  let ts: TestStore;
  let ent: string;
  let p1: string;
  let p2: string;
  const dev: Record<string, string> = {};

  beforeAll(async () => {
    ts = await openTestStore(kind);
    ts.store.telemetry.writeMode = mode;
    ent = (await ts.store.enterprises.create({ name: 'E', role: 'contractor' })).id;
    const project = (name: string, regionCode: string) => storeProject(ts.store, ent, { name, regionCode });
    p1 = await project('P1', '370202');
    p2 = await project('P2', '370212');
    const add = async (
      name: string,
      projectId: string,
      kind: 'env_monitor' | 'gate',
      params: Record<string, unknown> = {},
    ) => {
      dev[name] = (
        await ts.store.devices.create({
          projectId,
          kind,
          name,
          params,
          location: { lon: 120.4, lat: 36.1, height: 1 },
          apiKeyHash: 'x',
        })
      ).id;
    };
    await add('e1', p1, 'env_monitor', { pm10LimitUgm3: 80, noiseDayLimitDb: 70, noiseNightLimitDb: 55 });
    await add('e2', p2, 'env_monitor', { pm25LimitUgm3: 50 });
    await add('e3', p1, 'env_monitor', {}); // no dust limit: noise only, default limits
    await add('g1', p1, 'gate', { lanes: 1 });
    await add('g2', p1, 'gate', { lanes: 1 });
    await add('g3', p2, 'gate', { lanes: 1 });
  }, 300_000); // a PGlite copy opens in ~3 s on a quiet machine, a minute or more at load 40
  afterAll(() => ts?.cleanup());

  const r = (d: string, time: number, values: Record<string, unknown>, seq?: number): StoredReading => ({
    deviceId: dev[d]!,
    time,
    values,
    receivedAt: time,
    ...(seq !== undefined ? { seq } : {}),
  });
  const gate = (d: string, time: number, workerId: string, event: 'enter' | 'leave', seq?: number, trade?: string) =>
    r(d, time, { workerId, event, ...(trade ? { trade } : {}) }, seq);

  const kpis = (scope: ProjectScope, now: number, raw: boolean) =>
    ts.store.kpis.kpis(scope, now, localDayStart(now, CHINA_UTC_OFFSET_MIN), CHINA_UTC_OFFSET_MIN, { raw });
  const scopes = (): ProjectScope[] => [
    { all: true },
    { regionPrefix: '370202' },
    { enterpriseId: ent },
    { projectId: p2 },
    { projectIds: [p1] },
  ];
  /** Rollup and raw scan agree on every scope at `now`; returns the city figures. */
  async function same(now: number) {
    for (const s of scopes()) expect(await kpis(s, now, false), JSON.stringify(s)).toEqual(await kpis(s, now, true));
    return kpis({ all: true }, now, false);
  }

  it('equal the raw scan through day boundaries, late and out-of-order readings, and repeats', async () => {
    const w = ts.store.telemetry;
    // Yesterday (local) 23:30: over every limit, but not today's. Written after today's first hours (late).
    await w.write([
      r('e1', at(0, 10), { pm10Ugm3: 90, noiseDb: 50 }, 1), // 00:10, night: dust over, noise under 55
      r('e1', at(1, 5), { pm10Ugm3: 40, noiseDb: 60 }, 2), // 01:05 night: noise over
      r('e2', at(0, 20), { pm25Ugm3: 30, noiseDb: 80 }, 1), // noise over the default night limit
      gate('g1', at(7), 'W1', 'enter', 1, 'rebar'),
      gate('g1', at(7, 1), 'W3', 'enter', 2, 'formwork'),
      gate('g3', at(8), 'W4', 'enter', 1), // no trade
    ]);
    await w.write([
      r('e1', at(-1, 30), { pm10Ugm3: 200, noiseDb: 90 }, 0),
      gate('g1', at(-1), 'W2', 'enter', 0, 'rebar'), // yesterday only: not on site today
    ]);
    // Out of order: 21:30 (day, 65 < 70: under) and 22:30 (night, 60 > 55: over) before 06:30 (day, under).
    await w.write([
      r('e1', at(22, 30), { noiseDb: 60 }, 10),
      r('e1', at(21, 30), { noiseDb: 65, pm10Ugm3: 10 }, 9),
      r('e3', at(21, 59), { noiseDb: 71 }, 1), // day limit 70: over
      r('e3', at(22, 0), { noiseDb: 56 }, 2), // night 55: over
      r('e1', at(6, 30), { noiseDb: 60, temperatureC: 20 }, 5),
    ]);
    // A late reading that raises the 06:00 hour of e1 over its dust limit, arriving after later hours.
    await w.write([r('e1', at(6, 45), { pm10Ugm3: 81 }, 6)]);
    // Repeats: the same (device, seq) resent with other values must not count (dust 500 would exceed).
    await w.write([r('e1', at(6, 45), { pm10Ugm3: 500 }, 6), r('e2', at(0, 20), { pm25Ugm3: 900 }, 1)]);
    await w.write([r('e2', at(12, 0), { pm25Ugm3: 51 }, 7), r('e2', at(0, 20), { pm25Ugm3: 900 }, 1)]);
    // Gates: W1 leaves at 12:00 but the event arrives after their 13:00 re-entry as formwork (out of order);
    // W3 enters by g1 and leaves by g2 (two gates of one project); a repeat of W3's leave says 'enter'.
    await w.write([gate('g1', at(13), 'W1', 'enter', 4, 'formwork')]);
    await w.write([gate('g2', at(12), 'W1', 'leave', 1, 'rebar'), gate('g2', at(9), 'W3', 'leave', 2, 'formwork')]);
    await w.write([gate('g2', at(9), 'W3', 'enter', 2, 'formwork')]);
    // A gate event without seq, and one at the same time with a seq (the seq wins the tie).
    await w.write([gate('g3', at(10), 'W5', 'enter', undefined, 'concrete')]);
    await w.write([
      gate('g3', at(10), 'W5', 'leave', 3, 'concrete'),
      gate('g3', at(10, 5), 'W6', 'enter', 4, 'concrete'),
    ]);

    const end = at(23, 59);
    const city = await same(end);
    // Not vacuous: the figures the data above makes.
    expect(city).toMatchObject({
      dustExceedances: 3, // e1 00:00 and 06:00, e2 12:00
      dustDevicesOver: 2,
      dustDevicesWithoutLimit: 1,
      noiseExceedances: 5, // e1 01:00 and 22:00, e2 00:00, e3 21:00 and 22:00
      noiseDevicesOver: 3,
      newestEnv: at(22, 30),
      workersOnSite: 3, // W1 (formwork), W4 (unknown), W6 (concrete)
      workersByTrade: { formwork: 1, '(unknown)': 1, concrete: 1 },
      newestGate: at(13),
    });
    // Mid-day: readings after `now` exist (the current hour is partly in the future), yesterday, the next day.
    for (const now of [at(6, 40), at(9), at(12, 0), at(12, 30), at(21, 59) + 30_000, at(-1, 45), at(24, 30), at(30)])
      await same(now);
  }, 300_000);

  it('keeps equal after a gate device and its events are deleted', async () => {
    await ts.store.devices.delete(dev.g2!);
    const city = await same(at(23, 59));
    // W1's 12:00 leave and W3's leave went with g2: W1 (13:00 enter) and W3 (07:01 enter) are on site.
    expect(city.workersByTrade).toMatchObject({ formwork: 2 });
  }, 300_000);

  it('gives every scope the figures of its own query from one pass over per-project figures (the KPI push)', async () => {
    const all = [...scopes(), { regionPrefix: '3702' }, { projectIds: [p1, p2] }];
    // A crane in alarm (moment over 100 %) in p2 and open alarms in both projects: every part has figures to add up.
    const crane = (
      await ts.store.devices.create({
        projectId: p2,
        kind: 'tower_crane',
        name: 'c1',
        params: {},
        location: { lon: 120.4, lat: 36.1, height: 1 },
        apiKeyHash: 'x',
      })
    ).id;
    await ts.store.telemetry.write([
      { deviceId: crane, time: at(23, 58), values: { momentPct: 105 }, receivedAt: at(23, 58) },
    ]);
    for (const [project, device, level, time] of [
      [p2, crane, 'alarm', at(23, 58)],
      [p1, dev.e1!, 'prewarning', at(6, 45)],
    ] as const)
      await ts.store.db.query(
        `INSERT INTO alarms (id, project_id, device_id, rule, quantity, level, value, threshold, message, state, raised_at, updated_at)
         VALUES (gen_random_uuid(), $1, $2, 'r', 'q', $3, 1, 1, 'm', 'open', $4, $4)`,
        [project, device, level, time],
      );
    const city = await kpis({ all: true }, at(23, 59), false);
    expect(city).toMatchObject({ projects: 2, cranes: 1, cranesWorking: 1, cranesInAlarm: 1 });
    expect(city.alarms).toEqual({ available: true, prewarning: 1, alarm: 1, newest: at(23, 58) });
    const queries = vi.spyOn(ts.store.db, 'query');
    try {
      for (const now of [at(23, 59), at(6, 40), at(12, 30), at(24, 30)])
        for (const raw of [false, true]) {
          const day = localDayStart(now, CHINA_UTC_OFFSET_MIN);
          queries.mockClear();
          const one = await ts.store.kpis.kpis({ all: true }, now, day, CHINA_UTC_OFFSET_MIN, { raw });
          const single = queries.mock.calls.length;
          queries.mockClear();
          const many = await ts.store.kpis.kpisOfScopes(all, now, day, CHINA_UTC_OFFSET_MIN, { raw });
          // One store pass for all seven scopes: no more queries than the city's figures alone.
          expect(queries.mock.calls.length).toBeLessThanOrEqual(single);
          expect(many[0]).toEqual(one);
          for (let i = 0; i < all.length; i++)
            expect(many[i], JSON.stringify([all[i], now, raw])).toEqual(await kpis(all[i]!, now, raw));
          // Project walls only: a pass over their projects, with the same figures.
          const walls = [{ projectId: p1 }, { projectId: p2 }, { projectIds: [p2] }];
          queries.mockClear();
          const got = await ts.store.kpis.kpisOfScopes(walls, now, day, CHINA_UTC_OFFSET_MIN, { raw });
          // Every statement of that pass is narrowed to the walls' projects (their ids are a parameter of each).
          for (const [, params] of queries.mock.calls) expect(JSON.stringify(params)).toContain(p1);
          for (let i = 0; i < walls.length; i++)
            expect(got[i], JSON.stringify([walls[i], now, raw])).toEqual(await kpis(walls[i]!, now, raw));
        }
    } finally {
      queries.mockRestore();
    }
  }, 300_000);

  it('reads the rollups, not the raw telemetry, for a day they cover', async () => {
    const end = at(23, 59);
    const before = await kpis({ all: true }, end, false);
    await ts.store.db.query('DELETE FROM telemetry WHERE time >= $1 AND time < $2', [D, D + 24 * H]);
    const raw = await kpis({ all: true }, end, true);
    expect(raw.dustExceedances).toBe(0);
    expect(raw.workersOnSite).toBe(0);
    // The latest state and the rollups still say what the day's readings said.
    expect(await kpis({ all: true }, end, false)).toEqual(before);
  }, 300_000);
});
