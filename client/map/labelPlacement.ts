/**
 * Collision-aware label placement and pin clustering in screen space, pure (no Cesium, no DOM) so it is tested in
 * Node. Greedy by priority: the most important label (alarm, then status) is placed first and keeps its place; a
 * label whose box would overlap a placed one is hidden. Pins closer than `clusterPx` collapse into the
 * highest-priority pin of the crowd, which counts the others. Lines drawn on the map (a tower crane's mast and jib) are
 * obstacles too: a label they cross is moved to another side of its anchor, or hidden.
 */

/** Where a box stands around its anchor: above it (the default), or beside, under or at a corner of it. */
export type LabelSide =
  'above' | 'above-right' | 'above-left' | 'right' | 'left' | 'below-right' | 'below-left' | 'below';

/**
 * Every side but the default, corners first: lines that leave an anchor in opposite directions (a crane's jib and
 * counter-jib from its mast top, the mast down) cross at most two of its four sides but leave a corner free.
 */
export const OTHER_SIDES: readonly Exclude<LabelSide, 'above'>[] = [
  'above-right',
  'above-left',
  'right',
  'left',
  'below-right',
  'below-left',
  'below',
];

/**
 * Where a pin's name may stand when the place above its pin is taken or cut by the map's edge: under it, beside it,
 * then at its corners (on the 4K wall at district scale, three of four pins near the map's edge and district names
 * went unnamed).
 */
export const PIN_SIDES: readonly Exclude<LabelSide, 'above'>[] = [
  'below',
  'right',
  'left',
  'above-right',
  'above-left',
  'below-right',
  'below-left',
];

/** A line drawn on the map, in CSS px, that no label may be crossed by (a crane's jib would strike its text out). */
export interface ScreenSegment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** The drawn line's width (px): a label keeps half of it clear of the centre line. */
  width?: number;
}

/** A label to place: its anchor (CSS px), box size and priority. The box is centred on x and ends `dy` above y. */
export interface LabelCandidate {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  priority: number;
  /** Pixels between the anchor and the box's bottom edge (a pin's label sits above it); 0 = centred on the anchor. */
  dy?: number;
  /** A project pin: may be clustered with other pins. */
  pin?: boolean;
  /** Size of the pin's dot (px): an obstacle no label may cover (a pin is always drawn). */
  pinPx?: number;
  /**
   * Other anchors (CSS px) to try in order when the box at (x, y) is taken or cut by the edge: a district's other
   * interior points. The first that fits wins; its index (1-based; 0 = x, y) is the placed box's `anchor`.
   */
  alternatives?: readonly { x: number; y: number }[];
  /**
   * Other sides of the anchor the box may stand on, tried in order after the default (above with `dy`, else centred)
   * when that is taken or crossed by a line. Beside and under, the box keeps `dy` (at least 4 px) from the anchor.
   */
  sides?: readonly Exclude<LabelSide, 'above'>[];
}

/** A placed label's box (CSS px, top-left origin). */
export interface PlacedBox {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Which anchor won: 0 = the candidate's (x, y), i = its alternatives[i - 1]. */
  anchor?: number;
  /** The side of the anchor it stands on, when not the default. */
  side?: Exclude<LabelSide, 'above'>;
}

export interface Placement {
  placed: PlacedBox[];
  /** Labels hidden because they would overlap a higher-priority one. */
  hidden: string[];
  /** Pins folded into a cluster (neither pin nor label shown). */
  absorbed: string[];
  /** Cluster head -> the pins it stands for (sorted). */
  clusters: Map<string, string[]>;
  /** The pins' dots, which labels keep clear of. */
  pins: PlacedBox[];
}

/** Do two boxes overlap (touching edges do not)? */
export function boxesOverlap(
  a: { x: number; y: number; w: number; h: number },
  b: { x: number; y: number; w: number; h: number },
): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * Does a segment cross or touch a box? Liang-Barsky clipping of the segment to the box: some part of it is left.
 */
export function boxCrossesSegment(b: { x: number; y: number; w: number; h: number }, s: ScreenSegment): boolean {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  let t0 = 0;
  let t1 = 1;
  // p * t <= q for each of the four edges.
  const edges: [number, number][] = [
    [-dx, s.x1 - b.x],
    [dx, b.x + b.w - s.x1],
    [-dy, s.y1 - b.y],
    [dy, b.y + b.h - s.y1],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
      continue;
    }
    const r = q / p;
    if (p < 0) t0 = Math.max(t0, r);
    else t1 = Math.min(t1, r);
    if (t0 > t1) return false;
  }
  return true;
}

