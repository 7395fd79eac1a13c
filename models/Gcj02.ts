/**
 * GCJ-02 ("Mars coordinates"), the obfuscated datum that Chinese online maps (Gaode/Amap, Tencent, Google China tiles)
 * and much Chinese boundary data are published in, to and from WGS84.
 *
 * The forward transform is the widely published algorithm (eviltransform, gcoord, coordtransform: same constants,
 * results agree to 1e-9 degrees). It has no closed inverse; {@link gcj02ToWgs84} inverts by fixed-point iteration to
 * better than 1 mm (the tests bound it at 0.01 m over a grid covering China). Outside China's bounding box both are the
 * identity, as every implementation does. Pure functions: lon/lat in degrees, [lon, lat] out.
 */

/** Krasovsky 1940 semi-major axis and first eccentricity squared, as the algorithm uses them. */
const A = 6378245.0;
// eslint-disable-next-line no-loss-of-precision -- the published constant, as printed in the GCJ-02 formulas
const EE = 0.00669342162296594323;
const PI = Math.PI;

/** True inside the rough box in which the offset is applied (the algorithm's own test, not China's border). */
export function inChina(lonDeg: number, latDeg: number): boolean {
  return lonDeg >= 72.004 && lonDeg <= 137.8347 && latDeg >= 0.8293 && latDeg <= 55.8271;
}

function dLatRaw(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2) / 3;
  r += ((20 * Math.sin(y * PI) + 40 * Math.sin((y / 3) * PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * PI) + 320 * Math.sin((y * PI) / 30)) * 2) / 3;
  return r;
}

function dLonRaw(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2) / 3;
  r += ((20 * Math.sin(x * PI) + 40 * Math.sin((x / 3) * PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * PI) + 300 * Math.sin((x / 30) * PI)) * 2) / 3;
  return r;
}

/** The GCJ-02 offset (degrees) at a WGS84 point. */
function offset(lonDeg: number, latDeg: number): [number, number] {
  const x = lonDeg - 105;
  const y = latDeg - 35;
  const radLat = (latDeg / 180) * PI;
  const s = Math.sin(radLat);
  const magic = 1 - EE * s * s;
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (dLatRaw(x, y) * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * PI);
  const dLon = (dLonRaw(x, y) * 180) / ((A / sqrtMagic) * Math.cos(radLat) * PI);
  return [dLon, dLat];
}

/** WGS84 -> GCJ-02, degrees. */
export function wgs84ToGcj02(lonDeg: number, latDeg: number): [number, number] {
  if (!inChina(lonDeg, latDeg)) return [lonDeg, latDeg];
  const [dLon, dLat] = offset(lonDeg, latDeg);
  return [lonDeg + dLon, latDeg + dLat];
}

/**
 * GCJ-02 -> WGS84, degrees: iterates w <- w - (f(w) - g) from w = g. The offset changes by ~1e-5 of itself per metre,
 * so each step gains about five decimal digits; 1e-10 degrees (~0.01 mm) is reached in 2-3 steps, at most 10 are run.
 */
export function gcj02ToWgs84(lonDeg: number, latDeg: number): [number, number] {
  if (!inChina(lonDeg, latDeg)) return [lonDeg, latDeg];
  let lon = lonDeg;
  let lat = latDeg;
  for (let i = 0; i < 10; i++) {
    const [gLon, gLat] = wgs84ToGcj02(lon, lat);
    const eLon = gLon - lonDeg;
    const eLat = gLat - latDeg;
    lon -= eLon;
    lat -= eLat;
    if (Math.abs(eLon) < 1e-10 && Math.abs(eLat) < 1e-10) break;
  }
  return [lon, lat];
}
