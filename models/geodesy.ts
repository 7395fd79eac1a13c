/**
 * WGS84 geodesy for placing models on the globe: geodetic <-> ECEF and the local east-north-up frame turned by a
 * heading. Pure math, no dependencies, so the client (Cesium modelMatrix) and the server (3D Tiles root transform)
 * compute the very same matrix.
 */

/** WGS84 semi-major axis, metres. */
export const WGS84_A = 6_378_137;
/** WGS84 flattening. */
export const WGS84_F = 1 / 298.257223563;
/** WGS84 first eccentricity squared. */
export const WGS84_E2 = WGS84_F * (2 - WGS84_F);
const B = WGS84_A * (1 - WGS84_F);
const EP2 = (WGS84_A * WGS84_A - B * B) / (B * B);

const RAD = Math.PI / 180;

/** Earth-centred, earth-fixed Cartesian coordinates in metres. */
export type Ecef = [x: number, y: number, z: number];

/** Geodetic degrees and metres above the WGS84 ellipsoid to ECEF metres. */
export function geodeticToEcef(lonDeg: number, latDeg: number, height = 0): Ecef {
  const lon = lonDeg * RAD;
  const lat = latDeg * RAD;
  const sinLat = Math.sin(lat);
  const cosLat = Math.cos(lat);
  const n = WGS84_A / Math.sqrt(1 - WGS84_E2 * sinLat * sinLat);
  return [
    (n + height) * cosLat * Math.cos(lon),
    (n + height) * cosLat * Math.sin(lon),
    (n * (1 - WGS84_E2) + height) * sinLat,
  ];
}

/**
 * ECEF metres to geodetic degrees and ellipsoid height. Bowring's formula with two refinements: sub-millimetre for
 * any point between the earth's centre region and orbit heights, which is all a site needs.
 */
export function ecefToGeodetic(x: number, y: number, z: number): { lon: number; lat: number; height: number } {
  const p = Math.hypot(x, y);
  const lon = Math.atan2(y, x);
  if (p < 1e-9) {
    // On the polar axis: latitude is +-90 and the height is measured from the pole.
    return { lon: 0, lat: z >= 0 ? 90 : -90, height: Math.abs(z) - B };
  }
  let theta = Math.atan2(z * WGS84_A, p * B);
  let lat = Math.atan2(z + EP2 * B * Math.sin(theta) ** 3, p - WGS84_E2 * WGS84_A * Math.cos(theta) ** 3);
  for (let i = 0; i < 2; i++) {
    theta = Math.atan2((1 - WGS84_F) * Math.sin(lat), Math.cos(lat));
    lat = Math.atan2(z + EP2 * B * Math.sin(theta) ** 3, p - WGS84_E2 * WGS84_A * Math.cos(theta) ** 3);
  }
  const sinLat = Math.sin(lat);
  const n = WGS84_A / Math.sqrt(1 - WGS84_E2 * sinLat * sinLat);
  const cosLat = Math.cos(lat);
  // Near the poles p/cos(lat) loses precision; use the z form there.
  const height = Math.abs(cosLat) > 1e-3 ? p / cosLat - n : z / sinLat - n * (1 - WGS84_E2);
  return { lon: lon / RAD, lat: lat / RAD, height };
}

/**
 * The 4x4 column-major matrix that maps metres of a model frame to ECEF: origin at (lon, lat, height), +Z up along the
 * ellipsoid normal, and +Y pointing `headingDeg` clockwise from true north (+X then points headingDeg clockwise from
 * east). This is a 3D Tiles root `transform` or, as a Float64Array, a Cesium `Matrix4` / modelMatrix.
 */
