import { describe, expect, it } from 'vitest';
import { CLIP_MARGIN_M, grownRing } from '../../../client/map/ContextClipping.js';
import { rectangleAround, type GeoJsonPolygon } from '../../../models/geo.js';

// The city context (CONTEXT_TILESET_URL) is cut away inside every project's footprint grown by CLIP_MARGIN_M, so a
// BIM model is never buried in the mesh of what stood there. Here: the grown ring is a true buffer (every edge of the
// footprint moved out by the margin, not less), and holds the whole footprint with the margin to spare.
const M_LAT = 111_320;
const LAT0 = 36.0675;
const kx = M_LAT * Math.cos((LAT0 * Math.PI) / 180);
const toM = ([lon, lat]: readonly number[]): [number, number] => [(lon! - 120.4) * kx, (lat! - LAT0) * M_LAT];

function distToSegment(p: [number, number], a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}
function inside(p: [number, number], ring: [number, number][]): boolean {
  let inn = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inn = !inn;
  }
  return inn;
}
/** Distance from p to the ring's boundary (m). */
const distToRing = (p: [number, number], ring: [number, number][]) =>
  Math.min(...ring.map((a, i) => distToSegment(p, a, ring[(i + 1) % ring.length]!)));

/** Points along every edge of the footprint (corners and 9 between). */
function edgePoints(fp: GeoJsonPolygon): [number, number][] {
  const r = fp.coordinates[0]!.map(toM);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < r.length; i++)
    for (let k = 0; k < 10; k++) {
      const t = k / 10;
      out.push([r[i]![0] + t * (r[i + 1]![0] - r[i]![0]), r[i]![1] + t * (r[i + 1]![1] - r[i]![1])]);
    }
  return out;
}

const L_SHAPE: GeoJsonPolygon = {
  type: 'Polygon',
  // An L: 120 m x 40 m along the bottom, 40 m x 100 m up the left side (counter-clockwise), and its mirror image
  // (clockwise) below, as GeoJSON from other tools may wind either way.
  coordinates: [
    [
      [0, 0],
      [120, 0],
      [120, 40],
      [40, 40],
      [40, 100],
      [0, 100],
      [0, 0],
    ].map(([x, y]) => [120.4 + x! / kx, LAT0 + y! / M_LAT]),
  ],
};
const L_CLOCKWISE: GeoJsonPolygon = {
  type: 'Polygon',
  coordinates: [[...L_SHAPE.coordinates[0]!].reverse()],
};

describe('grownRing: the context is cut around a footprint with the margin all round', () => {
  const cases: [string, GeoJsonPolygon][] = [
    ['a 95 x 70 m rectangle turned 12°', rectangleAround({ lon: 120.4012, lat: LAT0 }, 95, 70, 12)],
    ['a long thin 300 x 20 m rectangle', rectangleAround({ lon: 120.4, lat: LAT0 }, 300, 20, 0)],
    ['an L-shaped footprint (concave)', L_SHAPE],
    ['the same L wound clockwise', L_CLOCKWISE],
  ];
  it.each(cases)('%s: every point of the footprint lies inside, at least the margin from the cut', (_, fp) => {
    const grown = grownRing({ footprint: fp }).map(toM);
    for (const p of edgePoints(fp)) {
      expect(inside(p, grown)).toBe(true);
      expect(distToRing(p, grown)).toBeGreaterThanOrEqual(CLIP_MARGIN_M - 0.05);
    }
  });

  it.each(cases)('%s: the cut follows the footprint (no edge further out than the margin)', (_, fp) => {
    const grown = grownRing({ footprint: fp }).map(toM);
    const ring = fp.coordinates[0]!.map(toM).slice(0, -1);
    // Each grown edge's midpoint lies exactly the margin from the footprint (a buffer, not a blown-up copy).
    for (let i = 0; i < grown.length; i++) {
      const a = grown[i]!;
      const b = grown[(i + 1) % grown.length]!;
      const mid: [number, number] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      expect(distToRing(mid, ring)).toBeCloseTo(CLIP_MARGIN_M, 1);
    }
  });

  it('a margin of 0 gives the footprint itself; the closing vertex is dropped', () => {
    const fp = rectangleAround({ lon: 120.4012, lat: LAT0 }, 95, 70, 12);
    const grown = grownRing({ footprint: fp }, 0);
    expect(grown).toHaveLength(4);
    grown.forEach(([lon, lat], i) => {
      expect(lon).toBeCloseTo(fp.coordinates[0]![i]![0]!, 9);
      expect(lat).toBeCloseTo(fp.coordinates[0]![i]![1]!, 9);
    });
  });
});
