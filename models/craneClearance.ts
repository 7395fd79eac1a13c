import { z } from 'zod';
import type { AlarmLevel } from './Alarm.js';
import { geodeticToModel, modelToGeodetic } from './geodesy.js';

/** GB 5144-2006: cranes whose working areas overlap keep at least 2 m horizontally and vertically. */
export const MIN_CLEARANCE_M = 2;
/** Default pre-warning distance: far enough to stop a slew at typical speeds (0.6 rpm at 50 m is ~3 m/s). */
export const WARN_CLEARANCE_M = 5;

/** A point in a site's east-north-up frame, metres (height above the ellipsoid). */
export interface EnuPoint {
  east: number;
  north: number;
  up: number;
}

/**
 * A tower crane's live pose in the site frame. `slewDeg` is the jib's azimuth, clockwise from north (the counter-jib
 * points the other way); the jib and counter-jib sit at `jibHeightM` (the mast height, flat-top crane); the trolley is
 * at `radiusM` from the mast and the hook hangs from it down to `hookHeightM`.
 */
export interface CranePose {
  id: string;
  east: number;
  north: number;
  jibHeightM: number;
  jibLengthM: number;
  counterJibLengthM: number;
  slewDeg: number;
  radiusM: number;
  hookHeightM: number;
}

/** Which pair of parts governs a clearance. */
export type ClearanceConflict = 'jibs' | 'hook_line' | 'jib_to_mast';

/** Pairwise clearance of two cranes: the closest counted approach and its level. */
export interface ClearanceResult {
  a: string;
  b: string;
  mastDistanceM: number;
  /** The jib circles (radius = jib length) overlap: the working areas share ground. */
  overlap: boolean;
  /** Plan distance between the two jib lines (jib + counter-jib). */
  horizontalM: number;
  /** Height difference of the two jibs. */
  verticalM: number;
  /**
   * The smallest plan distance among the approaches that are also within `minVerticalM` vertically (jib vs jib,
   * the higher crane's hook line vs the lower jib, a jib vs the other crane's mast); null when none is.
   */
  clearanceM: number | null;
  conflict: ClearanceConflict | null;
  /** The two closest points of the governing approach (on `a`'s part first), site frame. */
  closest: { a: EnuPoint; b: EnuPoint } | null;
  level: AlarmLevel | null;
}

export interface ClearanceOptions {
  /** Alarm below this plan distance (default 2 m). */
  minHorizontalM?: number;
  /** Two parts count as at one level when their vertical gap is below this (default 2 m). */
  minVerticalM?: number;
  /** Pre-warning below this plan distance (default 5 m). */
  warnM?: number;
}

type P2 = [number, number];

function jibEnds(c: CranePose): [P2, P2] {
  const r = (c.slewDeg * Math.PI) / 180;
  const ux = Math.sin(r);
  const uy = Math.cos(r);
  return [
    [c.east - c.counterJibLengthM * ux, c.north - c.counterJibLengthM * uy],
    [c.east + c.jibLengthM * ux, c.north + c.jibLengthM * uy],
  ];
}

function hookPoint(c: CranePose): P2 {
  const r = (c.slewDeg * Math.PI) / 180;
  return [c.east + c.radiusM * Math.sin(r), c.north + c.radiusM * Math.cos(r)];
}

/** Closest point of segment ab to p. */
function closestOnSegment(p: P2, a: P2, b: P2): P2 {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return [a[0] + t * dx, a[1] + t * dy];
}

