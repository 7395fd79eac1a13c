import { describe, expect, it } from 'vitest';
import { formatArea, formatLength, lengthM, polygonAreaM2 } from '../../../client/workspace/measureMath.js';
import { descendantIds, findNode, groupByCategory } from '../../../client/workspace/spatial.js';

describe('measurement maths', () => {
  it('measures lengths and formats them as site people read them', () => {
    expect(lengthM([0, 0, 0], [3, 4, 12])).toBe(13);
    expect(formatLength(12.345)).toBe('12.35 m');
    expect(formatLength(0.85)).toBe('850 mm');
    expect(formatLength(NaN)).toBe('—');
  });
  it('computes the area of a tilted planar polygon (Newell)', () => {
    // A 4 m x 3 m rectangle in a plane tilted 30 degrees about X.
    const c = Math.cos(Math.PI / 6),
      s = Math.sin(Math.PI / 6);
    const rect = [
      [0, 0],
      [4, 0],
      [4, 3],
      [0, 3],
    ].map(([x, y]) => [x!, y! * c, y! * s] as const);
    expect(polygonAreaM2(rect)).toBeCloseTo(12, 9);
    // An L shape on the floor (Y up): 2x2 minus 1x1.
    expect(
      polygonAreaM2([
        [0, 0, 0],
        [2, 0, 0],
        [2, 0, 1],
        [1, 0, 1],
        [1, 0, 2],
        [0, 0, 2],
      ]),
    ).toBeCloseTo(3, 9);
    expect(
      polygonAreaM2([
        [0, 0, 0],
        [1, 0, 0],
      ]),
    ).toBe(0);
    expect(formatArea(3)).toBe('3.000 m²');
    expect(formatArea(123.45)).toBe('123.5 m²');
  });
});

describe('spatial structure helpers', () => {
  const tree = {
    category: 'IFCPROJECT',
    localId: 1,
    children: [
      {
        category: 'IFCBUILDINGSTOREY',
        localId: 5,
        children: [
          {
            category: 'IFCWALL',
            localId: null,
            children: [
              { category: null, localId: 9 },
              { category: null, localId: 10 },
            ],
          },
        ],
      },
    ],
  };
  it('finds a node and collects what lies under it', () => {
    expect(descendantIds(findNode(tree, 5)!)).toEqual([5, 9, 10]);
    expect(findNode(tree, 77)).toBeNull();
  });
  it('groups items by category, sorted, skipping the uncategorised', () => {
    expect([...groupByCategory([1, 2, 3, 4], ['IFCWALL', 'IFCDOOR', null, 'IFCWALL'])]).toEqual([
      ['IFCDOOR', [2]],
      ['IFCWALL', [1, 4]],
    ]);
  });
});
