import { describe, expect, it } from 'vitest';
import { FILL_FULL_ABOVE_M, FILL_GONE_BELOW_M, fillFade, regionWidthPx } from '../../../client/map/DistrictLayer.js';

// The district fill says "which district" at city and district scale; at site scale one district fills the screen
// and its colour is a flat wash over the site (seen on the wall at 1080p): it fades out from district to site scale.
describe('fillFade: the district fill by camera height', () => {
  it('is full at city and district scale, gone at site scale, and fades in between in quarter steps', () => {
    const range = (m: number) => m * Math.sin((60 * Math.PI) / 180); // the screens look down at 60°
    expect(fillFade(range(110_000))).toBe(1); // city
    expect(fillFade(range(14_000))).toBeGreaterThanOrEqual(0.5); // district
    expect(fillFade(range(900))).toBe(0); // site
    expect(fillFade(FILL_FULL_ABOVE_M)).toBe(1);
    expect(fillFade(FILL_GONE_BELOW_M)).toBe(0);
    let last = 0;
    for (let h = 0; h <= 20_000; h += 250) {
      const f = fillFade(h);
      expect(f).toBeGreaterThanOrEqual(last);
      expect([0, 0.25, 0.5, 0.75, 1]).toContain(f);
      last = f;
    }
  });
});

describe('regionWidthPx: the authority boundary thins towards site scale', () => {
  it('is 4 px at city scale and 1.5 px at site scale', () => {
    expect(regionWidthPx(fillFade(110_000))).toBe(4);
    expect(regionWidthPx(fillFade(500))).toBe(1.5);
  });
});
