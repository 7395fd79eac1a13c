import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import { DuplicateError, ReferenceError_ } from '../../../server/store/errors.js';
import { loadMigrations, migrate } from '../../../server/store/migrate.js';
import { openTestStore, storeKinds, type TestStore } from '../../helpers/store.js';

// The same suite runs against the embedded driver and, when TEST_DATABASE_URL is set, real PostgreSQL + PostGIS.
describe.each(storeKinds())('store (%s)', (kind) => {
  let t: TestStore;
  let enterpriseId: string;
  beforeAll(async () => {
    t = await openTestStore(kind);
    enterpriseId = (await t.store.enterprises.create({ name: `E-${kind}`, role: 'contractor' })).id;
  });
  afterAll(() => t?.cleanup());

  const make = (name: string, lon: number, lat: number, size = 100) => ({
    name,
    enterpriseId,
    address: `${name} 路`,
    regionCode: '370202',
    location: { lon, lat, height: 5.5 },
    footprint: rectangleAround({ lon, lat }, size, size),
    status: 'under_construction' as const,
    heightM: 40,
  });

  it('reports its kind and PostGIS version', async () => {
    expect(t.store.kind).toBe(kind);
    const v = await t.store.versions();
    expect(v.postgis).toMatch(/^3\.\d/);
    expect(Number(v.postgres.split('.')[0])).toBeGreaterThanOrEqual(15);
  });

  it('has applied every migration once, and migrating again applies nothing', async () => {
    const rows = (await t.store.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'))
      .rows;
    expect(rows.map((r) => Number(r.version))).toEqual(loadMigrations().map((m) => m.version));
    expect(await migrate(t.store.db)).toEqual([]);
  });

  it('stores geography and round-trips location and footprint', async () => {
    const p = await t.store.projects.create(make('RoundTrip', 120.40123456, 36.0712345));
    expect(p.location).toEqual({ lon: 120.40123456, lat: 36.0712345, height: 5.5 });
    expect(p.footprint).toEqual(make('x', 120.40123456, 36.0712345).footprint);
    const types = await t.store.db.query<{ t: string }>(
      "SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'projects'::regclass AND attname IN ('location', 'footprint') ORDER BY attname",
    );
    expect(types.rows.map((r) => r.t)).toEqual(['geography(Polygon,4326)', 'geography(PointZ,4326)']);
  });

  it('filters by bbox in PostGIS, by text, and by both', async () => {
    const near = await t.store.projects.create(make('Near 海景', 121.0, 37.0));
    const far = await t.store.projects.create(make('Far 海景', 122.0, 38.0));
    const ids = async (q: Parameters<typeof t.store.projects.list>[0]) =>
      (await t.store.projects.list(q)).map((p) => p.id);
    expect(await ids({ bbox: { minLon: 120.99, minLat: 36.99, maxLon: 121.01, maxLat: 37.01 } })).toEqual([near.id]);
    expect(await ids({ bbox: { minLon: 0, minLat: 0, maxLon: 1, maxLat: 1 } })).toEqual([]);
    expect(await ids({ q: '海景' })).toEqual([far.id, near.id]);
    expect(await ids({ q: '海景', bbox: { minLon: 121.5, minLat: 37.5, maxLon: 122.5, maxLat: 38.5 } })).toEqual([
      far.id,
    ]);
    // LIKE wildcards in the user's text are literal
    expect(await ids({ q: '%' })).toEqual([]);
  });

  it('updates only the named fields and reports a missing row as null', async () => {
    const p = await t.store.projects.create(make('Patchable', 121.5, 37.5));
    const u = await t.store.projects.update(p.id, { heightM: 99, location: { lon: 121.6, lat: 37.6, height: 0 } });
    expect(u).toMatchObject({ heightM: 99, name: 'Patchable', location: { lon: 121.6, lat: 37.6, height: 0 } });
    expect(await t.store.projects.update('00000000-0000-4000-8000-000000000000', { name: 'x' })).toBeNull();
    expect(await t.store.projects.delete(p.id)).toBe(true);
    expect(await t.store.projects.delete(p.id)).toBe(false);
  });

  it('maps constraint violations to store errors', async () => {
    await expect(t.store.enterprises.create({ name: `E-${kind}`, role: 'contractor' })).rejects.toBeInstanceOf(
      DuplicateError,
    );
    await expect(
      t.store.projects.create({ ...make('Orphan', 1, 1), enterpriseId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toBeInstanceOf(ReferenceError_);
  });
});
