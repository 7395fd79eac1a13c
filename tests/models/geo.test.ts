import { describe, expect, it } from 'vitest';
import { GeoJsonPolygon, parseBBox, rectangleAround, ringCentroid } from '../../models/geo.js';

describe('parseBBox', () => {
  it('reads a valid box', () => {
    expect(parseBBox('120.1, 35.9,120.5,36.4')).toEqual({
      ok: true,
      bbox: { minLon: 120.1, minLat: 35.9, maxLon: 120.5, maxLat: 36.4 },
    });
  });
  it.each([
    ['', 'needs 4'],
    ['1,2,3', 'needs 4'],
    ['1,2,3,4,5', 'needs 4'],
    ['1,,3,4', 'needs 4'],
    ['a,2,3,4', 'must be numbers'],
    ['-181,0,0,1', 'outside'],
    ['0,-91,1,1', 'outside'],
    ['10,0,5,1', 'must not exceed'],
    ['0,10,1,5', 'must not exceed'],
  ])('refuses %j', (text, reason) => {
    const r = parseBBox(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

describe('rectangleAround', () => {
  const c = { lon: 120.4, lat: 36.07 };
  const metres = (a: number[], b: number[]) => {
    const dx = (b[0]! - a[0]!) * 111_320 * Math.cos((c.lat * Math.PI) / 180);
    const dy = (b[1]! - a[1]!) * 111_320;
    return Math.hypot(dx, dy);
  };
  it('makes a closed, valid ring of the asked size', () => {
    const p = rectangleAround(c, 100, 60, 0);
    expect(GeoJsonPolygon.safeParse(p).success).toBe(true);
    const r = p.coordinates[0]!;
    expect(r).toHaveLength(5);
    expect(metres(r[0]!, r[1]!)).toBeCloseTo(100, 0);
    expect(metres(r[1]!, r[2]!)).toBeCloseTo(60, 0);
    const mid = ringCentroid(p);
    expect(mid.lon).toBeCloseTo(c.lon, 6);
    expect(mid.lat).toBeCloseTo(c.lat, 6);
  });
  it('keeps its size when rotated, and turns clockwise from north', () => {
    const p = rectangleAround(c, 100, 60, 90);
    const r = p.coordinates[0]!;
    expect(metres(r[0]!, r[1]!)).toBeCloseTo(100, 0);
    // the first edge runs west->east at heading 0; at heading 90 it runs north->south
    expect(r[1]![1]).toBeLessThan(r[0]![1]!);
    expect(Math.abs(r[1]![0]! - r[0]![0]!)).toBeLessThan(1e-6);
  });
});

describe('GeoJsonPolygon', () => {
  it('refuses an open ring and out-of-range positions', () => {
    expect(
      GeoJsonPolygon.safeParse({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
        ],
      }).success,
    ).toBe(false);
    expect(
      GeoJsonPolygon.safeParse({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [200, 1],
            [0, 0],
          ],
        ],
      }).success,
    ).toBe(false);
    expect(
      GeoJsonPolygon.safeParse({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      }).success,
    ).toBe(true);
  });
});
