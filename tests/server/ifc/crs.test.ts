import proj4 from 'proj4';
import { describe, expect, it } from 'vitest';
import {
  cgcs2000ThreeDegreeEpsg,
  crsDefinition,
  identifyCrs,
  parseEpsg,
  projectedToWgs84,
  supportedEpsgCodes,
  wgs84ToProjected,
} from '../../../server/ifc/pipeline/crs.js';

/**
 * Transverse Mercator by Krüger's n-series (Karney 2011, to n^4), written here independently of proj4 as the
 * reference for the Gauss-Kruger and UTM families. Millimetre-accurate within a few degrees of the central meridian.
 */
function kruger(
  lon: number,
  lat: number,
  lon0: number,
  k0: number,
  x0: number,
  y0: number,
  a = 6_378_137,
  f = 1 / 298.257222101,
) {
  const n = f / (2 - f);
  const A = (a / (1 + n)) * (1 + n ** 2 / 4 + n ** 4 / 64);
  const alpha = [
    n / 2 - (2 * n ** 2) / 3 + (5 * n ** 3) / 16 + (41 * n ** 4) / 180,
    (13 * n ** 2) / 48 - (3 * n ** 3) / 5 + (557 * n ** 4) / 1440,
    (61 * n ** 3) / 240 - (103 * n ** 4) / 140,
    (49561 * n ** 4) / 161280,
  ];
  const phi = (lat * Math.PI) / 180;
  const dl = ((lon - lon0) * Math.PI) / 180;
  const c = (2 * Math.sqrt(n)) / (1 + n);
  const t = Math.sinh(Math.atanh(Math.sin(phi)) - c * Math.atanh(c * Math.sin(phi)));
  const xi = Math.atan2(t, Math.cos(dl));
  const eta = Math.atanh(Math.sin(dl) / Math.sqrt(1 + t * t));
  let e = eta;
  let nn = xi;
  alpha.forEach((al, i) => {
    const j = 2 * (i + 1);
    e += al * Math.cos(j * xi) * Math.sinh(j * eta);
    nn += al * Math.sin(j * xi) * Math.cosh(j * eta);
  });
  return { easting: x0 + k0 * A * e, northing: y0 + k0 * A * nn };
}

const dms = (d: number, m: number, s: number) => d + m / 60 + s / 3600;

/** A geographic CRS on the same ellipsoid and datum shift as a projected one, so a test can check the projection alone. */
function sameDatumGeographic(code: number): string {
  const p = crsDefinition(code)!.proj4;
  return `+proj=longlat ${p.match(/\+(datum|ellps|towgs84)=\S+/g)!.join(' ')} +no_defs`;
}

describe('CGCS2000 Gauss-Kruger zones', () => {
  const qingdao = [
    [120.4012, 36.0675],
    [120.4682, 36.1121],
    [120.2152, 35.9655],
    [121.2, 37.1],
  ] as const;

  it('EPSG:4549 (3-degree CM 120E) and 4528 (zone 40, prefixed) match the Krüger series to 1 cm', () => {
    for (const [lon, lat] of qingdao) {
      const ref = kruger(lon, lat, 120, 1, 500_000, 0);
      const p = wgs84ToProjected(4549, lon, lat);
      expect(Math.abs(p.easting - ref.easting)).toBeLessThan(0.01);
      expect(Math.abs(p.northing - ref.northing)).toBeLessThan(0.01);
      const z = wgs84ToProjected(4528, lon, lat);
      expect(z.easting - p.easting).toBeCloseTo(40_000_000, 3);
      expect(z.northing).toBeCloseTo(p.northing, 3);
    }
  });

  it('EPSG:4510 (6-degree CM 123E) and 4499 (zone 21, prefixed) match the Krüger series to 1 cm', () => {
    for (const [lon, lat] of qingdao) {
      const ref = kruger(lon, lat, 123, 1, 500_000, 0);
      const p = wgs84ToProjected(4510, lon, lat);
      expect(Math.abs(p.easting - ref.easting)).toBeLessThan(0.01);
      expect(Math.abs(p.northing - ref.northing)).toBeLessThan(0.01);
      expect(wgs84ToProjected(4499, lon, lat).easting - p.easting).toBeCloseTo(21_000_000, 3);
    }
  });

  it('every zone family member has its central meridian at the false easting, and inverts', () => {
    let checked = 0;
    for (const code of supportedEpsgCodes()) {
      const def = crsDefinition(code)!;
      if (def.centralMeridian === undefined) continue;
      const lat = code >= 32701 && code <= 32760 ? -30 : 40;
      // In the CRS's own datum, so that a datum shift (DHDN) does not move the meridian.
      const [e] = proj4(sameDatumGeographic(code), def.proj4, [def.centralMeridian, lat]) as [number, number];
      expect(e % 1_000_000, `EPSG:${code}`).toBeCloseTo(500_000, 2);
      const p = wgs84ToProjected(code, def.centralMeridian, lat);
      const back = projectedToWgs84(code, p.easting + 1234.5, p.northing - 987.6);
      const again = wgs84ToProjected(code, back.lon, back.lat);
      expect(again.easting - p.easting, `EPSG:${code}`).toBeCloseTo(1234.5, 2); // datum-shift round trips cost ~1 mm
      checked++;
    }
    // 21+21 3-degree, 11+11 6-degree, 60+60 UTM, 11 ETRS89, 4 DHDN, 2 IGM95
    expect(checked).toBe(201);
  });

  it('picks the 3-degree zone of a longitude', () => {
    expect(cgcs2000ThreeDegreeEpsg(120.4)).toBe(4549);
    expect(cgcs2000ThreeDegreeEpsg(116.4)).toBe(4548); // Beijing: zone 39, CM 117E
    expect(cgcs2000ThreeDegreeEpsg(121.6)).toBe(4550); // zone 41 starts at 121.5E
    expect(cgcs2000ThreeDegreeEpsg(121.4999)).toBe(4549);
    expect(() => cgcs2000ThreeDegreeEpsg(10)).toThrow(RangeError);
  });
});