const dist = (p: P2, q: P2) => Math.hypot(p[0] - q[0], p[1] - q[1]);
const cross = (o: P2, a: P2, b: P2) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** Plan distance between segments p1p2 and q1q2 and the closest points (0 and the crossing point when they cross). */
export function segmentDistance(p1: P2, p2: P2, q1: P2, q2: P2): { d: number; p: P2; q: P2 } {
  const d1 = cross(q1, q2, p1);
  const d2 = cross(q1, q2, p2);
  const d3 = cross(p1, p2, q1);
  const d4 = cross(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
    const t = d1 / (d1 - d2);
    const x: P2 = [p1[0] + t * (p2[0] - p1[0]), p1[1] + t * (p2[1] - p1[1])];
    return { d: 0, p: x, q: x };
  }
  const cands = [
    { p: p1, q: closestOnSegment(p1, q1, q2) },
    { p: p2, q: closestOnSegment(p2, q1, q2) },
    { p: closestOnSegment(q1, p1, p2), q: q1 },
    { p: closestOnSegment(q2, p1, p2), q: q2 },
  ];
  let best = { d: Infinity, p: p1, q: q1 };
  for (const c of cands) {
    const d = dist(c.p, c.q);
    if (d < best.d) best = { d, ...c };
  }
  return best;
}

/** True when two cranes' jib circles (plus `marginM`) overlap: the cheap test before the full clearance. */
export function jibCirclesOverlap(
  a: Pick<CranePose, 'east' | 'north' | 'jibLengthM'>,
  b: Pick<CranePose, 'east' | 'north' | 'jibLengthM'>,
  marginM = 0,
): boolean {
  return Math.hypot(a.east - b.east, a.north - b.north) < a.jibLengthM + b.jibLengthM + marginM;
}

/**
 * Clearance between two tower cranes from their live poses (GB 5144-2006's 2 m rule). Three approaches are checked:
 * the two jib lines when their heights differ by less than `minVerticalM`; the higher crane's hook line against the
 * lower jib when the hook hangs less than `minVerticalM` above that jib (or below its level); and each jib against the
 * other crane's mast when that mast reaches the jib's level. Distances are to the axes of the members (mast and jib
 * sections are ~1.5-2 m wide: a site that wants the steel-to-steel distance adds half a section to `minHorizontalM`).
 */
export function craneClearance(a: CranePose, b: CranePose, opts: ClearanceOptions = {}): ClearanceResult {
  const minH = opts.minHorizontalM ?? MIN_CLEARANCE_M;
  const minV = opts.minVerticalM ?? MIN_CLEARANCE_M;
  const warn = Math.max(opts.warnM ?? WARN_CLEARANCE_M, minH);
  const [a1, a2] = jibEnds(a);
  const [b1, b2] = jibEnds(b);
  const jj = segmentDistance(a1, a2, b1, b2);
  const verticalM = Math.abs(a.jibHeightM - b.jibHeightM);

  let best: { d: number; conflict: ClearanceConflict; pa: EnuPoint; pb: EnuPoint } | null = null;
  const consider = (d: number, conflict: ClearanceConflict, pa: EnuPoint, pb: EnuPoint) => {
    if (!best || d < best.d) best = { d, conflict, pa, pb };
  };
  const at = (p: P2, up: number): EnuPoint => ({ east: p[0], north: p[1], up });

  if (verticalM < minV) consider(jj.d, 'jibs', at(jj.p, a.jibHeightM), at(jj.q, b.jibHeightM));

  // The higher crane's hook line (a vertical from its trolley down to the hook) against the lower jib.
  const pairs: [CranePose, CranePose, boolean][] = [
    [a, b, true],
    [b, a, false],
  ];
  for (const [hi, lo, hiIsA] of pairs) {
    if (hi.jibHeightM < lo.jibHeightM) continue;
    if (hi.jibHeightM === lo.jibHeightM && !hiIsA) continue;
    if (hi.hookHeightM - lo.jibHeightM >= minV) continue;
    const hook = hookPoint(hi);
    const [l1, l2] = hi === a ? [b1, b2] : [a1, a2];
    const q = closestOnSegment(hook, l1, l2);
    const hookPt = at(hook, Math.max(hi.hookHeightM, lo.jibHeightM));
    const jibPt = at(q, lo.jibHeightM);
    consider(dist(hook, q), 'hook_line', hiIsA ? hookPt : jibPt, hiIsA ? jibPt : hookPt);
  }

  // A jib against the other crane's mast, when that mast stands up to the jib's level.
  for (const [jib, mast, jibIsA] of [
    [a, b, true],
    [b, a, false],
  ] as [CranePose, CranePose, boolean][]) {
    if (mast.jibHeightM + minV <= jib.jibHeightM) continue;
    const [j1, j2] = jibIsA ? [a1, a2] : [b1, b2];
    const m: P2 = [mast.east, mast.north];
    const q = closestOnSegment(m, j1, j2);
    const jibPt = at(q, jib.jibHeightM);
    const mastPt = at(m, jib.jibHeightM);
    consider(dist(m, q), 'jib_to_mast', jibIsA ? jibPt : mastPt, jibIsA ? mastPt : jibPt);
  }

  const mastDistanceM = Math.hypot(a.east - b.east, a.north - b.north);
  const g = best as { d: number; conflict: ClearanceConflict; pa: EnuPoint; pb: EnuPoint } | null;
  return {
    a: a.id,
    b: b.id,
    mastDistanceM,
    overlap: mastDistanceM < a.jibLengthM + b.jibLengthM,
    horizontalM: jj.d,
    verticalM,
    clearanceM: g ? g.d : null,
    conflict: g ? g.conflict : null,
    closest: g ? { a: g.pa, b: g.pb } : null,
    level: !g ? null : g.d < minH ? 'alarm' : g.d < warn ? 'prewarning' : null,
  };
}

