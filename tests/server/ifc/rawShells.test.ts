import { GeomsFbUtils } from '@thatopen/fragments';
import { describe, expect, it } from 'vitest';
import { rawShellData, withRawShells } from '../../../server/ifc/pipeline/rawShells.js';

// The importer's raw shells (every mesh of the workspace's Fragments file, brepThreshold 0) are built by rawShellData
// in place of the library's getRawShellData: the output must be the library's, value for value.

const settings = new (class {
  threshold = 0;
  precision = 1e6;
  normalPrecision = 1e7;
  planePrecision = 1e3;
  faceThreshold = 0.6;
})();
const bbox = { min: { x: 0, y: 0, z: 0 }, max: { x: 1, y: 1, z: 1 } };

/** Equal as values, with Object.is for numbers (-0 is not 0, NaN is NaN), Maps compared in order. */
function same(a: unknown, b: unknown, at = '$'): string | null {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b) ? null : `${at}: ${a} vs ${b}`;
  if (a instanceof Map && b instanceof Map) return same([...a], [...b], at);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${at}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = same(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return `${at}: keys ${ka} vs ${kb}`;
    for (const k of ka) {
      const d = same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${at}: ${String(a)} vs ${String(b)}`;
}

/** A mesh whose vertices repeat coordinates (as web-ifc's do, one vertex per face corner), with awkward values. */
function mesh(seed: number, vertices: number, triangles: number, extra: number[] = []) {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pool = [0, -0, 1, -1, 0.1, 1e-7, 2.5, 1234.5678, 1 / 3, ...extra];
  const position = new Float32Array(vertices * 3);
  for (let i = 0; i < position.length; i++) position[i] = pool[Math.floor(rnd() * pool.length)]!;
  const index = new Uint32Array(triangles * 3);
  for (let i = 0; i < index.length; i++) index[i] = Math.floor(rnd() * vertices);
  return { index, position };
}

describe('raw shells', () => {
  it('gives the library output for meshes with repeated, signed-zero and NaN coordinates', () => {
    const cases = [
      mesh(1, 3, 1),
      mesh(2, 40, 60),
      mesh(3, 500, 900, [NaN, -NaN, Infinity]),
      mesh(4, 5000, 4000, [1e30, -1e-30]),
      { index: new Uint32Array([0, 1, 2, 2, 1, 0]), position: new Float32Array([0, 0, 0, -0, -0, -0, 0, -0, 0]) },
      { index: new Uint32Array([0, 1, 2, 3]), position: new Float32Array([1, 2, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9]) },
      { index: new Uint32Array([]), position: new Float32Array([]) },
    ];
    for (const [k, { index, position }] of cases.entries()) {
      const theirs = GeomsFbUtils.getRawShellData(index, position, bbox, settings as never);
      const mine = rawShellData(index, position, bbox, settings as never);
      expect(same(mine, theirs), `case ${k}`).toBeNull();
      expect(mine.points.length, `case ${k}`).toBe(theirs.points.length);
    }
  });

  it('leaves an index past the vertices to the library', () => {
    const index = new Uint32Array([0, 1, 7]);
    const position = new Float32Array([1, 2, 3, 4, 5, 6]);
    const theirs = GeomsFbUtils.getRawShellData(index, position, bbox, settings as never);
    expect(same(rawShellData(index, position, bbox, settings as never), theirs)).toBeNull();
  });

  it('stands in for the library only while an importer runs', async () => {
    const own = GeomsFbUtils.getRawShellData;
    await withRawShells(async () => expect(GeomsFbUtils.getRawShellData).toBe(rawShellData));
    expect(GeomsFbUtils.getRawShellData).toBe(own);
    await expect(withRawShells(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(GeomsFbUtils.getRawShellData).toBe(own);
  });
});
