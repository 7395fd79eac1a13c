/**
 * Collision-aware label placement and pin clustering in screen space, pure (no Cesium, no DOM) so it is tested in
 * Node. Greedy by priority: the most important label (alarm, then status) is placed first and keeps its place; a
 * label whose box would overlap a placed one is hidden. Pins closer than `clusterPx` collapse into the
 * highest-priority pin of the crowd, which counts the others.
 */

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

/** A long name cut to `max` characters (by code point, so CJK is never split) with an ellipsis. */
export function truncateLabel(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

const CELL = 64;

/**
 * Places labels (see the file comment). `marginPx` keeps a gap between boxes; with `bounds` (the canvas, CSS px) a
 * label that would be cut by its edge is hidden.
 */
export function placeLabels(
  items: readonly LabelCandidate[],
  opts: { clusterPx: number; marginPx?: number; bounds?: { width: number; height: number } },
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
    return !cells(box).some((k) => grid.get(k)?.some((o) => boxesOverlap(padded, o)));
  };
  for (const it of heads) {
    const dy = it.dy ?? 0;
    const anchors = [{ x: it.x, y: it.y }, ...(it.alternatives ?? [])];
    let won: PlacedBox | null = null;
    for (let i = 0; i < anchors.length && !won; i++) {
      const a = anchors[i]!;
      const box: PlacedBox = {
        id: it.id,
        x: a.x - it.w / 2,
        y: dy ? a.y - dy - it.h : a.y - it.h / 2,
        w: it.w,
        h: it.h,
        ...(i ? { anchor: i } : {}),
      };
      if (fits(box)) won = box;
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