/** A long name cut to `max` characters (by code point, so CJK is never split) with an ellipsis. */
export function truncateLabel(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

const CELL = 64;

type Box = { x: number; y: number; w: number; h: number };
const inflate = (b: Box, d: number): Box => (d ? { x: b.x - d, y: b.y - d, w: b.w + 2 * d, h: b.h + 2 * d } : b);

/**
 * Places labels (see the file comment). `marginPx` keeps a gap between boxes; with `bounds` (the canvas, CSS px) a
 * label that would be cut by its edge is hidden.
 */
export function placeLabels(
  items: readonly LabelCandidate[],
  opts: {
    clusterPx: number;
    marginPx?: number;
    bounds?: { width: number; height: number };
    /** Lines drawn on the map that no label may cross (few: a site's cranes; tested against every box). */
    lines?: readonly ScreenSegment[];
  },
): Placement {
  const order = [...items].sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const margin = opts.marginPx ?? 2;
  const clusters = new Map<string, string[]>();
  const absorbed: string[] = [];
  const heads: LabelCandidate[] = [];
  const r2 = opts.clusterPx * opts.clusterPx;
  for (const it of order) {
    if (it.pin && r2 > 0) {
      const head = heads.find((h) => h.pin && (h.x - it.x) ** 2 + (h.y - it.y) ** 2 < r2);
      if (head) {
        const list = clusters.get(head.id) ?? [];
        list.push(it.id);
        clusters.set(head.id, list);
        absorbed.push(it.id);
        continue;
      }
    }
    heads.push(it);
  }
  for (const list of clusters.values()) list.sort();

  // A uniform grid of placed boxes keeps the collision test near O(n) for a thousand labels.
  const grid = new Map<string, PlacedBox[]>();
  const cells = (b: PlacedBox) => {
    const out: string[] = [];
    for (let gx = Math.floor(b.x / CELL); gx <= Math.floor((b.x + b.w) / CELL); gx++)
      for (let gy = Math.floor(b.y / CELL); gy <= Math.floor((b.y + b.h) / CELL); gy++) out.push(`${gx},${gy}`);
    return out;
  };
  const placed: PlacedBox[] = [];
  const hidden: string[] = [];
  const insert = (box: PlacedBox) => {
    for (const k of cells(box)) {
      const l = grid.get(k);
      if (l) l.push(box);
      else grid.set(k, [box]);
    }
  };
  // Pins first: every shown pin stays, so no label may sit on one.
  const pins: PlacedBox[] = [];
  for (const it of heads) {
    if (!it.pin || !it.pinPx) continue;
    const box = { id: `pin:${it.id}`, x: it.x - it.pinPx / 2, y: it.y - it.pinPx / 2, w: it.pinPx, h: it.pinPx };
    pins.push(box);
    insert(box);
  }
  const fits = (box: PlacedBox): boolean => {
    const b = opts.bounds;
    if (b && (box.x < 0 || box.y < 0 || box.x + box.w > b.width || box.y + box.h > b.height)) return false;
    const padded = { x: box.x - margin, y: box.y - margin, w: box.w + 2 * margin, h: box.h + 2 * margin };
    if (opts.lines?.some((l) => boxCrossesSegment(inflate(padded, (l.width ?? 0) / 2), l))) return false;
    return !cells(box).some((k) => grid.get(k)?.some((o) => boxesOverlap(padded, o)));
  };
  for (const it of heads) {
    const dy = it.dy ?? 0;
    const gap = Math.max(dy, 4);
    const anchors = [{ x: it.x, y: it.y }, ...(it.alternatives ?? [])];
    const sides = [undefined, ...(it.sides ?? [])];
    let won: PlacedBox | null = null;
    for (let i = 0; i < anchors.length && !won; i++) {
      const a = anchors[i]!;
      for (const side of sides) {
        const box: PlacedBox = {
          id: it.id,
          x: side?.endsWith('right') ? a.x + gap : side?.endsWith('left') ? a.x - gap - it.w : a.x - it.w / 2,
          y: side?.startsWith('below')
            ? a.y + gap
            : side?.startsWith('above')
              ? a.y - gap - it.h
              : side || !dy
                ? a.y - it.h / 2
                : a.y - dy - it.h,
          w: it.w,
          h: it.h,
          ...(i ? { anchor: i } : {}),
          ...(side ? { side } : {}),
        };
        if (fits(box)) {
          won = box;
          break;
        }
      }
    }
    if (!won) {
      hidden.push(it.id);
      continue;
    }
    placed.push(won);
    insert(won);
  }
  return { placed, hidden, absorbed, clusters, pins };
}
