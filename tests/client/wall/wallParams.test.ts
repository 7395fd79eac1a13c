import { describe, expect, it } from 'vitest';
import { DEFAULT_EVERY_S, mapResolutionScale, parseWallParams, wallScale } from '../../../client/wall/wallParams.js';

const UUID = '0b7c2f4e-5d1a-4c3b-9e8f-1a2b3c4d5e6f';

describe('wall URL', () => {
  it('reads tier, scope, tour interval and tour', () => {
    expect(parseWallParams(`?tier=enterprise&id=${UUID}&every=30&tour=default-city`)).toEqual({ tier: 'enterprise', id: UUID, everyS: 30, tourId: 'default-city', errors: [] });
    expect(parseWallParams('')).toEqual({ tier: 'city', id: null, everyS: DEFAULT_EVERY_S, tourId: null, errors: [] });
    expect(parseWallParams('?tier=city&id=370200').id).toBe('370200');
  });

  it('falls back to the whole city and the default interval on bad values, and says why', () => {
    const p = parseWallParams('?tier=project&id=nope&every=1&tour=<script>');
    expect(p).toMatchObject({ tier: 'city', id: null, everyS: DEFAULT_EVERY_S, tourId: null });
    expect(p.errors).toHaveLength(3);
    expect(p.errors[0]).toMatch(/project tier needs id/);
    expect(p.errors[1]).toMatch(/every=1/);
    expect(parseWallParams('?tier=galaxy').errors[0]).toMatch(/tier/);
    expect(parseWallParams('?tier=city&id=abc').errors[0]).toMatch(/region code/);
  });
});

describe('wall scaling', () => {
  it('is 1 at 1920x1080, 2 at 3840x2160, and follows the tighter side otherwise', () => {
    expect(wallScale(1920, 1080)).toBe(1);
    expect(wallScale(3840, 2160)).toBe(2);
    expect(wallScale(3840, 1080)).toBe(1); // ultra-wide: the height limits
    expect(wallScale(1280, 1024)).toBe(0.667);
    expect(wallScale(200, 100)).toBe(0.5); // never below half: text would be unreadable
  });

  it('caps the map at about 2.3 Mpx of drawing buffer', () => {
    expect(mapResolutionScale(1200, 900, 1)).toBe(1);
    const s = mapResolutionScale(2560, 1700, 1);
    expect(s).toBeLessThan(1);
    expect(2560 * s * 1700 * s).toBeLessThanOrEqual(2_300_000 * 1.01);
    expect(mapResolutionScale(1280, 850, 2)).toBeCloseTo(s, 2); // same device pixels, same cap
  });
});
