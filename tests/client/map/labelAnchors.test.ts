import { describe, expect, it } from 'vitest';
import { insidePolygon, interiorPoints, largestPolygon } from '../../../client/map/labelAnchors.js';

// An L-shaped district (1 x 1 degree arms, 0.2 thick would be too thin; these are 1 wide): its centroid-ish point
// (1, 1) lies in the notch, outside the outline, which is why labels need interior points.
const L = [
  [
    [0, 0],
    [3, 0],
    [3, 1],
    [1, 1],
    [1, 3],
    [0, 3],
    [0, 0],
  ],
];
const square = (x: number, y: number, s: number) => [
  [
    [x, y],
    [x + s, y],
    [x + s, y + s],
    [x, y + s],
    [x, y],
  ],
];

describe('interiorPoints', () => {
  it('returns points inside the outline, the deepest first, spread apart over both arms', () => {
    const pts = interiorPoints(L, 4);
    expect(pts.length).toBeGreaterThanOrEqual(3);
    for (const p of pts) expect(insidePolygon(L, p.lon, p.lat)).toBe(true);
    for (let i = 1; i < pts.length; i++) expect(pts[i]!.depth).toBeLessThanOrEqual(pts[0]!.depth);
    for (let i = 0; i < pts.length; i++)
      for (let j = i + 1; j < pts.length; j++)
        expect(Math.hypot(pts[i]!.lon - pts[j]!.lon, pts[i]!.lat - pts[j]!.lat)).toBeGreaterThan(0.3);
    // Both arms of the L get a point.
    expect(pts.some((p) => p.lon > 1.5)).toBe(true);
    expect(pts.some((p) => p.lat > 1.5)).toBe(true);
  });

  it('finds the pole of a square (at the equator, where a degree is a degree both ways) near its centre', () => {
    const [pole] = interiorPoints(square(120, -0.1, 0.2), 1);
    expect(Math.abs(pole!.lon - 120.1)).toBeLessThan(0.01);
    expect(Math.abs(pole!.lat)).toBeLessThan(0.01);
  });

  it('keeps out of holes', () => {
    const ring = [...square(0, 0, 4), ...square(1, 1, 2).map((r) => [...r].reverse())];
    const pts = interiorPoints(ring, 5);
    expect(pts.length).toBeGreaterThan(0);
    for (const p of pts) expect(p.lon > 1 && p.lon < 3 && p.lat > 1 && p.lat < 3).toBe(false);
  });

  it('gives nothing for a degenerate outline', () => {
    expect(interiorPoints([], 3)).toEqual([]);
    expect(
      interiorPoints(
        [
          [
            [0, 0],
            [1, 1],
          ],
        ],
        3,
      ),
    ).toEqual([]);
  });
});

describe('largestPolygon', () => {
  it('picks the mainland of a district with islands', () => {
    const island = square(5, 5, 0.1);
    const main = square(0, 0, 1);
    expect(largestPolygon([island, main, square(7, 7, 0.2)])).toBe(main);
  });
});
