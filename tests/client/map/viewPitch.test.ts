import { describe, expect, it } from 'vitest';
import { pitchClearOfHorizon, TOP_EDGE_CLEARANCE_DEG } from '../../../client/map/viewPitch.js';

describe('pitchClearOfHorizon', () => {
  it('steepens a view whose top edge would reach the horizon on a portrait screen, and keeps a landscape one', () => {
    // 390x844: Cesium's 60 degree field is the vertical one; the project view's -37 degrees put its top edge 7 degrees
    // down at the centre (less at the corners): steepened until the edge is the clearance below the horizon.
    const portrait = pitchClearOfHorizon(-37, 60);
    expect(portrait).toBe(-(30 + TOP_EDGE_CLEARANCE_DEG));
    expect(portrait + 30).toBeLessThanOrEqual(-TOP_EDGE_CLEARANCE_DEG);
    // 1920x1080: a vertical field of ~36 degrees; -37 already leaves 19 degrees.
    expect(pitchClearOfHorizon(-37, 36)).toBe(-37);
    // A steeper view is never flattened.
    expect(pitchClearOfHorizon(-60, 60)).toBe(-60);
  });
});
