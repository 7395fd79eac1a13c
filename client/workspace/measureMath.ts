/** Pure geometry of the workspace's measurements: lengths, polygon areas, labels. */

export type P3 = readonly [number, number, number];

/** Distance between two points, metres. */
export function lengthM(a: P3, b: P3): number {
  return Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
}

/**
 * Area of a planar polygon in 3D (any orientation), by Newell's method: half the length of the summed cross products.
 * Points picked on a face are never exactly coplanar; this gives the area of their projection on the best-fit plane.
 */
export function polygonAreaM2(points: readonly P3[]): number {
  if (points.length < 3) return 0;
  let nx = 0;
  let ny = 0;
  let nz = 0;
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % points.length]!;
    nx += (a[1] - b[1]) * (a[2] + b[2]);
    ny += (a[2] - b[2]) * (a[0] + b[0]);
    nz += (a[0] - b[0]) * (a[1] + b[1]);
  }
  return Math.hypot(nx, ny, nz) / 2;
}

/** "12.35 m" / "850 mm": millimetres under a metre, where site people read them. */
export function formatLength(m: number): string {
  if (!Number.isFinite(m)) return '—';
  return m < 1 ? `${Math.round(m * 1000)} mm` : `${m.toFixed(2)} m`;
}

export function formatArea(m2: number): string {
  if (!Number.isFinite(m2)) return '—';
  return m2 < 10 ? `${m2.toFixed(3)} m²` : `${m2.toFixed(1)} m²`;
}
