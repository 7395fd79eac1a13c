import { describe, expect, it } from 'vitest';
import {
  applyGeoreferencePatch,
  Georeference,
  georeferenceMatrix,
  GeoreferencePatch,
} from '../../models/Georeference.js';
import {
  azimuthDeg,
  distanceM,
  ecefToGeodetic,
  enuToEcefMatrix,
  geodeticToEcef,
  geodeticToModel,
  modelToGeodetic,
  normalizeDeg180,
  transformPoint,
  WGS84_A,
  Y_UP_TO_Z_UP,
} from '../../models/geodesy.js';

const B = 6_356_752.314245; // WGS84 semi-minor axis, published value

describe('geodetic <-> ECEF', () => {
  it('matches the defining points of the ellipsoid', () => {
    expect(geodeticToEcef(0, 0, 0)).toEqual([WGS84_A, 0, 0]);
    const [x, y, z] = geodeticToEcef(90, 0, 100);
    expect(x).toBeCloseTo(0, 6);
    expect(y).toBeCloseTo(WGS84_A + 100, 6);
    expect(z).toBeCloseTo(0, 6);
    expect(geodeticToEcef(0, 90, 0)[2]).toBeCloseTo(B, 3);
    expect(geodeticToEcef(0, -90, 10)[2]).toBeCloseTo(-B - 10, 3);
  });

  it('matches the closed form at 36N 120E, where cos/sin of the longitude are exact (-1/2, sqrt3/2)', () => {
    // e2 of WGS84 as published (NIMA TR8350.2): 0.00669437999014.
    const e2 = 0.00669437999014;
    const lat = (36 * Math.PI) / 180;
    const n = WGS84_A / Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
    const [x, y, z] = geodeticToEcef(120, 36, 0);
    expect(x).toBeCloseTo(n * Math.cos(lat) * -0.5, 4);
    expect(y).toBeCloseTo(n * Math.cos(lat) * (Math.sqrt(3) / 2), 4);
    expect(z).toBeCloseTo(n * (1 - e2) * Math.sin(lat), 4);
  });

  it('round-trips to sub-millimetre everywhere, including near the poles and at altitude', () => {
    for (const [lon, lat, h] of [
      [120.4012, 36.0675, 12.3],
      [-71.03, 42.21, -30],
      [8.4367, 49.0956, 113.7],
      [179.9, -89.99, 5000],
      [0, 0, 0],
      [-45, 89.999, 2],
    ] as const) {
      const g = ecefToGeodetic(...geodeticToEcef(lon, lat, h));
      expect(distanceM(g, { lon, lat, height: h })).toBeLessThan(1e-3);
      expect(g.height).toBeCloseTo(h, 3);
    }
  });
});

describe('enuToEcefMatrix', () => {
  it('with heading 0 maps +X east, +Y north, +Z up, origin at the point', () => {
    const m = enuToEcefMatrix(0, 0, 0, 0);
    // At lon 0 lat 0: east = +Y_ecef, north = +Z_ecef, up = +X_ecef.
    expect(m.slice(0, 3).map((v) => Math.round(v * 1e12) / 1e12 + 0)).toEqual([0, 1, 0]);
    expect(m.slice(4, 7).map((v) => Math.round(v * 1e12) / 1e12 + 0)).toEqual([0, 0, 1]);
    expect(m.slice(8, 11).map((v) => Math.round(v * 1e12) / 1e12 + 0)).toEqual([1, 0, 0]);
    expect(m.slice(12)).toEqual([WGS84_A, 0, 0, 1]);
    expect([m[3], m[7], m[11]]).toEqual([0, 0, 0]);
  });

  it('turns +Y clockwise from north by the heading', () => {
    const o = { lon: 120.4012, lat: 36.0675, height: 0 };
    for (const heading of [0, 12, 90, -20, 180]) {
      const tip = modelToGeodetic({ ...o, headingDeg: heading }, 0, 100, 0);
      expect(azimuthDeg(o, tip)).toBeCloseTo(((heading % 360) + 360) % 360, 6);
      const xTip = modelToGeodetic({ ...o, headingDeg: heading }, 100, 0, 0);
      expect(normalizeDeg180(azimuthDeg(o, xTip) - 90 - heading)).toBeCloseTo(0, 6);
    }
  });

  it('is a rigid transform: orthonormal columns, distances kept, up along the ellipsoid normal', () => {
    const m = enuToEcefMatrix(120.4, 36.07, 30, 35);
    const col = (c: number) => [m[c * 4]!, m[c * 4 + 1]!, m[c * 4 + 2]!];
    const dot = (a: number[], b: number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(dot(col(i), col(j))).toBeCloseTo(i === j ? 1 : 0, 12);
    const up = modelToGeodetic({ lon: 120.4, lat: 36.07, height: 30, headingDeg: 35 }, 0, 0, 250);
    expect(up.lon).toBeCloseTo(120.4, 9);
    expect(up.lat).toBeCloseTo(36.07, 9);
    expect(up.height).toBeCloseTo(280, 6);
    const a = transformPoint(m, 10, 20, 30);
    const b = transformPoint(m, -40, 5, 0);
    expect(Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])).toBeCloseTo(Math.hypot(50, 15, 30), 9);
  });

  it('geodeticToModel inverts modelToGeodetic', () => {
    const o = { lon: -3.7, lat: 40.42, height: 650, headingDeg: -50 };
    const g = modelToGeodetic(o, 123.4, -56.7, 8.9);
    const [x, y, z] = geodeticToModel(o, g.lon, g.lat, g.height);
    expect(x).toBeCloseTo(123.4, 6);
    expect(y).toBeCloseTo(-56.7, 6);
    expect(z).toBeCloseTo(8.9, 6);
  });

  it('Y_UP_TO_Z_UP maps a Y-up vertex (x, y, z) to Z-up (x, -z, y)', () => {
    expect(transformPoint(Y_UP_TO_Z_UP, 1, 2, 3)).toEqual([1, -3, 2]);
  });
});

describe('Georeference schema and patch', () => {
  const g: Georeference = {
    lon: 120.4,
    lat: 36.07,
    height: 5,
    headingDeg: 12,
    source: 'map_conversion',
    epsg: 4549,
    warnings: ['x'],
  };

  it('accepts a well-formed value and refuses a bad one', () => {
    expect(Georeference.parse(g)).toEqual(g);
    expect(Georeference.safeParse({ ...g, lat: 91 }).success).toBe(false);
    expect(Georeference.safeParse({ ...g, source: 'guess' }).success).toBe(false);
    expect(Georeference.safeParse({ ...g, warnings: undefined }).success).toBe(false);
  });

  it('a patch needs at least one known field and makes the source manual', () => {
    expect(GeoreferencePatch.safeParse({}).success).toBe(false);
    expect(GeoreferencePatch.safeParse({ lon: 1, extra: 2 }).success).toBe(false);
    const p = GeoreferencePatch.parse({ headingDeg: 270 });
    expect(applyGeoreferencePatch(g, p)).toEqual({
      lon: 120.4,
      lat: 36.07,
      height: 5,
      headingDeg: -90,
      source: 'manual',
      epsg: 4549,
      warnings: [],
    });
  });

  it('georeferenceMatrix is the ENU matrix of the georeference', () => {
    expect(georeferenceMatrix(g)).toEqual(enuToEcefMatrix(120.4, 36.07, 5, 12));
  });
});
