import { GeomsFbUtils } from '@thatopen/fragments';

type RawShellArgs = Parameters<typeof GeomsFbUtils.getRawShellData>;
type ShellData = ReturnType<typeof GeomsFbUtils.getRawShellData>;

/**
 * GeomsFbUtils.getRawShellData (fragments 3.4), the same output without its cost: the importer merges a mesh's equal
 * points through a Map keyed by a `${x},${y},${z}` string made for every corner of every triangle, which made it the
 * largest part of the importer's geometry pass after meshing. Here the corners are merged by the bits of their float32
 * coordinates in a hash table, each vertex looked up once.
 *
 * Same output, value for value: points are numbered in the order the triangles first reach them, and a point holds
 * the (rounded) coordinates of the first corner that reached it, as the string keys do. Two coordinates share a string
 * exactly when they are equal numbers (0 and -0 both print "0") or both NaN, so the bits are compared with -0 read as 0
 * and every NaN as one. Anything this does not cover (an index past the vertices, a face-id setting for the category)
 * goes to the library's own function.
 */
export function rawShellData(...args: RawShellArgs): ShellData {
  const [index, position, bbox, settings, category] = args;
  const faceIds = (settings as { categoryFaceThresholds?: Map<number, number> }).categoryFaceThresholds;
  const nv = Math.floor(position.length / 3);
  if (!(position instanceof Float32Array) || (category && faceIds?.has(category))) return original(...args);
  for (let i = 0; i < index.length; i++) if (index[i]! >= nv) return original(...args);

  const bits = new Uint32Array(position.buffer, position.byteOffset, nv * 3);
  const key = (b: number) =>
    b === 0x80000000 ? 0 : (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 0x7fc00000 : b;
  let size = 16;
  while (size < nv * 2) size *= 2;
  const mask = size - 1;
  /** Hash slot -> the first vertex (in triangle order) with those coordinates, -1 when free. */
  const slots = new Int32Array(size).fill(-1);
  /** Vertex -> its point's number, -1 before the triangles reach it. */
  const pointOf = new Int32Array(nv).fill(-1);
  const round = (x: number) => GeomsFbUtils.round(x, settings.precision);
  const points: number[][] = [];

  const point = (v: number): number => {
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
        const n = points.length;
        points.push([round(position[v * 3]!), round(position[v * 3 + 1]!), round(position[v * 3 + 2]!)]);
        return (pointOf[v] = n);
      }
      if (key(bits[first * 3]!) === bx && key(bits[first * 3 + 1]!) === by && key(bits[first * 3 + 2]!) === bz)
        return (pointOf[v] = pointOf[first]!);
    }
  };

  const profiles = new Map<number, number[]>();
  for (let i = 0; i < index.length - 2; i += 3) {
    const i1 = point(index[i]!);
    const i2 = point(index[i + 1]!);
    const i3 = point(index[i + 2]!);
    profiles.set(profiles.size, [i1, i2, i3]);
  }
  const result = original(new Uint32Array(0), new Float32Array(0), bbox, settings, category);
  result.profiles = profiles;
  result.points = points as ShellData['points'];
  result.profilesFaceIds = new Array<number>(profiles.size).fill(0);
  return result;
}

const original: typeof GeomsFbUtils.getRawShellData = GeomsFbUtils.getRawShellData.bind(GeomsFbUtils);

/** Runs `fn` (an importer run) with {@link rawShellData} in the library's place. */
export async function withRawShells<T>(fn: () => Promise<T>): Promise<T> {
  const own = GeomsFbUtils.getRawShellData;
  GeomsFbUtils.getRawShellData = rawShellData;
  try {
    return await fn();
  } finally {
    GeomsFbUtils.getRawShellData = own;
  }
}
