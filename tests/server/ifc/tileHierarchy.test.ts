import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from '@loaders.gl/core';
import { Tiles3DLoader } from '@loaders.gl/3d-tiles';
import { Tileset3D } from '@loaders.gl/tiles';
import { validateBytes } from 'gltf-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertIfc, type ConversionResult } from '../../../server/ifc/pipeline/convert.js';
import { generateDemoBuilding } from '../../../server/ifc/pipeline/demoBuilding.js';
import { LEAF_TRIANGLES } from '../../../server/ifc/pipeline/tiler.js';
import { createIfcApi, type IfcAPI } from '../../../server/ifc/pipeline/webIfc.js';
import type { ElementInput } from '../../../models/BimModel.js';
import { readTileGlb, staticServer } from './ifcExpect.js';

/**
 * A large model (a generated 60-storey tower of ~17 000 elements, ~200 000 triangles: slabs, walls, columns, windows) goes through the map
 * job and comes out as a real bounding-volume hierarchy: several tiles, each child's volume inside its parent's,
 * geometricError never growing with depth and 0 at the leaves, every element drawn in exactly one tile and inside
 * that tile's volume. Every GLB passes the glTF validator and loaders.gl loads the whole tree (the shared sample files
 * are all single-tile, so this is the test of the multi-tile output).
 */

interface Tile {
  boundingVolume: { box: number[] };
  geometricError: number;
  refine?: string;
  content?: { uri: string };
  children?: Tile[];
}

let api: IfcAPI;
let out: string;
let files: { url: string; close(): Promise<void> };
let result: ConversionResult;
const rows: ElementInput[] = [];
let tileset: { geometricError: number; root: Tile };

/** Axis-aligned [min, max] of a 3D Tiles box (centre + three half-axis vectors). */
function aabb(box: number[]): { min: number[]; max: number[] } {
  const min: number[] = [];
  const max: number[] = [];
  for (let k = 0; k < 3; k++) {
    const half = Math.abs(box[3 + k]!) + Math.abs(box[6 + k]!) + Math.abs(box[9 + k]!);
    min.push(box[k]! - half);
    max.push(box[k]! + half);
  }
  return { min, max };
}

function walk(
  t: Tile,
  depth: number,
  parent: Tile | null,
  visit: (t: Tile, depth: number, parent: Tile | null) => void,
): void {
  visit(t, depth, parent);
  for (const c of t.children ?? []) walk(c, depth + 1, t, visit);
}

