import { Cartesian2, Cartesian3, Matrix4, SceneTransforms } from 'cesium';
import type { Tool } from '../core/Tool.js';
import { placeLabels, type LabelSide, type PlacedBox, type ScreenSegment } from './labelPlacement.js';
import type { MapView } from './MapView.js';

/** One label a layer offers for placement. */
export interface LabelItem {
  id: string;
  position: Cartesian3;
  /** The text as drawn (several lines allowed) and its CSS font. */
  text: string;
  font: string;
  /** Padding of a label background (px each side), if any. */
  padX?: number;
  padY?: number;
  priority: number;
  pin?: boolean;
  /** The pin's dot size (px), kept clear of labels. */
  pinPx?: number;
  /** Px between anchor and the label's bottom edge (labels above a pin). */
  dy?: number;
  /** Other places the label may stand, tried in order when `position` is taken (a district's interior points). */
  alternatives?: readonly Cartesian3[];
  /** Camera distance range (m) in which the label is drawn at all. */
  near?: number;
  far?: number;
  /** Other sides of its anchor the label may stand on when its own spot is taken or crossed by a line. */
  sides?: readonly Exclude<LabelSide, 'above'>[];
}

/** A straight line a layer draws on the map (world positions) that no label may be crossed by. */
export interface LabelObstacle {
  a: Cartesian3;
  b: Cartesian3;
  /** Drawn width, CSS px. */
  widthPx: number;
}

/** A layer whose labels the placer decides: it lists candidates and applies the verdict. */
export interface LabelSource {
  labelItems(out: LabelItem[]): void;
  /** Lines this layer draws now that labels must keep clear of (a crane's mast, jib and counter-jib). */
  labelObstacles?(out: LabelObstacle[]): void;
  applyPlacement(
    shown: ReadonlySet<string>,
    absorbed: ReadonlySet<string>,
    clusters: ReadonlyMap<string, readonly string[]>,
    /** Shown labels that stand elsewhere than `position`: id -> index into `alternatives`. */
    moved: ReadonlyMap<string, number>,
    /** Shown labels that stand on another side of their anchor than above it. */
    sides: ReadonlyMap<string, Exclude<LabelSide, 'above'>>,
  ): void;
}

/** What the last placement did: tests assert on it (no two placed boxes overlap), the layer panel counts from it. */
export interface LabelReport {
  at: number;
  candidates: number;
  placed: PlacedBox[];
  /** Pins drawn (their dots are obstacles to labels). */
  pins: PlacedBox[];
  /** Lines labels were kept off (CSS px, canvas origin). */
  lines: ScreenSegment[];
  hidden: number;
  /** Ids of the labels hidden (no free place for them). */
  hiddenIds: string[];
  absorbed: number;
  clusters: number;
}

const scratchWin = new Cartesian2();
const lastView = new Matrix4();

/**
 * Declutters the map's labels: after a frame in which the camera moved, the canvas was resized or a layer changed its
 * labels, it projects every candidate to the screen, places them by priority without overlaps (labelPlacement.ts),
 * clusters crowded project pins, and lets each layer show what won. Disabled = every label hidden (the layer panel's
 * "labels").
 */
export class LabelPlacer implements Tool {
  private readonly sources: LabelSource[] = [];
  private readonly widths = new Map<string, number>();
  private readonly ctx = document.createElement('canvas').getContext('2d')!;
  private dirty = true;
  private _enabled = true;
  private readonly off: () => void;
  /** The canvas size (CSS px) of the last placement. */
  private lastSize = '';
  report: LabelReport = {
    at: 0,
    candidates: 0,
    placed: [],
    pins: [],
    lines: [],
    hidden: 0,
    hiddenIds: [],
    absorbed: 0,
    clusters: 0,
  };
  /** Pins closer than this (CSS px) are clustered; the wall scales it with its text. */
  clusterPx = 26;

  constructor(private readonly map: MapView) {
    this.off = map.viewer.scene.postRender.addEventListener(() => this.afterFrame());
  }

  add(source: LabelSource): void {
    this.sources.push(source);
    this.invalidate();
  }

  /** A source's labels changed (text, count, priority): place again after the next frame. */
  invalidate(): void {
    this.dirty = true;
    this.map.requestRender();
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    this.invalidate();
  }

  private afterFrame(): void {
    const cam = this.map.viewer.camera;
    // A resized canvas (a window resized, a phone turned) moves every label on the page with the camera still.
    const canvas = this.map.viewer.scene.canvas;
    const size = `${canvas.clientWidth}x${canvas.clientHeight}`;
    if (!this.dirty && size === this.lastSize && Matrix4.equalsEpsilon(cam.viewMatrix, lastView, 1e-9)) return;
    Matrix4.clone(cam.viewMatrix, lastView);
    this.lastSize = size;
    this.dirty = false;
    if (this.place()) this.map.requestRender();
  }