describe('UTM and the European grids', () => {
  it('ETRS89 / UTM 32N gives the place buildingSMART states for its georeferencing sample (IfcSite and IfcMapConversion)', () => {
    const g = projectedToWgs84(25832, 458657.3, 5438232.25);
    expect(g.lat).toBeCloseTo(dms(49, 5, 43.9837), 6);
    expect(g.lon).toBeCloseTo(dms(8, 26, 1.2473), 6);
  });

  it('WGS 84 UTM north and south match the Krüger series (k0 0.9996)', () => {
    const n = wgs84ToProjected(32651, 120.4012, 36.0675);
    const refN = kruger(120.4012, 36.0675, 123, 0.9996, 500_000, 0, 6_378_137, 1 / 298.257223563);
    expect(Math.abs(n.easting - refN.easting)).toBeLessThan(0.01);
    expect(Math.abs(n.northing - refN.northing)).toBeLessThan(0.01);
    const s = wgs84ToProjected(32756, 151.2093, -33.8688);
    const refS = kruger(151.2093, -33.8688, 153, 0.9996, 500_000, 10_000_000, 6_378_137, 1 / 298.257223563);
    expect(Math.abs(s.easting - refS.easting)).toBeLessThan(0.01);
    expect(Math.abs(s.northing - refS.northing)).toBeLessThan(0.01);
  });

  it('EPSG:27700 reproduces the Ordnance Survey worked example (OSGB36 52°39\'27.2531"N 1°43\'4.5177"E)', () => {
    const [e, n] = proj4(sameDatumGeographic(27700), crsDefinition(27700)!.proj4, [
      dms(1, 43, 4.5177),
      dms(52, 39, 27.2531),
    ]) as [number, number];
    expect(e).toBeCloseTo(651409.903, 2);
    expect(n).toBeCloseTo(313177.27, 2);
  });

  it('EPSG:2056 and 28992 put their projection centres (Bern, Amersfoort) at the false origin', () => {
    const [e1, n1] = proj4(sameDatumGeographic(2056), crsDefinition(2056)!.proj4, [
      dms(7, 26, 22.5),
      dms(46, 57, 8.66),
    ]) as [number, number];
    expect(e1).toBeCloseTo(2_600_000, -1);
    expect(n1).toBeCloseTo(1_200_000, -1);
    const [e2, n2] = proj4(sameDatumGeographic(28992), crsDefinition(28992)!.proj4, [
      dms(5, 23, 15.5),
      dms(52, 9, 22.178),
    ]) as [number, number];
    expect(e2).toBeCloseTo(155_000, 0);
    expect(n2).toBeCloseTo(463_000, 0);
  });

  it('EPSG:3857 reaches the published half-circumference at 180°E', () => {
    expect(wgs84ToProjected(3857, 180, 0).easting).toBeCloseTo(20_037_508.342789244, 4);
    expect(wgs84ToProjected(3857, 0, 85.0511287798).northing).toBeCloseTo(20_037_508.34, 0);
  });

  it('EPSG:3065 is IGM95 / UTM 33N: 15°E on the equator is the false easting, 500 km west is near 10.5°E', () => {
    expect(wgs84ToProjected(3065, 15, 0).easting).toBeCloseTo(500_000, 3);
    expect(projectedToWgs84(3065, 0, 0).lon).toBeCloseTo(10.5113, 3);
  });

  it('refuses a code it does not know with a RangeError that says what to do', () => {
    expect(() => projectedToWgs84(9999, 0, 0)).toThrow(/supportedEpsgCodes/);
  });
});

describe('identifying an IfcProjectedCRS', () => {
  it('reads EPSG codes from the usual spellings', () => {
    expect(parseEpsg('EPSG:4549')).toBe(4549);
    expect(parseEpsg('epsg 25832')).toBe(25832);
    expect(parseEpsg('urn:ogc:def:crs:EPSG::28992')).toBe(28992);
    expect(parseEpsg('4326')).toBe(4326);
    expect(parseEpsg('UTM in band 32')).toBeUndefined();
    expect(parseEpsg(undefined)).toBeUndefined();
  });

  it('falls back to EPSG names and to datum + projection + zone', () => {
    expect(identifyCrs({ name: 'CGCS2000 / 3-degree Gauss-Kruger CM 120E' })).toBe(4549);
    expect(
      identifyCrs({ name: 'UTM in band 32', geodeticDatum: 'ETRS89', mapProjection: 'UTM', mapZone: 'UTM32' }),
    ).toBe(25832);
    expect(identifyCrs({ name: 'site grid', geodeticDatum: 'WGS84', mapProjection: 'UTM', mapZone: '56S' })).toBe(
      32756,
    );
    expect(
      identifyCrs({ name: 'local', geodeticDatum: 'Xian 1980', mapProjection: 'GK', mapZone: '40' }),
    ).toBeUndefined();
  });
});
