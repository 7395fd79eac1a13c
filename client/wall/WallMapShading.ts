import { Color, ColorMaterialProperty, ConstantProperty } from 'cesium';
import type { Tool } from '../core/Tool.js';
import type { MapView } from '../map/MapView.js';
import type { ProjectLayer } from '../map/ProjectLayer.js';
import type { ProjectLiveness } from './ProjectFreshness.js';

const OFFLINE = Color.fromCssColorString('#5d6675');

/**
 * Greys the footprints of offline projects on the wall's map (no device reporting within its interval): a wall must
 * never show stale sites in live colours. It restyles only projects whose state flipped, so a steady wall renders
 * nothing new.
 */
export class WallMapShading implements Tool {
  enabled = true;
  private readonly greyed = new Set<string>();
  private readonly saved = new Map<string, { material: unknown; outline: unknown; point: unknown }>();

  constructor(
    private readonly map: MapView,
    private readonly layer: ProjectLayer,
  ) {}

  /** Applies the liveness of every project (ids without liveness = no devices = offline). */
  apply(ids: readonly string[], live: ReadonlyMap<string, ProjectLiveness>): void {
    let changed = false;
    for (const id of ids) {
      const offline = !live.get(id)?.online;
      const e = this.layer.dataSource.entities.getById(id);
      if (!e?.polygon || !e.point) continue;
      if (offline && !this.greyed.has(id)) {
        this.saved.set(id, { material: e.polygon.material, outline: e.polygon.outlineColor, point: e.point.color });
        e.polygon.material = new ColorMaterialProperty(OFFLINE.withAlpha(0.55));
        e.polygon.outlineColor = new ConstantProperty(OFFLINE.brighten(0.2, new Color()));
        e.point.color = new ConstantProperty(OFFLINE);
        this.greyed.add(id);
        changed = true;
      } else if (!offline && this.greyed.has(id)) {
        const s = this.saved.get(id);
        if (s) {
          e.polygon.material = s.material as never;
          e.polygon.outlineColor = s.outline as never;
          e.point.color = s.point as never;
        }
        this.greyed.delete(id);
        this.saved.delete(id);
        changed = true;
      }
    }
    for (const id of [...this.greyed]) if (!ids.includes(id)) (this.greyed.delete(id), this.saved.delete(id));
    if (changed) this.map.requestRender();
  }

  /** A project was redrawn by its layer (live update): its colours are the layer's again. */
  forget(id: string): void {
    this.greyed.delete(id);
    this.saved.delete(id);
  }

  get greyedCount(): number {
    return this.greyed.size;
  }

  dispose(): void {
    this.greyed.clear();
    this.saved.clear();
  }
}
