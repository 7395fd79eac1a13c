import type { Entity, EntityCollection } from 'cesium';
import { ConstantProperty } from 'cesium';

const PX = /(\d+(?:\.\d+)?)px/;

/**
 * Scales the text of every label in an entity collection, those added later included: a wall read from across the
 * room draws a site's device labels as large as its project labels. The font's pixel size is scaled (not the label's
 * `scale`), so the label placer, which measures labels by their font, sees the size that is drawn.
 */
export class LabelScale {
  private _scale = 1;
  /** Each label's font as its overlay set it (scale 1). */
  private readonly base = new WeakMap<Entity, string>();
  private readonly off: () => void;

  constructor(private readonly entities: EntityCollection) {
    this.off = entities.collectionChanged.addEventListener((_c, added: Entity[]) => {
      for (const e of added) this.apply(e);
    });
  }

  get scale(): number {
    return this._scale;
  }
  set scale(s: number) {
    if (s === this._scale) return;
    this._scale = s;
    for (const e of this.entities.values) this.apply(e);
  }

  private apply(e: Entity): void {
    const label = e.label;
    if (!label?.font) return;
    let base = this.base.get(e);
    if (base === undefined) {
      base = label.font.getValue(undefined as never) as string;
      this.base.set(e, base);
    }
    const font = base.replace(PX, (_m, px: string) => `${Math.round(Number(px) * this._scale)}px`);
    if (font !== label.font.getValue(undefined as never)) label.font = new ConstantProperty(font);
  }

  dispose(): void {
    this.off();
  }
}
