import type { Tool } from '../core/Tool.js';
import { t } from '../i18n/i18n.js';

/** A switch of the layer panel: a layer on or off. */
export interface LayerToggle {
  kind: 'toggle';
  id: string;
  /** In the page's language (from the message catalogue). */
  label: string;
  group: string;
  get(): boolean;
  set(v: boolean): void;
}

/** A choice of the layer panel (base map source, district figure). */
export interface LayerChoice {
  kind: 'choice';
  id: string;
  label: string;
  group: string;
  options: readonly { value: string; label: string }[];
  get(): string;
  set(v: string): void;
}

export type LayerEntry = LayerToggle | LayerChoice;

/**
 * The layer panel: models, device kinds, heat map, labels, alarms, districts, base maps. Self-contained: it mounts
 * into the element it is given (today a corner of the map; the docked layout's tab tomorrow) and knows the layers only
 * through the entries' get/set, so the page decides what is listed.
 */
export class LayerPanel implements Tool {
  readonly root: HTMLElement;
  private _enabled = true;
  private readonly inputs = new Map<string, { entry: LayerEntry; el: HTMLInputElement | HTMLSelectElement }>();

  constructor(container: HTMLElement, entries: readonly LayerEntry[], opts: { title?: string; open?: boolean } = {}) {
    const doc = container.ownerDocument;
    this.root = doc.createElement('details');
    this.root.className = 'layer-panel';
    this.root.dataset.testid = 'layer-panel';
    (this.root as HTMLDetailsElement).open = opts.open ?? false;
    const summary = doc.createElement('summary');
    summary.textContent = opts.title ?? t('dock.layers');
    this.root.append(summary);
    const groups = new Map<string, HTMLElement>();
    for (const e of entries) {
      let g = groups.get(e.group);
      if (!g) {
        g = doc.createElement('fieldset');
        const legend = doc.createElement('legend');
        legend.textContent = e.group;
        g.append(legend);
        groups.set(e.group, g);
        this.root.append(g);
      }
      const label = doc.createElement('label');
      label.dataset.layer = e.id;
      if (e.kind === 'toggle') {
        const input = doc.createElement('input');
        input.type = 'checkbox';
        input.checked = e.get();
        input.addEventListener('change', () => e.set(input.checked));
        label.append(input, doc.createTextNode(` ${e.label}`));
        this.inputs.set(e.id, { entry: e, el: input });
      } else {
        const select = doc.createElement('select');
        for (const o of e.options) select.add(new Option(o.label, o.value));
        select.value = e.get();
        select.addEventListener('change', () => e.set(select.value));
        label.append(doc.createTextNode(`${e.label} `), select);
        this.inputs.set(e.id, { entry: e, el: select });
      }
      g.append(label);
    }
    container.append(this.root);
  }

  /** Re-reads every entry (a layer changed from elsewhere, e.g. the URL). */
  refresh(): void {
    for (const { entry, el } of this.inputs.values()) {
      if (entry.kind === 'toggle') (el as HTMLInputElement).checked = entry.get();
      else el.value = entry.get();
    }
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    this.root.hidden = !v;
  }

  dispose(): void {
    this.root.remove();
    this.inputs.clear();
  }
}
