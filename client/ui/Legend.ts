import type { Tool } from '../core/Tool.js';
import { STATUS_ORDER, STATUS_STYLE } from '../state/projectStatus.js';
import type { ProjectStore } from '../state/ProjectStore.js';
import { h } from './dom.js';
import { t } from '../i18n/i18n.js';

/** The map legend: what each colour means, with how many projects are in each status. */
export class Legend implements Tool {
  private readonly root: HTMLElement;
  private readonly off: () => void;
  private _enabled = true;

  constructor(
    container: HTMLElement,
    private readonly store: ProjectStore,
  ) {
    this.root = h('div', { class: 'legend', 'data-testid': 'legend' });
    container.append(this.root);
    this.off = store.onChanged.add(() => this.render());
    this.render();
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    this.root.hidden = !v;
  }

  private render(): void {
    const counts = new Map<string, number>();
    for (const p of this.store.list()) counts.set(p.status, (counts.get(p.status) ?? 0) + 1);
    this.root.replaceChildren(
      h('div', { class: 'legend-title', text: t('legend.title') }),
      ...STATUS_ORDER.map((s) => {
        const item = h(
          'div',
          { class: 'legend-item' },
          h('i', { class: 'swatch' }),
          h('span', { text: STATUS_STYLE[s].label }),
          h('b', { text: String(counts.get(s) ?? 0) }),
        );
        item.style.setProperty('--c', STATUS_STYLE[s].color);
        return item;
      }),
    );
  }

  dispose(): void {
    this.off();
    this.root.remove();
  }
}
