import { Rectangle } from 'cesium';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  shapesOf,
  VectorTileImageryProvider,
  type VectorGroup,
} from '../../../client/map/VectorTileImageryProvider.js';

// The map renders on request only (requestRenderMode, maximumRenderTimeChange Infinity). Cesium wakes the render loop
// when a request of its RequestScheduler completes, but this provider paints tiles itself, outside the scheduler: a
// painted tile waited for whatever else asked for the next frame, and a frame whose tile-load queue kept its length
// asked for none, so loading could stall with tiles half loaded (a 4K page never ready).
const calls: string[] = [];
const ctx = new Proxy(
  {},
  {
    get: (_t, k) => (k === 'setLineDash' || typeof k !== 'string' ? () => {} : (..._a: unknown[]) => calls.push(k)),
    set: () => true,
  },
);
const g = globalThis as { document?: unknown };
let had: unknown;
beforeEach(() => {
  had = g.document;
  g.document = { createElement: () => ({ width: 0, height: 0, getContext: () => ctx }) };
});
afterEach(() => {
  g.document = had;
  calls.length = 0;
});

const square: VectorGroup = {
  kind: 'polygon',
  shapes: shapesOf([
    {
      type: 'Polygon',
      coordinates: [
        [
          [120, 36],
          [121, 36],
          [121, 37],
          [120, 37],
          [120, 36],
        ],
      ],
    },
  ]),
  style: { fill: '#e9ebe6', stroke: '#8a6aa8', widthPx: 1.5 },
};

describe('VectorTileImageryProvider', () => {
  it('asks for a frame once a tile is painted (its images come from no RequestScheduler request)', async () => {
    let asked = 0;
    const p = new VectorTileImageryProvider(
      Promise.resolve([square]),
      Rectangle.fromDegrees(118.9, 35, 122.8, 38),
      'test',
      '#9fc0dc',
      () => asked++,
    );
    const tile = await p.requestImage(6, 1, 2);
    expect(tile.width).toBe(256);
    expect(calls).toContain('fill');
    expect(asked).toBe(1);
    expect(p.tilesPainted).toBe(1);
  });
});