/** Every pair of cranes whose jib circles (with the warning margin) overlap, with its clearance. */
export function siteClearances(cranes: CranePose[], opts: ClearanceOptions = {}): ClearanceResult[] {
  const margin = Math.max(opts.warnM ?? WARN_CLEARANCE_M, opts.minHorizontalM ?? MIN_CLEARANCE_M);
  const out: ClearanceResult[] = [];
  const sorted = [...cranes].sort((x, y) => (x.id < y.id ? -1 : 1));
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      if (jibCirclesOverlap(sorted[i]!, sorted[j]!, margin)) out.push(craneClearance(sorted[i]!, sorted[j]!, opts));
    }
  }
  return out;
}

/** A crane's mast position in the site frame of `origin` (east, north metres). */
export function siteEnu(
  origin: { lon: number; lat: number },
  p: { lon: number; lat: number },
): { east: number; north: number } {
  const [east, north] = geodeticToModel(
    { lon: origin.lon, lat: origin.lat, height: 0, headingDeg: 0 },
    p.lon,
    p.lat,
    0,
  );
  return { east, north };
}

/** A site-frame point back on the globe (for the line a client draws between two cranes). */
export function siteToGeodetic(
  origin: { lon: number; lat: number },
  p: EnuPoint,
): { lon: number; lat: number; height: number } {
  const g = modelToGeodetic({ lon: origin.lon, lat: origin.lat, height: 0, headingDeg: 0 }, p.east, p.north, 0);
  // The frame's up axis is the ellipsoid normal at the origin: over a site the height is the point's own.
  return { lon: g.lon, lat: g.lat, height: p.up };
}

const GeoPt = z.object({ lon: z.number(), lat: z.number(), height: z.number() });

/** A clearance risk as pushed on `/live` (`crane.clearance`): the pair, the governing approach and its two points. */
export const CraneClearanceInfo = z.object({
  projectId: z.string().uuid(),
  a: z.string().uuid(),
  b: z.string().uuid(),
  level: z.enum(['prewarning', 'alarm']).nullable(),
  clearanceM: z.number().nullable(),
  horizontalM: z.number(),
  verticalM: z.number(),
  conflict: z.enum(['jibs', 'hook_line', 'jib_to_mast']).nullable(),
  /** The line between the two cranes a client draws while the risk lasts (null when none counts). */
  closest: z.object({ a: GeoPt, b: GeoPt }).nullable(),
  time: z.number().int(),
});
export type CraneClearanceInfo = z.infer<typeof CraneClearanceInfo>;
