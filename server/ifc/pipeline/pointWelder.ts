/**
 * Merges a mesh's equal corners into points, for raw triangle shells (rawShells.ts, the importer's geometry; and
 * fragWriter.ts, ours). Corners are compared by the bits of their float32 coordinates in a hash table, each vertex
 * looked up once; -0 reads as 0 and every NaN as one, so two corners share a point exactly when their coordinates
 * print alike (the importer's `${x},${y},${z}` keys). Points are numbered in the order the triangles first reach them.
 * One loop without closures: a callback per new point and a lookup function per corner were about half of the raw
 * shells' time on WILLEMSEN-Laagbouw's 978 meshes.
 */
export interface WeldedCorners {
  /** The point of each of the first `corners` entries of `indices`. */
  corners: Uint32Array;
  /** The vertex each point was first made from (its coordinates are that vertex's), one per point. */
  firstVertex: Int32Array;
}

/** Welds the vertices `indices[0..corners)` reach; every index must be below `nv`. */
export function weldCorners(pos: Float32Array, nv: number, indices: ArrayLike<number>, corners: number): WeldedCorners {
  const bits = new Uint32Array(nv * 3);
  bits.set(new Uint32Array(pos.buffer, pos.byteOffset, nv * 3));
  for (let k = 0; k < bits.length; k++) {
    const x = bits[k]!;
    if (x === 0x80000000) bits[k] = 0;
    else if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) bits[k] = 0x7fc00000;
  }
  let size = 16;
  while (size < nv * 2) size *= 2;
  const mask = size - 1;
  /** Hash slot -> the first vertex (in triangle order) with those coordinates, -1 when free. */
  const slots = new Int32Array(size).fill(-1);
  /** Vertex -> its point's number, -1 before the triangles reach it. */
  const pointOf = new Int32Array(nv).fill(-1);
  const firstVertex = new Int32Array(nv);
  const out = new Uint32Array(corners);
  let np = 0;
  for (let i = 0; i < corners; i++) {
    const v = indices[i]!;
    let p = pointOf[v]!;
    if (p < 0) {
      const bx = bits[v * 3]!,
        by = bits[v * 3 + 1]!,
        bz = bits[v * 3 + 2]!;
      let h = Math.imul(bx, 0x9e3779b1) ^ Math.imul(by, 0x85ebca77) ^ Math.imul(bz, 0xc2b2ae3d);
      h ^= h >>> 15;
      for (let s = h & mask; ; s = (s + 1) & mask) {
        const first = slots[s]!;
        if (first < 0) {
          slots[s] = v;
          firstVertex[np] = v;
          p = np++;
          break;
        }
        if (bits[first * 3] === bx && bits[first * 3 + 1] === by && bits[first * 3 + 2] === bz) {
          p = pointOf[first]!;
          break;
        }
      }
      pointOf[v] = p;
    }
    out[i] = p;
  }
  return { corners: out, firstVertex: firstVertex.subarray(0, np) };
}
