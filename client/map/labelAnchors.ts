/**
 * Where a district's label may stand: points well inside its outline, deepest first (the first is an estimate of the
 * pole of inaccessibility, the point farthest from every edge). Pure (lon/lat in, lon/lat out) so it is tested in
 * Node; the label placer tries them in order when the preferred spot is taken by a pin or another label.
 */

type Ring = readonly (readonly number[])[];
/** A polygon: outer ring first, then holes (GeoJSON order), [lon, lat] degrees. */
export type PolygonRings = readonly Ring[];

/** Even-odd test over all rings (so holes are outside). */
export function insidePolygon(poly: PolygonRings, x: number, y: number): boolean {
  let inside = false;
  for (const ring of poly)
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]! as [number, number];
      const [xj, yj] = ring[j]! as [number, number];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  return inside;
}

/** Distance (in degrees of latitude; longitude scaled by `kx`) from a point to the nearest edge of any ring. */
function edgeDistance(poly: PolygonRings, x: number, y: number, kx: number): number {
  let best = Infinity;
  for (const ring of poly)
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const ax = ring[j]![0]! * kx;
      const ay = ring[j]![1]!;
      const bx = ring[i]![0]! * kx;
      const by = ring[i]![1]!;
      const px = x * kx;
      const dx = bx - ax;
      const dy = by - ay;
      const l2 = dx * dx + dy * dy;
      const t = l2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (y - ay) * dy) / l2)) : 0;
      const ex = ax + t * dx - px;
      const ey = ay + t * dy - y;
      best = Math.min(best, ex * ex + ey * ey);
    }
  return Math.sqrt(best);
}

function ringArea(ring: Ring): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++)
    a += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!);
  return Math.abs(a / 2);
}

/** The largest polygon of a district (a MultiPolygon's islands rarely have room for a label). */
export function largestPolygon(polys: readonly PolygonRings[]): PolygonRings | undefined {
  let best: PolygonRings | undefined;
  let bestArea = -1;
  for (const p of polys) {
    const a = ringArea(p[0] ?? []) - p.slice(1).reduce((s, h) => s + ringArea(h), 0);
    if (a > bestArea) [best, bestArea] = [p, a];
  }
  return best;
}

/**
 * Up to `k` interior points of a polygon: the deepest first, then each the farthest from those before it (at least
 * `spread` x the outline's larger extent from every other, so the alternatives are really elsewhere). A `grid` x `grid` sample of the bounding box, the deepest
 * cell refined on a finer grid around it.
 */
export function interiorPoints(poly: PolygonRings, k: number, opts: { grid?: number; spread?: number } = {}) {
  const outer = poly[0];
  if (!outer || outer.length < 3 || k <= 0) return [];
  const n = opts.grid ?? 16;
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of outer as [number, number][]) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const kx = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const cw = (maxX - minX) / n;
  const ch = (maxY - minY) / n;
  const samples: { lon: number; lat: number; depth: number }[] = [];
  const sample = (x: number, y: number) => {
    if (insidePolygon(poly, x, y)) samples.push({ lon: x, lat: y, depth: edgeDistance(poly, x, y, kx) });
  };
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sample(minX + (i + 0.5) * cw, minY + (j + 0.5) * ch);
  samples.sort((a, b) => b.depth - a.depth);
  const top = samples[0];
  if (top) {
    // Refine the deepest: a finer grid over the cell and its neighbours.
    const m = 8;
    for (let i = 0; i <= m; i++)
      for (let j = 0; j <= m; j++) sample(top.lon - cw + (2 * cw * i) / m, top.lat - ch + (2 * ch * j) / m);
    samples.sort((a, b) => b.depth - a.depth);
  }
  if (!top) return [];
  // Then farthest-point picks among the fairly deep samples: each next point is the one farthest from those chosen,
  // so the alternatives cover the district (both arms of an L) rather than crowd around its pole.
  const minSep = (opts.spread ?? 0.2) * Math.max((maxX - minX) * kx, maxY - minY);
  const deep = samples.filter((s) => s.depth >= 0.4 * samples[0]!.depth);
  const out = [samples[0]!];
  const dist = (a: { lon: number; lat: number }, b: { lon: number; lat: number }) =>
    Math.hypot((a.lon - b.lon) * kx, a.lat - b.lat);
  while (out.length < k) {
    let best: (typeof deep)[number] | undefined;
    let bestD = minSep;
    for (const s of deep) {
      const d = Math.min(...out.map((o) => dist(o, s)));
      if (d >= bestD) [best, bestD] = [s, d];
    }
    if (!best) break;
    out.push(best);
  }
  return out;
}
