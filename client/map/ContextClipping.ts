import { Cartesian3, ClippingPolygon, ClippingPolygonCollection, type Cesium3DTileset } from 'cesium';
import type { Project } from '../../models/Project.js';
import { ringCentroid } from '../../models/geo.js';
import type { Tool } from '../core/Tool.js';
import type { ProjectStore } from '../state/ProjectStore.js';

/** Context cut this far beyond a project's footprint, so its model's edge and scaffolding never sit inside it. */
export const CLIP_MARGIN_M = 8;
const M_PER_DEG_LAT = 111_320;

/** A footprint's outer ring grown by `marginM` away from its centroid (lon/lat degrees, closing vertex dropped). */
export function grownRing(p: Pick<Project, 'footprint'>, marginM = CLIP_MARGIN_M): [number, number][] {
  const ring = p.footprint.coordinates[0]!;
  const c = ringCentroid(p.footprint);
  const kx = M_PER_DEG_LAT * Math.cos((c.lat * Math.PI) / 180);
  return ring.slice(0, -1).map(([lon, lat]) => {
    const dx = (lon! - c.lon) * kx;
    const dy = (lat! - c.lat) * M_PER_DEG_LAT;
    const d = Math.hypot(dx, dy) || 1;
    const f = (d + marginM) / d;
    return [c.lon + (dx * f) / kx, c.lat + (dy * f) / M_PER_DEG_LAT];
  });
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
