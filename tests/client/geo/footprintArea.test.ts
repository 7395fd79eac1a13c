import { describe, expect, it } from 'vitest';
import { footprintAreaM2, metresPerDegree } from '../../../client/geo/footprintArea.js';
import { rectangleAround, type GeoJsonPolygon } from '../../../models/geo.js';

const R = 6_371_008.8; // mean Earth radius, for the spherical reference formula

describe('footprintAreaM2', () => {
  it('matches the width x depth of rotated site rectangles within 0.5 %', () => {
    for (const [w, d, hdg] of [
      [95, 70, 12],
      [260, 150, 0],
      [120, 60, 35],
    ] as const) {
      const a = footprintAreaM2(rectangleAround({ lon: 120.4, lat: 36.07 }, w, d, hdg));
      // rectangleAround uses 111.32 km/deg for both axes, so it is itself off by a few tenths of a percent.
      expect(Math.abs(a - w * d) / (w * d)).toBeLessThan(0.005);
    }
  });

  it('agrees with the exact spherical area of a 0.02 deg box within 0.5 %', () => {
    const [w, s, e, n] = [120.38, 36.12, 120.4, 36.14];
    const box: GeoJsonPolygon = {
      type: 'Polygon',
      coordinates: [
        [
          [w, s],
          [e, s],
          [e, n],
          [w, n],
          [w, s],
        ],
      ],
    };
    const exact = R * R * (((e - w) * Math.PI) / 180) * (Math.sin((n * Math.PI) / 180) - Math.sin((s * Math.PI) / 180));
    expect(Math.abs(footprintAreaM2(box) - exact) / exact).toBeLessThan(0.005);
  });

  it('subtracts holes and ignores ring orientation', () => {
    const outer = rectangleAround({ lon: 120.4, lat: 36.07 }, 100, 100).coordinates[0]!;
    const hole = rectangleAround({ lon: 120.4, lat: 36.07 }, 50, 50).coordinates[0]!;
    const withHole = footprintAreaM2({ type: 'Polygon', coordinates: [outer, [...hole].reverse()] });
    const plain = footprintAreaM2({ type: 'Polygon', coordinates: [[...outer].reverse()] });
    expect(withHole / plain).toBeCloseTo(0.75, 3);
  });

  it('uses WGS84 radii: a degree of latitude is longer at the pole than at the equator', () => {
    expect(metresPerDegree(0).lat).toBeCloseTo(110_574, -1);
    expect(metresPerDegree(90).lat).toBeCloseTo(111_694, -1);
    expect(metresPerDegree(0).lon).toBeCloseTo(111_320, -1);
  });
});
