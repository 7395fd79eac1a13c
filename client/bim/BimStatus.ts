import type { Tool } from '../core/Tool.js';
import { t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import type { BimLayer, BimLoadState } from './BimLayer.js';

/** A small pill on the map while BIM tiles stream in ("BIM: 3 model(s) · 12 loading"), hidden when settled. */
export class BimStatus implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly off: () => void;

  constructor(container: HTMLElement, layer: BimLayer) {
    this.root = h('div', { class: 'bim-status', 'data-testid': 'bim-loading', role: 'status', hidden: true });
    container.append(this.root);
    this.off = layer.onLoadState.add((s) => this.render(s));
  }

  private render(s: BimLoadState): void {
    this.root.hidden = !this.enabled || s.pending === 0;
    this.root.dataset.pending = String(s.pending);
    if (!this.root.hidden)
      this.root.replaceChildren(
        h('div', { class: 'spinner small' }),
        t('bim.loading', { models: s.models, pending: s.pending }),
      );
  }

  dispose(): void {
    this.off();
    this.root.remove();
  }
}