  private textWidth(text: string, font: string): number {
    const key = `${font}\u0000${text}`;
    let w = this.widths.get(key);
    if (w === undefined) {
      this.ctx.font = font;
      w = Math.max(...text.split('\n').map((l) => this.ctx.measureText(l).width));
      this.widths.set(key, w);
    }
    return w;
  }

  /** Runs a placement; true when some label's visibility changed. */
  place(): boolean {
    const scene = this.map.viewer.scene;
    const camPos = scene.camera.positionWC;
    const r = scene.canvas.getBoundingClientRect();
    const items: LabelItem[] = [];
    const obstacles: LabelObstacle[] = [];
    for (const s of this.sources) {
      s.labelItems(items);
      s.labelObstacles?.(obstacles);
    }
    const lines: ScreenSegment[] = [];
    for (const o of this.enabled ? obstacles : []) {
      // An end behind the camera has no window position: such a line runs out of the view, past every label.
      const a = SceneTransforms.worldToWindowCoordinates(scene, o.a, scratchWin);
      if (!a) continue;
      const { x: x1, y: y1 } = a;
      const b = SceneTransforms.worldToWindowCoordinates(scene, o.b, scratchWin);
      if (b) lines.push({ x1, y1, x2: b.x, y2: b.y, width: o.widthPx });
    }
    const candidates = [];
    // Candidate id -> the item's anchor index (0 = position, i = alternatives[i - 1]) of each screen anchor offered.
    const anchorIndex = new Map<string, number[]>();
    for (const it of this.enabled ? items : []) {
      const d = Cartesian3.distance(camPos, it.position);
      if ((it.near !== undefined && d < it.near) || (it.far !== undefined && d > it.far)) continue;
      const screen: { x: number; y: number; i: number }[] = [];
      [it.position, ...(it.alternatives ?? [])].forEach((pos, i) => {
        const w = SceneTransforms.worldToWindowCoordinates(scene, pos, scratchWin);
        if (w && w.x >= 0 && w.y >= 0 && w.x <= r.width && w.y <= r.height) screen.push({ x: w.x, y: w.y, i });
      });
      const [first, ...rest] = screen;
      if (!first) continue;
      if (screen.length > 1 || first.i !== 0)
        anchorIndex.set(
          it.id,
          screen.map((a) => a.i),
        );
      const lines = it.text.split('\n').length;
      const px = Number(/(\d+)px/.exec(it.font)?.[1] ?? 14);
      candidates.push({
        id: it.id,
        x: first.x,
        y: first.y,
        ...(rest.length ? { alternatives: rest.map(({ x, y }) => ({ x, y })) } : {}),
        w: this.textWidth(it.text, it.font) + 2 * (it.padX ?? 0) + 6,
        h: lines * px * 1.25 + 2 * (it.padY ?? 0) + 4,
        priority: it.priority,
        ...(it.pin ? { pin: true, pinPx: it.pinPx ?? 0 } : {}),
        ...(it.dy ? { dy: it.dy } : {}),
        ...(it.sides ? { sides: it.sides } : {}),
      });
    }
    const p = placeLabels(candidates, {
      clusterPx: this.clusterPx,
      bounds: { width: r.width, height: r.height },
      lines,
    });
    const shown = new Set(p.placed.map((b) => b.id));
    const absorbed = new Set(p.absorbed);
    const moved = new Map<string, number>();
    const sides = new Map<string, Exclude<LabelSide, 'above'>>();
    for (const b of p.placed) {
      const i = anchorIndex.get(b.id)?.[b.anchor ?? 0] ?? 0;
      if (i > 0) moved.set(b.id, i - 1);
      if (b.side) sides.set(b.id, b.side);
    }
    this.report = {
      at: Date.now(),
      candidates: candidates.length,
      placed: p.placed,
      pins: p.pins,
      lines,
      hidden: p.hidden.length,
      hiddenIds: [...p.hidden],
      absorbed: absorbed.size,
      clusters: p.clusters.size,
    };
    const before = this.signature;
    for (const s of this.sources) s.applyPlacement(shown, absorbed, p.clusters, moved, sides);
    this.signature = `${[...shown].sort().join()}|${[...absorbed].sort().join()}|${[...p.clusters].map(([k, v]) => `${k}:${v.length}`).join()}|${[...moved].join()}|${[...sides].join()}`;
    return before !== this.signature;
  }
  private signature = '';

  dispose(): void {
    this.off();
    this.sources.length = 0;
  }
}