export function enuToEcefMatrix(lonDeg: number, latDeg: number, height: number, headingDeg = 0): number[] {
  const lon = lonDeg * RAD;
  const lat = latDeg * RAD;
  const h = headingDeg * RAD;
  const sl = Math.sin(lon);
  const cl = Math.cos(lon);
  const sp = Math.sin(lat);
  const cp = Math.cos(lat);
  const east = [-sl, cl, 0];
  const north = [-sp * cl, -sp * sl, cp];
  const up = [cp * cl, cp * sl, sp];
  const ch = Math.cos(h);
  const sh = Math.sin(h);
  const x = [0, 1, 2].map((i) => ch * east[i]! - sh * north[i]!);
  const y = [0, 1, 2].map((i) => sh * east[i]! + ch * north[i]!);
  const o = geodeticToEcef(lonDeg, latDeg, height);
  return [x[0]!, x[1]!, x[2]!, 0, y[0]!, y[1]!, y[2]!, 0, up[0]!, up[1]!, up[2]!, 0, o[0], o[1], o[2], 1];
}

/** Applies a 4x4 column-major matrix to a point. */
export function transformPoint(m: readonly number[], x: number, y: number, z: number): Ecef {
  return [
    m[0]! * x + m[4]! * y + m[8]! * z + m[12]!,
    m[1]! * x + m[5]! * y + m[9]! * z + m[13]!,
    m[2]! * x + m[6]! * y + m[10]! * z + m[14]!,
  ];
}

/**
 * Where a point of the model frame lies on the globe (exact through ECEF, no flat-earth shortcut): the inverse
 * question a viewer asks when it labels a clicked element.
 */
export function modelToGeodetic(
  origin: { lon: number; lat: number; height: number; headingDeg: number },
  x: number,
  y: number,
  z: number,
): { lon: number; lat: number; height: number } {
  const m = enuToEcefMatrix(origin.lon, origin.lat, origin.height, origin.headingDeg);
  const [ex, ey, ez] = transformPoint(m, x, y, z);
  return ecefToGeodetic(ex, ey, ez);
}

/** The model-frame coordinates of a geodetic point (inverse of {@link modelToGeodetic}). */
export function geodeticToModel(
  origin: { lon: number; lat: number; height: number; headingDeg: number },
  lon: number,
  lat: number,
  height: number,
): [x: number, y: number, z: number] {
  const m = enuToEcefMatrix(origin.lon, origin.lat, origin.height, origin.headingDeg);
  const [px, py, pz] = geodeticToEcef(lon, lat, height);
  const d = [px - m[12]!, py - m[13]!, pz - m[14]!];
  // The rotation part is orthonormal: its inverse is its transpose.
  return [
    m[0]! * d[0]! + m[1]! * d[1]! + m[2]! * d[2]!,
    m[4]! * d[0]! + m[5]! * d[1]! + m[6]! * d[2]!,
    m[8]! * d[0]! + m[9]! * d[1]! + m[10]! * d[2]!,
  ];
}

/** Initial azimuth in degrees (clockwise from true north, 0..360) from one point to another, on the ellipsoid's local tangent plane. */
export function azimuthDeg(from: { lon: number; lat: number }, to: { lon: number; lat: number }): number {
  const [e, n] = geodeticToModel({ lon: from.lon, lat: from.lat, height: 0, headingDeg: 0 }, to.lon, to.lat, 0);
  return normalizeDeg360(Math.atan2(e, n) / RAD);
}

/** Surface distance in metres between two nearby points (chord through ECEF; equals the arc to 1e-9 at site scale). */
export function distanceM(
  a: { lon: number; lat: number; height?: number },
  b: { lon: number; lat: number; height?: number },
): number {
  const p = geodeticToEcef(a.lon, a.lat, a.height ?? 0);
  const q = geodeticToEcef(b.lon, b.lat, b.height ?? 0);
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

/** An angle in degrees mapped to [0, 360). */
export function normalizeDeg360(deg: number): number {
  const r = deg % 360;
  return r < 0 ? r + 360 : r;
}

/** An angle in degrees mapped to (-180, 180]: the form a heading is stored in. */
export function normalizeDeg180(deg: number): number {
  const r = normalizeDeg360(deg);
  return r > 180 ? r - 360 : r;
}

/**
 * 4x4 column-major rotation from a Y-up frame (glTF, three.js, web-ifc's output) to the Z-up frame of IFC and of
 * {@link enuToEcefMatrix}: (x, y, z) -> (x, -z, y). The same rotation 3D Tiles applies to glTF content.
 */
export const Y_UP_TO_Z_UP: readonly number[] = Object.freeze([1, 0, 0, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1]);
