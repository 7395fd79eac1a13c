/**
 * Merges a mesh's equal corners into points, for raw triangle shells (rawShells.ts, the importer's geometry; and
 * fragWriter.ts, ours). Corners are compared by the bits of their float32 coordinates in a hash table, each vertex
 * looked up once; -0 reads as 0 and every NaN as one, so two corners share a point exactly when their coordinates
 * print alike (the importer's `${x},${y},${z}` keys). Points are numbered in the order the triangles first reach them.
 *
 * Returns `point(v)`: vertex `v`'s point number. `onNew(v)` is called when `v` makes a new point (numbered by the
 * calls before it), so the caller stores that point's coordinates its own way.
 */
export function pointWelder(pos: Float32Array, nv: number, onNew: (v: number) => void): (v: number) => number {
  const bits = new Uint32Array(pos.buffer, pos.byteOffset, nv * 3);
  const key = (b: number) =>
    b === 0x80000000 ? 0 : (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 0x7fc00000 : b;
  let size = 16;
  while (size < nv * 2) size *= 2;
  const mask = size - 1;
  /** Hash slot -> the first vertex (in triangle order) with those coordinates, -1 when free. */
  const slots = new Int32Array(size).fill(-1);
  /** Vertex -> its point's number, -1 before the triangles reach it. */
  const pointOf = new Int32Array(nv).fill(-1);
  let count = 0;
  return (v: number): number => {
    const known = pointOf[v]!;
    if (known >= 0) return known;
    const bx = key(bits[v * 3]!);
    const by = key(bits[v * 3 + 1]!);
    const bz = key(bits[v * 3 + 2]!);
    let h = Math.imul(bx, 0x9e3779b1) ^ Math.imul(by, 0x85ebca77) ^ Math.imul(bz, 0xc2b2ae3d);
    h ^= h >>> 15;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const first = slots[s]!;
      if (first < 0) {
        slots[s] = v;
        onNew(v);
        return (pointOf[v] = count++);
      }
      if (key(bits[first * 3]!) === bx && key(bits[first * 3 + 1]!) === by && key(bits[first * 3 + 2]!) === bz)
        return (pointOf[v] = pointOf[first]!);
    }
  };
}
