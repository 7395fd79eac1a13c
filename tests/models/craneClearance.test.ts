import { describe, expect, it } from 'vitest';
import {
  craneClearance,
  jibCirclesOverlap,
  segmentDistance,
  siteClearances,
  siteEnu,
  siteToGeodetic,
  type CranePose,
} from '../../models/craneClearance.js';

/** A crane at (east, north) with a 50 m jib, 10 m counter-jib, jib at 40 m, hook hanging high (38 m). */
const crane = (id: string, east: number, north: number, slewDeg: number, over: Partial<CranePose> = {}): CranePose => ({
  id,
  east,
  north,
  jibHeightM: 40,
  jibLengthM: 50,
  counterJibLengthM: 10,
  slewDeg,
  radiusM: 25,
  hookHeightM: 38,
  ...over,
});

describe('crane clearance (GB 5144-2006 2 m rule)', () => {
  it('measures segment distances, crossing and parallel', () => {
    expect(segmentDistance([0, 0], [10, 0], [5, -5], [5, 5])).toMatchObject({ d: 0, p: [5, 0] });
    expect(segmentDistance([0, 0], [10, 0], [0, 3], [10, 3]).d).toBeCloseTo(3, 12);
    expect(segmentDistance([0, 0], [10, 0], [13, 4], [20, 4]).d).toBeCloseTo(5, 12);
  });

  it('parallel jibs at one height, 3 m apart: a pre-warning; 1.5 m apart: an alarm', () => {
    // Both point north; masts 3 m apart east-west.
    const r = craneClearance(crane('a', 0, 0, 0), crane('b', 3, 0, 0));
    expect(r).toMatchObject({ overlap: true, conflict: 'jibs', level: 'prewarning', verticalM: 0 });
    expect(r.clearanceM).toBeCloseTo(3, 9);
    const near = craneClearance(crane('a', 0, 0, 0), crane('b', 1.5, 0, 0));
    expect(near.level).toBe('alarm');
    expect(near.closest!.a.east).toBeCloseTo(0, 9);
    expect(near.closest!.b.east).toBeCloseTo(1.5, 9);
  });

  it('crossing jibs at one height: clearance 0 at the crossing point', () => {
    // Masts 60 m apart; a points east (jib x 0..50), b points north-west from (60, -30) crossing a's jib.
    const r = craneClearance(crane('a', 0, 0, 90), crane('b', 40, -20, 0));
    expect(r.conflict).toBe('jibs');
    expect(r.clearanceM).toBeCloseTo(0, 9);
    expect(r.level).toBe('alarm');
    expect(r.closest!.a.east).toBeCloseTo(40, 9);
    expect(r.closest!.a.north).toBeCloseTo(0, 9);
  });

  it('crossing jibs 10 m apart in height: the jibs pass, only the hook line of the higher crane counts', () => {
    const lo = crane('lo', 0, 0, 90);
    // The higher crane's hook hangs high (45 m > 40 + 2): the jibs cross in plan but pass; what remains is the lower
    // jib against the higher crane's mast, 20 m away.
    const high = craneClearance(lo, crane('hi', 40, -20, 0, { jibHeightM: 50, hookHeightM: 45 }));
    expect(high).toMatchObject({ verticalM: 10, conflict: 'jib_to_mast', level: null });
    expect(high.horizontalM).toBeCloseTo(0, 9);
    expect(high.clearanceM).toBeCloseTo(20, 9);
    // Its hook lowered to 30 m, trolley at 20 m: the hook line at (40, 0) crosses the lower jib.
    const hook = craneClearance(lo, crane('hi', 40, -20, 0, { jibHeightM: 50, hookHeightM: 30, radiusM: 20 }));
    expect(hook).toMatchObject({ conflict: 'hook_line', level: 'alarm' });
    expect(hook.clearanceM).toBeCloseTo(0, 9);
    // Trolley in at 10 m: the hook hangs 10 m south of the lower jib: clear.
    expect(
      craneClearance(lo, crane('hi', 40, -20, 0, { jibHeightM: 50, hookHeightM: 30, radiusM: 10 })).level,
    ).toBeNull();
  });

  it("a lower jib reaching the higher crane's mast counts whatever the heights", () => {
    // b's mast stands 1 m off a's jib line at 30 m; b's jib is 20 m higher and points away.
    const r = craneClearance(crane('a', 0, 0, 90), crane('b', 30, 1, 0, { jibHeightM: 60, hookHeightM: 58 }));
    expect(r).toMatchObject({ conflict: 'jib_to_mast', level: 'alarm' });
    expect(r.clearanceM).toBeCloseTo(1, 9);
  });

  it('non-overlapping jib circles: no pair evaluated, and far apart when forced', () => {
    const a = crane('a', 0, 0, 90);
    const b = crane('b', 130, 0, 270);
    expect(jibCirclesOverlap(a, b)).toBe(false);
    expect(siteClearances([a, b])).toEqual([]);
    const r = craneClearance(a, b);
    expect(r.overlap).toBe(false);
    expect(r.clearanceM).toBeCloseTo(30, 9);
    expect(r.level).toBeNull();
    // Tips 3 m apart with circles not overlapping: still a pre-warning (the margin keeps the pair in view).
    const c = crane('c', 103, 0, 270);
    expect(jibCirclesOverlap(a, c)).toBe(false);
    expect(siteClearances([a, c])[0]).toMatchObject({ level: 'prewarning' });
  });

  it('lists every nearby pair once, ordered by id', () => {
    const r = siteClearances([crane('c', 140, 0, 0), crane('b', 50, 0, 0), crane('a', 0, 0, 0)]);
    expect(r.map((x) => `${x.a}-${x.b}`)).toEqual(['a-b', 'b-c']);
  });

  it('places masts in the site frame from lon/lat and back', () => {
    const o = { lon: 120.47, lat: 36.1 };
    const p = siteEnu(o, { lon: 120.4705, lat: 36.1003 });
    expect(p.east).toBeCloseTo(45.05, 1);
    expect(p.north).toBeCloseTo(33.29, 1);
    const back = siteToGeodetic(o, { ...p, up: 60 });
    expect(back.lon).toBeCloseTo(120.4705, 8);
    expect(back.lat).toBeCloseTo(36.1003, 8);
    expect(back.height).toBe(60);
  });
});
