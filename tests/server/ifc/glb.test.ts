import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { validateBytes } from 'gltf-validator';
import { describe, expect, it } from 'vitest';
import { collectGeometry, type ElementMesh } from '../../../server/ifc/pipeline/geometry.js';
import { writeTileGlb, type FeatureInfo } from '../../../server/ifc/pipeline/glb.js';
import { buildTileTree, type Node } from '../../../server/ifc/pipeline/tiler.js';
import { createIfcApi, openModel } from '../../../server/ifc/pipeline/webIfc.js';
import { referenceTileGlb } from './glbReference.js';

// The tile GLB is written directly (no glTF-Transform document): the bytes must be those glTF-Transform's writer gives
// for the same tile, layout, padding, JSON key order and numbers included.

const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'ifc');

/** An element of `n` vertices on a small fan, one part per colour. */
function element(id: number, colors: [number, number, number, number][], n: number, shift: number): ElementMesh {
  const parts = colors.map((color, k) => {
    const positions = new Float32Array(n * 3);
    const normals = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      positions.set([shift + Math.cos(i) * (k + 1) * 1.37, Math.sin(i * 0.7) * 0.1, shift * 0.5 + i * 1e-3], i * 3);
      normals.set([0, 1, 0], i * 3);
    }
    // An odd number of indices in all: a UNSIGNED_SHORT view padded to 4 bytes.
    const indices = new Uint32Array(((n - 2) * 3) | 0);
    for (let t = 0; t < n - 2; t++) indices.set([0, t + 1, t + 2], t * 3);
    return { color, positions, normals, indices };
  });
  return { expressId: id, parts, min: [0, 0, 0], max: [1, 1, 1], triangles: colors.length * (n - 2) };
}

const same = async (
  elements: ElementMesh[],
  features: FeatureInfo[],
  center: [number, number, number],
  origin: [number, number, number],
) => {
  const ours = await writeTileGlb(elements, features, center, origin);
  const ref = await referenceTileGlb(elements, features, center, origin);
  expect(ours.byteLength).toBe(ref.byteLength);
  expect(Buffer.compare(Buffer.from(ours), Buffer.from(ref))).toBe(0);
  return ours;
};

describe('tile GLB', () => {
  it("gives glTF-Transform's bytes: colours, transparency, a default colour, unnamed elements, wide indices", async () => {
    const white: [number, number, number, number] = [1, 1, 1, 1];
    const glass: [number, number, number, number] = [0.4, 0.6, 0.8, 0.3];
    const red: [number, number, number, number] = [0.8, 0.1, 0.1, 1];
    const elements = [
      element(11, [red, white], 5, 0),
      element(12, [glass], 7, 3.5),
      element(13, [red], 4, -2),
      // 70,000 vertices of one colour: UNSIGNED_INT indices for that primitive only.
      element(14, [[0.2, 0.2, 0.2, 1]], 70_000, 9),
    ];
    const features = elements.map((e, i) => ({
      globalId: `g${e.expressId}`,
      ifcClass: 'IfcWall',
      name: i % 2 ? '' : `Wand ${i} ü`,
    }));
    const glb = await same(elements, features, [1.25, -0.5, 3], [1000.5, 20, -7]);
    const report = await validateBytes(glb);
    expect(report.issues.numErrors).toBe(0);
    // Every element unnamed: the name column is left out; the node at the origin: no translation.
    await same(
      elements.slice(0, 3),
      features.slice(0, 3).map((f) => ({ ...f, name: '' })),
      [0, 0, 0],
      [0, 0, 0],
    );
  });

  it.skipIf(!existsSync(join(SHARED, 'example.ifc')))(
    "gives glTF-Transform's bytes for every tile of a real model",
    async () => {
      const api = await createIfcApi();
      const id = openModel(api, readFileSync(join(SHARED, 'example.ifc')));
      const geom = await collectGeometry(api, id, { typeName: () => 'IfcProduct' });
      api.CloseModel(id);
      expect(geom.elements.length).toBeGreaterThan(50);
      // Every tile of the tiler's tree, and the whole model as one tile.
      const nodes: Node[] = [];
      const walk = (n: Node) => (n.elements.length && nodes.push(n), n.children.forEach(walk));
      walk(buildTileTree(geom.elements));
      nodes.push({ elements: geom.elements, min: [0, 0, 0], max: [0, 0, 0], geometricError: 0, children: [] });
      for (const n of nodes) {
        const centre: [number, number, number] = [
          (n.min[0] + n.max[0]) / 2,
          (n.min[1] + n.max[1]) / 2,
          (n.min[2] + n.max[2]) / 2,
        ];
        const features = n.elements.map((e) => ({
          globalId: `#${e.expressId}`,
          ifcClass: 'IfcProduct',
          name: `e${e.expressId}`,
        }));
        await same(n.elements, features, centre, geom.origin);
      }
    },
  );
});
