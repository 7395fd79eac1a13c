import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeoJsonPolygon } from '../../../models/geo.js';
import { DEMO_PROJECTS, seedDemoCity } from '../../../server/demo/demoCity.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

describe('seedDemoCity', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore();
  });
  afterAll(() => t?.cleanup());

  it('seeds at least four Qingdao projects with plausible footprints, once', async () => {
    expect(await seedDemoCity(t.store)).toBe(DEMO_PROJECTS.length);
    const list = await t.store.projects.list();
    expect(list.length).toBeGreaterThanOrEqual(4);
    for (const p of list) {
      expect(GeoJsonPolygon.safeParse(p.footprint).success).toBe(true);
      // inside Qingdao's administrative area
      expect(p.location.lon).toBeGreaterThan(119.5);
      expect(p.location.lon).toBeLessThan(121.0);
      expect(p.location.lat).toBeGreaterThan(35.5);
      expect(p.location.lat).toBeLessThan(37.1);
      expect(p.regionCode).toMatch(/^3702\d\d$/);
      // site area between 0.2 and 10 hectares, computed by PostGIS on the geography
      const area = await t.store.db.query<{ a: number }>('SELECT ST_Area(footprint) AS a FROM projects WHERE id = $1', [
        p.id,
      ]);
      expect(Number(area.rows[0]!.a)).toBeGreaterThan(2_000);
      expect(Number(area.rows[0]!.a)).toBeLessThan(100_000);
    }
    // a restart adds nothing
    expect(await seedDemoCity(t.store)).toBe(0);
    expect(await t.store.projects.count()).toBe(list.length);
  });

  it('does not re-add a demo project the operator deleted', async () => {
    const [first] = await t.store.projects.list();
    await t.store.projects.delete(first!.id);
    expect(await seedDemoCity(t.store)).toBe(0);
    expect(await t.store.projects.get(first!.id)).toBeNull();
  });
});

describe("seedDemoCity on a store with the operator's own projects", () => {
  it('adds no demo data', async () => {
    const t = await openTestStore();
    try {
      const e = await t.store.enterprises.create({ name: 'Own', role: 'developer' });
      await t.store.projects.create({
        name: 'Own project',
        enterpriseId: e.id,
        address: '',
        regionCode: '110101',
        location: { lon: 116.4, lat: 39.9, height: 0 },
        footprint: {
          type: 'Polygon',
          coordinates: [
            [
              [116.4, 39.9],
              [116.401, 39.9],
              [116.401, 39.901],
              [116.4, 39.9],
            ],
          ],
        },
        status: 'planned',
        heightM: 10,
      });
      expect(await seedDemoCity(t.store)).toBe(0);
      expect(await t.store.projects.count()).toBe(1);
    } finally {
      await t.cleanup();
    }
  });
});
