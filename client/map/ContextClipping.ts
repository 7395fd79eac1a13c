import { Cartesian3, Cartographic, ClippingPolygon, ClippingPolygonCollection, type Cesium3DTileset } from 'cesium';
import type { Project } from '../../models/Project.js';
import { ringCentroid } from '../../models/geo.js';
import type { Tool } from '../core/Tool.js';
import type { ProjectStore } from '../state/ProjectStore.js';

/** Context cut this far beyond a project's footprint, so its model's edge and scaffolding never sit inside it. */
export const CLIP_MARGIN_M = 8;
const M_PER_DEG_LAT = 111_320;

/** Corners sharper than this (miter longer than this many margins) are bevelled, not mitred to a spike. */
const MITER_LIMIT = 4;

/**
 * A footprint's outer ring grown by `marginM` all round (lon/lat degrees, closing vertex dropped): every edge moved
 * out by the margin (either winding), corners mitred, so the whole footprint lies at least `marginM` inside the cut
 * (a corner sharper than the miter limit, about 29°, is bevelled and keeps a little less at its tip). Computed in
 * metres on a local plane at the footprint's centroid.
 */
export function grownRing(p: Pick<Project, 'footprint'>, marginM = CLIP_MARGIN_M): [number, number][] {
  const c = ringCentroid(p.footprint);
  const kx = M_PER_DEG_LAT * Math.cos((c.lat * Math.PI) / 180);
  const pts: [number, number][] = [];
  for (const [lon, lat] of p.footprint.coordinates[0]!.slice(0, -1)) {
    const q: [number, number] = [(lon! - c.lon) * kx, (lat! - c.lat) * M_PER_DEG_LAT];
    const last = pts[pts.length - 1];
    if (!last || Math.hypot(q[0] - last[0], q[1] - last[1]) > 1e-6) pts.push(q);
  }
  const n = pts.length;
  let area2 = 0;
  for (let i = 0; i < n; i++) area2 += pts[i]![0] * pts[(i + 1) % n]![1] - pts[(i + 1) % n]![0] * pts[i]![1];
  const out = area2 >= 0 ? 1 : -1; // counter-clockwise: the outward normal of (dx, dy) is (dy, -dx)
  const normal = (i: number): [number, number] => {
    const a = pts[i % n]!;
    const b = pts[(i + 1) % n]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    return [(out * (b[1] - a[1])) / len, (-out * (b[0] - a[0])) / len];
  };
  const grown: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const v = pts[i]!;
    const n0 = normal(i + n - 1);
    const n1 = normal(i);
    const k = 1 + n0[0] * n1[0] + n0[1] * n1[1];
    if (k > 2 / (MITER_LIMIT * MITER_LIMIT)) {
      grown.push([v[0] + (marginM * (n0[0] + n1[0])) / k, v[1] + (marginM * (n0[1] + n1[1])) / k]);
    } else {
      grown.push([v[0] + marginM * n0[0], v[1] + marginM * n0[1]], [v[0] + marginM * n1[0], v[1] + marginM * n1[1]]);
    }
  }
  return grown.map(([x, y]) => [c.lon + x / kx, c.lat + y / M_PER_DEG_LAT]);
}

/**
 * Keeps BIM models out of the city context (`CONTEXT_TILESET_URL`, photogrammetry or buildings): the context is
 * clipped away inside every project's footprint (grown by CLIP_MARGIN_M) with a ClippingPolygonCollection on the
 * tileset, kept in step with the ProjectStore, so a model is never buried in the mesh of what stood there before.
 */
export class ContextClipping implements Tool {
  private _enabled = true;
  private readonly off: () => void;
  private tileset: Cesium3DTileset | null = null;

  constructor(private readonly store: ProjectStore) {
    this.off = store.onChanged.add(() => this.apply());
  }

  /** The context tileset to clip (MapView hands it over once loaded). */
  attach(tileset: Cesium3DTileset): void {
    this.tileset = tileset;
    this.apply();
  }

  /** Polygons clipping the context now (tests). */
  get polygonCount(): number {
    return this.tileset?.clippingPolygons?.length ?? 0;
  }

  /** What the context tileset is clipped with now, read back from it (tests): rings in lon/lat degrees. */
  get state(): { enabled: boolean; rings: [number, number][][] } {
    const ts = this.tileset;
    const cpc = ts && !ts.isDestroyed() ? ts.clippingPolygons : undefined;
    const rings: [number, number][][] = [];
    for (let i = 0; i < (cpc?.length ?? 0); i++)
      rings.push(
        cpc!.get(i).positions.map((p) => {
          const g = Cartographic.fromCartesian(p);
          return [(g.longitude * 180) / Math.PI, (g.latitude * 180) / Math.PI] as [number, number];
        }),
      );
    return {
      enabled: !!cpc?.enabled,
      rings,
    };
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    if (this.tileset?.clippingPolygons) this.tileset.clippingPolygons.enabled = v;
  }

  private apply(): void {
    const ts = this.tileset;
    if (!ts || ts.isDestroyed()) return;
    const polygons = this.store
      .list()
      .map((p) => new ClippingPolygon({ positions: Cartesian3.fromDegreesArray(grownRing(p).flat()) }));
    // A fresh collection per change: projects change rarely, and a collection cannot be shared or re-owned.
    ts.clippingPolygons = new ClippingPolygonCollection({ polygons, enabled: this._enabled });
  }

  dispose(): void {
    this.off();
    this.tileset = null;
  }
}
