import { z } from 'zod';

/** Longitude in degrees, WGS84. */
export const LonDeg = z.number().finite().min(-180).max(180);
/** Latitude in degrees, WGS84. */
export const LatDeg = z.number().finite().min(-90).max(90);

/** A point on the ellipsoid: degrees and metres above the ellipsoid. */
export const GeoPoint = z.object({
  lon: LonDeg,
  lat: LatDeg,
  height: z.number().finite().min(-500).max(9000).default(0),
});
export type GeoPoint = z.infer<typeof GeoPoint>;

const Position = z.tuple([LonDeg, LatDeg]).rest(z.number().finite());

/** A closed ring: at least 4 positions, the last equal to the first. */
const LinearRing = z
  .array(Position)
  .min(4, 'a ring needs at least 4 positions')
  .refine(
    (r) => r[0]![0] === r[r.length - 1]![0] && r[0]![1] === r[r.length - 1]![1],
    'a ring must be closed (last position = first)',
  );

/** GeoJSON Polygon (RFC 7946) in WGS84 degrees. */
export const GeoJsonPolygon = z.object({
  type: z.literal('Polygon'),
  coordinates: z.array(LinearRing).min(1),
});
export type GeoJsonPolygon = z.infer<typeof GeoJsonPolygon>;

/** A WGS84 box, west/south/east/north in degrees. */
export interface BBox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

/**
 * Parses `minLon,minLat,maxLon,maxLat`. Returns an error message instead of throwing so the caller picks the code.
 * A box that crosses the antimeridian (minLon > maxLon) is refused: ask for two boxes instead.
 */
export function parseBBox(text: string): { ok: true; bbox: BBox } | { ok: false; reason: string } {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 4 || parts.some((p) => p === ''))
    return { ok: false, reason: 'bbox needs 4 comma-separated numbers: minLon,minLat,maxLon,maxLat' };
  const n = parts.map(Number);
  if (n.some((v) => !Number.isFinite(v))) return { ok: false, reason: 'bbox values must be numbers' };
  const [minLon, minLat, maxLon, maxLat] = n as [number, number, number, number];
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90)
    return { ok: false, reason: 'bbox is outside -180..180 / -90..90' };
  if (minLon > maxLon || minLat > maxLat)
    return { ok: false, reason: 'bbox min must not exceed max (split a box that crosses the antimeridian)' };
  return { ok: true, bbox: { minLon, minLat, maxLon, maxLat } };
}

/** Mean of a polygon's outer-ring vertices (without the closing one): a cheap label anchor. */
export function ringCentroid(p: GeoJsonPolygon): { lon: number; lat: number } {
  const ring = p.coordinates[0]!;
  let lon = 0;
  let lat = 0;
  const n = ring.length - 1;
  for (let i = 0; i < n; i++) {
    lon += ring[i]![0];
    lat += ring[i]![1];
  }
  return { lon: lon / n, lat: lat / n };
}

/**
 * A rectangle of `widthM` x `depthM` metres around a point, rotated by `headingDeg` (clockwise from north), as a
 * closed GeoJSON ring. Uses a local tangent-plane approximation, fine for site-sized shapes.
 */
export function rectangleAround(
  center: { lon: number; lat: number },
  widthM: number,
  depthM: number,
  headingDeg = 0,
): GeoJsonPolygon {
  const mPerDegLat = 111_320;
  const mPerDegLon = 111_320 * Math.cos((center.lat * Math.PI) / 180);
  const h = (headingDeg * Math.PI) / 180;
  const corners: [number, number][] = [
    [-widthM / 2, -depthM / 2],
    [widthM / 2, -depthM / 2],
    [widthM / 2, depthM / 2],
    [-widthM / 2, depthM / 2],
  ];
  const ring = corners.map(([x, y]) => {
    const e = x * Math.cos(h) + y * Math.sin(h);
    const n = -x * Math.sin(h) + y * Math.cos(h);
    return [round7(center.lon + e / mPerDegLon), round7(center.lat + n / mPerDegLat)] as [number, number];
  });
  ring.push([ring[0]![0], ring[0]![1]]);
  return { type: 'Polygon', coordinates: [ring] };
}

function round7(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}
