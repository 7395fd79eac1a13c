import type { GeoJsonPolygon } from '../../models/geo.js';

const A = 6_378_137; // WGS84 semi-major axis, m
const E2 = 0.006_694_379_990_14; // WGS84 first eccentricity squared
const DEG = Math.PI / 180;

/** Metres per degree of latitude and of longitude at a latitude, from the WGS84 radii of curvature. */
export function metresPerDegree(latDeg: number): { lat: number; lon: number } {
  const s = Math.sin(latDeg * DEG);
  const w = 1 - E2 * s * s;
  const m = (A * (1 - E2)) / (w * Math.sqrt(w)); // meridional radius
  const n = A / Math.sqrt(w); // prime-vertical radius
  return { lat: m * DEG, lon: n * Math.cos(latDeg * DEG) * DEG };
}

function ringArea(
  ring: readonly (readonly number[])[],
  lon0: number,
  lat0: number,
  k: { lat: number; lon: number },
): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const x1 = (ring[i]![0]! - lon0) * k.lon;
    const y1 = (ring[i]![1]! - lat0) * k.lat;
    const x2 = (ring[i + 1]![0]! - lon0) * k.lon;
    const y2 = (ring[i + 1]![1]! - lat0) * k.lat;
    sum += x1 * y2 - x2 * y1;
  }
  return Math.abs(sum) / 2;
}

/**
 * Area of a site footprint in m²: outer ring minus holes, on a tangent plane with the WGS84 radii at the ring's mean
 * latitude. Good to well under 0.1 % for site-sized shapes (a few km); not meant for a province.
 */
export function footprintAreaM2(p: GeoJsonPolygon): number {
  const outer = p.coordinates[0];
  if (!outer || outer.length < 4) return 0;
  const lon0 = outer[0]![0];
  const lat0 = outer[0]![1];
  let latSum = 0;
  for (let i = 0; i + 1 < outer.length; i++) latSum += outer[i]![1];
  const k = metresPerDegree(latSum / (outer.length - 1));
  let area = ringArea(outer, lon0, lat0, k);
  for (const hole of p.coordinates.slice(1)) area -= ringArea(hole, lon0, lat0, k);
  return Math.max(0, area);
}
