import { GeomsFbUtils } from '@thatopen/fragments';
import { weldCorners } from './pointWelder.js';

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

  const round = (x: number) => GeomsFbUtils.round(x, settings.precision);
  const corners = index.length - (index.length % 3);
  const welded = weldCorners(position, nv, index, corners);
  const points = Array.from(welded.firstVertex, (v) => [
    round(position[v * 3]!),
    round(position[v * 3 + 1]!),
    round(position[v * 3 + 2]!),
  ]);
  const profiles = new Map<number, number[]>();
  for (let i = 0; i < corners; i += 3)
    profiles.set(profiles.size, [welded.corners[i]!, welded.corners[i + 1]!, welded.corners[i + 2]!]);
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
