import { RenderedFaces, type FragmentsModel } from '@thatopen/fragments';
import * as THREE from 'three';
import type { ColourTarget, ColouringState } from '../bim/ElementColouring.js';
import { toHex } from '../bim/colourLookup.js';

/**
 * The workspace side of `colourBy`: Fragments' material API (`model.highlight`), which the library implements in its
 * own shaders by overriding the items' material definition per draw, not by swapping three materials per element.
 * GlobalIds are resolved to local ids once per state; the highlight is applied last so it wins over a colour map.
 */
export class FragmentsColouring implements ColourTarget {
  private seq = 0;
  /** Local ids currently highlighted as the selection (for the probe). */
  highlightedLocalIds: number[] = [];

  constructor(
    private readonly model: FragmentsModel,
    private readonly requestRender: () => void,
    private readonly onApplied: () => void = () => {},
  ) {}

  applyColouring(state: ColouringState): void {
    void this.apply(state, ++this.seq);
  }

  private async apply(state: ColouringState, seq: number): Promise<void> {
    const byColour = new Map<string, string[]>();
    for (const [gid, c] of state.colours) {
      if (state.highlighted.has(gid) || c[3] === 0) continue;
      const key = `${toHex(c)}|${c[3]}`;
      let list = byColour.get(key);
      if (!list) byColour.set(key, (list = []));
      list.push(gid);
    }
    const resolve = async (gids: string[]) =>
      (await this.model.getLocalIdsByGuids(gids)).filter((x): x is number => x !== null);
    const groups = await Promise.all([...byColour].map(async ([key, gids]) => ({ key, ids: await resolve(gids) })));
    const selected = await resolve([...state.highlighted]);
    // A newer state arrived while resolving: let it win.
    if (seq !== this.seq) return;
    await this.model.resetHighlight();
    for (const { key, ids } of groups) {
      const [hex, a] = key.split('|');
      if (ids.length)
        await this.model.highlight(ids, {
          color: new THREE.Color(hex),
          renderedFaces: RenderedFaces.TWO,
          opacity: Math.max(0.35, Number(a) / 255),
          transparent: Number(a) < 250,
        });
    }
    if (selected.length)
      await this.model.highlight(selected, {
        color: new THREE.Color(toHex(state.highlightColour)),
        renderedFaces: RenderedFaces.TWO,
        opacity: 1,
        transparent: false,
      });
    this.highlightedLocalIds = selected;
    this.requestRender();
    this.onApplied();
  }
}
