import { describe, expect, it } from 'vitest';
import type { ElementMesh } from '../../../server/ifc/pipeline/geometry.js';
import { buildTileTree } from '../../../server/ifc/pipeline/tiler.js';

/**
 * The tile hierarchy of a model with hundreds of thousands of elements: a 1 GB IFC of 400 000 columns
 * (bench/ifcHealth.ts --mb 1024 --elements 400000) failed at the tiles stage with "Maximum call stack size exceeded"
 * (a node's geometric error was taken with Math.max over a spread of every element it hands down).
 */
describe('tile hierarchy of a huge model', () => {
  it('builds for 500 000 small elements, with the largest element handed down as the root error', () => {
    const n = 500_000;
    const side = Math.ceil(Math.sqrt(n));
    const elements: ElementMesh[] = Array.from({ length: n }, (_, i) => {
      const x = (i % side) * 2;
      const z = Math.floor(i / side) * 2;
      // One element a little larger than the others: the root's error is its diagonal.
      const s = i === 1234 ? 0.6 : 0.4;
      return { expressId: i + 1, parts: [], min: [x, 0, z], max: [x + s, 3, z + s], triangles: 12 };
    });
    const root = buildTileTree(elements);
    expect(root.children.length).toBe(2);
    expect(root.geometricError).toBeCloseTo(Math.hypot(0.6, 3, 0.6), 9);
    let count = 0;
    const walk = (t: { elements: ElementMesh[]; children: any[] }) => {
      count += t.elements.length;
      t.children.forEach(walk);
    };
    walk(root);
    expect(count).toBe(n);
  }, 600_000);
});