beforeAll(async () => {
  api = await createIfcApi();
  out = mkdtempSync(join(tmpdir(), 'sitetwin-tiles-'));
  const ifcPath = join(out, 'tower.ifc');
  writeFileSync(
    ifcPath,
    generateDemoBuilding(
      { name: 'Tiling tower', lon: 120.38, lat: 36.06, storeys: 60, widthM: 120, depthM: 80, baysX: 15, baysY: 10 },
      api,
    ),
  );
  result = await convertIfc(
    { ifcPath, outDir: join(out, 'model'), api, skipFragments: true },
    { progress() {}, elements: (b) => void rows.push(...b) },
  );
  tileset = JSON.parse(readFileSync(join(out, 'model', 'tiles', 'tileset.json'), 'utf8'));
  files = await staticServer(join(out, 'model', 'tiles'));
}, 240_000);
afterAll(async () => {
  await files?.close();
  api?.Dispose();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('a large model in 3D Tiles', () => {
  it('is split into several tiles, children inside their parents, geometricError not growing with depth', () => {
    const { report } = result;
    // Large enough that one tile would be several times the leaf budget.
    expect(report.triangleCount).toBeGreaterThan(3 * LEAF_TRIANGLES);
    let withContent = 0;
    let maxDepth = 0;
    let leaves = 0;
    walk(tileset.root, 0, null, (t, depth, parent) => {
      if (t.content) withContent++;
      maxDepth = Math.max(maxDepth, depth);
      expect(t.refine ?? 'ADD').toBe('ADD');
      expect(t.geometricError).toBeGreaterThanOrEqual(0);
      if (!t.children?.length) {
        leaves++;
        // A leaf leaves nothing to descendants: drawing it is exact.
        expect(t.geometricError).toBe(0);
        expect(t.content).toBeDefined();
      } else {
        expect(t.geometricError).toBeGreaterThan(0);
      }
      if (parent) {
        expect(t.geometricError).toBeLessThanOrEqual(parent.geometricError);
        const c = aabb(t.boundingVolume.box);
        const p = aabb(parent.boundingVolume.box);
        for (let k = 0; k < 3; k++) {
          expect(c.min[k]!).toBeGreaterThanOrEqual(p.min[k]! - 1e-6);
          expect(c.max[k]!).toBeLessThanOrEqual(p.max[k]! + 1e-6);
        }
      }
    });
    expect(withContent).toBe(report.tileCount);
    expect(report.tileCount).toBeGreaterThanOrEqual(4);
    expect(leaves).toBeGreaterThanOrEqual(4);
    expect(maxDepth).toBeGreaterThanOrEqual(2);
    expect(tileset.geometricError).toBeGreaterThanOrEqual(tileset.root.geometricError);
    expect(tileset.root.geometricError).toBeGreaterThan(0);
    // The root box holds the whole model.
    const r = aabb(tileset.root.boundingVolume.box);
    for (let k = 0; k < 3; k++) {
      expect(report.bbox!.min[k]!).toBeGreaterThanOrEqual(r.min[k]! - 1e-6);
      expect(report.bbox!.max[k]!).toBeLessThanOrEqual(r.max[k]! + 1e-6);
    }
  });

  it('draws every element in exactly one tile, inside that tile, in valid GLBs that loaders.gl loads', async () => {
    const { report } = result;
    const drawn = rows.filter((r) => r.hasGeometry).map((r) => r.globalId);
    expect(drawn).toHaveLength(report.elementCount);
    expect(new Set(drawn).size).toBe(drawn.length);
    const count = new Map<string, number>();
    const glbs = readdirSync(join(out, 'model', 'tiles')).filter((f) => f.endsWith('.glb'));
    expect(glbs).toHaveLength(report.tileCount);
    const contents: Tile[] = [];
    walk(tileset.root, 0, null, (t) => void (t.content && contents.push(t)));
    for (const t of contents) {
      const bytes = new Uint8Array(readFileSync(join(out, 'model', 'tiles', t.content!.uri)));
      const v = await validateBytes(bytes, { maxIssues: 10 });
      expect(v.issues.numErrors, `${t.content!.uri}: ${JSON.stringify(v.issues.messages.slice(0, 3))}`).toBe(0);
      const glb = await readTileGlb(bytes);
      for (const g of glb.globalIds) count.set(g, (count.get(g) ?? 0) + 1);
      const box = aabb(t.boundingVolume.box);
      const lo = [Infinity, Infinity, Infinity];
      const hi = [-Infinity, -Infinity, -Infinity];
      for (let i = 0; i < glb.points.length; i += 3)
        for (let k = 0; k < 3; k++)
          ((lo[k] = Math.min(lo[k]!, glb.points[i + k]!)), (hi[k] = Math.max(hi[k]!, glb.points[i + k]!)));
      for (let k = 0; k < 3; k++) {
        expect(lo[k]!, t.content!.uri).toBeGreaterThanOrEqual(box.min[k]! - 0.01);
        expect(hi[k]!, t.content!.uri).toBeLessThanOrEqual(box.max[k]! + 0.01);
      }
    }
    expect([...count.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(count.keys())).toEqual(new Set(drawn));

    const loaded = await load(`${files.url}/tileset.json`, Tiles3DLoader);
    const ts = new Tileset3D(loaded, {});
    const stack = [ts.root!];
    let loadedContents = 0;
    while (stack.length) {
      const tile = stack.pop()!;
      if (tile.contentUrl) {
        const c = await load(tile.contentUrl, Tiles3DLoader);
        expect(c.type).toBe('glTF');
        loadedContents++;
      }
      stack.push(...tile.children);
    }
    expect(loadedContents).toBe(report.tileCount);
  }, 240_000);
});
