import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElementMesh, GeometryCollection } from './geometry.js';
import { writeTileGlb, type FeatureInfo } from './glb.js';

/**
 * Splits a model into a bounding-volume hierarchy of 3D Tiles 1.1 with additive refinement. Each node keeps the
 * elements that are large for its box (slabs, walls, façades), and hands the small ones down to two children split at
 * the median of the longest axis. A node's geometricError is the size of the largest element it leaves to its
 * descendants: that is exactly the error of drawing the node without them. Small models end up as one tile.
 */

/** Triangles at which a node stops splitting. */
export const LEAF_TRIANGLES = 60_000;
/** An element at least this fraction of its node's diagonal stays in the node. */
const KEEP_FRACTION = 0.3;
const MAX_DEPTH = 12;

export interface Node {
  elements: ElementMesh[];
  min: [number, number, number];
  max: [number, number, number];
  geometricError: number;
  children: Node[];
}

type V3 = [number, number, number];
const diag = (min: V3, max: V3) => Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]);
const size = (e: ElementMesh) => diag(e.min, e.max);

function boxOf(els: ElementMesh[]): { min: V3; max: V3 } {
  const min: V3 = [Infinity, Infinity, Infinity];
  const max: V3 = [-Infinity, -Infinity, -Infinity];
  for (const e of els)
    for (let k = 0; k < 3; k++) {
      if (e.min[k]! < min[k]!) min[k] = e.min[k]!;
      if (e.max[k]! > max[k]!) max[k] = e.max[k]!;
    }
  return { min, max };
}
const tris = (els: ElementMesh[]) => els.reduce((s, e) => s + e.triangles, 0);

/** The tile tree of `elements` (exported for tests). */
export const buildTileTree = (elements: ElementMesh[]): Node => build(elements, 0);

function build(elements: ElementMesh[], depth: number): Node {
  const { min, max } = boxOf(elements);
  const leaf = (): Node => ({ elements, min, max, geometricError: 0, children: [] });
  if (tris(elements) <= LEAF_TRIANGLES || elements.length < 2 || depth >= MAX_DEPTH) return leaf();
  const d = diag(min, max);
  const keep = elements.filter((e) => size(e) >= d * KEEP_FRACTION);
  const rest = elements.filter((e) => size(e) < d * KEEP_FRACTION);
  if (rest.length < 2) return leaf();
  const ext = [max[0] - min[0], max[1] - min[1], max[2] - min[2]];
  const axis = ext[0]! >= ext[1]! && ext[0]! >= ext[2]! ? 0 : ext[1]! >= ext[2]! ? 1 : 2;
  const centre = (e: ElementMesh) => (e.min[axis]! + e.max[axis]!) / 2;
  rest.sort((a, b) => centre(a) - centre(b));
  const half = rest.length >> 1;
  const children = [build(rest.slice(0, half), depth + 1), build(rest.slice(half), depth + 1)].filter(
    (c) => c.elements.length > 0 || c.children.length > 0,
  );
  // A loop, not Math.max(...): a spread of a few hundred thousand elements overflows the call stack.
  let geometricError = 0;
  for (const e of rest) geometricError = Math.max(geometricError, size(e));
  return { elements: keep, min, max, geometricError, children };
}

/** 3D Tiles box (centre + half axes) in the tileset frame (Z up) from a Y-up box relative to the origin. */
function tilesBox(min: V3, max: V3, origin: V3): number[] {
  const c = [(min[0] + max[0]) / 2 + origin[0], (min[1] + max[1]) / 2 + origin[1], (min[2] + max[2]) / 2 + origin[2]];
  // A flat element (a slab of zero thickness) would give a degenerate box; give every axis a few millimetres.
  const h = [0, 1, 2].map((k) => Math.max((max[k]! - min[k]!) / 2, 0.005));
  // glTF Y-up (x, y, z) is tileset Z-up (x, -z, y): that is the rotation the 3D Tiles runtime applies to glTF content.
  return [c[0]!, -c[2]!, c[1]!, h[0]!, 0, 0, 0, h[2]!, 0, 0, 0, h[1]!];
}

export interface TilesetResult {
  tileCount: number;
  triangleCount: number;
  /** The tileset.json object, without the root transform (the caller adds the georeference). */
  tileset: TilesetJson;
}

export interface TilesetJson {
  asset: { version: '1.1'; generator: string };
  geometricError: number;
  root: Record<string, unknown> & { transform?: number[] };
}

/**
 * Writes `tiles/<n>.glb` for every node with content into `dir` and returns the tileset (to be completed with the root
 * transform by {@link writeTilesetJson}). `featureOf` names an element for the property tables.
 */
export async function writeTiles(
  geom: GeometryCollection,
  dir: string,
  featureOf: (expressId: number) => FeatureInfo,
  onProgress: (f: number) => void = () => {},
): Promise<TilesetResult> {
  mkdirSync(dir, { recursive: true });
  const origin = geom.origin;
  const root: Node = geom.elements.length
    ? build(geom.elements, 0)
    : { elements: [], min: [0, 0, 0], max: [0, 0, 0], geometricError: 0, children: [] };
  let count = 0;
  let written = 0;
  const total = tris(geom.elements) || 1;
  let triangleCount = 0;
  const emit = async (n: Node): Promise<Record<string, unknown>> => {
    const tile: Record<string, unknown> = {
      boundingVolume: { box: tilesBox(n.min, n.max, origin) },
      geometricError: n.geometricError,
      refine: 'ADD',
    };
    if (n.elements.length > 0) {
      const name = `t${count++}.glb`;
      const centre: V3 = [(n.min[0] + n.max[0]) / 2, (n.min[1] + n.max[1]) / 2, (n.min[2] + n.max[2]) / 2];
      const glb = await writeTileGlb(
        n.elements,
        n.elements.map((e) => featureOf(e.expressId)),
        centre,
        origin,
      );
      writeFileSync(join(dir, name), glb);
      tile.content = { uri: name };
      const t = tris(n.elements);
      triangleCount += t;
      written += t;
      onProgress(written / total);
    }
    // One tile at a time: a big model's GLBs are built and written in turn, never all held at once.
    if (n.children.length) {
      const kids: Record<string, unknown>[] = [];
      for (const c of n.children) kids.push(await emit(c));
      tile.children = kids;
    }
    return tile;
  };
  const rootTile = await emit(root);
  return {
    tileCount: count,
    triangleCount,
    tileset: {
      asset: { version: '1.1', generator: 'Site Twin IFC pipeline' },
      geometricError: Math.max(diag(root.min, root.max), root.geometricError),
      root: rootTile,
    },
  };
}

/** Writes tileset.json with the given root transform (model -> ECEF), atomically so a reader never sees half a file. */
export function writeTilesetJson(dir: string, tileset: TilesetJson, transform: number[]): void {
  const out = { ...tileset, root: { ...tileset.root, transform } };
  const tmp = join(dir, `tileset.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(out));
  renameSync(tmp, join(dir, 'tileset.json'));
}
