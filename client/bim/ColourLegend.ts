import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import type { ColouringState, ElementColouring } from './ElementColouring.js';

/** The legend of the current colour map (`colourBy(..., legend)`): hidden when nothing is coloured. */
export class ColourLegend implements Tool {
  private readonly root: HTMLElement;
  private readonly off: () => void;
  private _enabled = true;

  constructor(container: HTMLElement, colouring: ElementColouring) {
    this.root = h('div', { class: 'legend colour-legend', 'data-testid': 'colour-legend', hidden: true });
    container.append(this.root);
    this.off = colouring.onChanged.add((s) => this.render(s));
    this.render(colouring.current);
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    this.render(null);
  }

  private render(s: ColouringState | null): void {
    const legend = s?.legend;
    this.root.hidden = !this._enabled || !legend || legend.entries.length === 0;
    if (!legend || this.root.hidden) return;
    this.root.replaceChildren(
      h('div', { class: 'legend-title', text: legend.title }),
      ...legend.entries.map((e) => {
        const item = h(
          'div',
          { class: 'legend-item' },
          h('i', { class: 'swatch' }),
          h('span', { text: e.label }),
          h('b', { text: e.count === undefined ? '' : String(e.count) }),
        );
        item.style.setProperty('--c', e.colour);
        return item;
      }),
    );
  }

  dispose(): void {
    this.off();
    this.root.remove();
  }
}
