import type { ModelElement } from '../../models/BimModel.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { fetchElement } from './bimApi.js';
import type { ElementRef } from './ElementSelection.js';
import { t } from '../i18n/i18n.js';
import { errorText } from '../api/errorText.js';

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number')
    return Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * The properties of one element from the server's element index: GlobalId, IFC class, name, storey and every property
 * and quantity set. Used by the map and the workspace, so both show the same facts for the same GlobalId.
 */
export class ElementPanel implements Tool {
  private readonly root: HTMLElement;
  private current: ElementRef | null = null;
  private ctl: AbortController | null = null;
  private _enabled = true;
  /** Called when the user closes the panel (the owner clears the selection). */
  onClose: () => void = () => {};

  constructor(container: HTMLElement, opts: { className?: string } = {}) {
    this.root = h('section', {
      class: `element-panel ${opts.className ?? ''}`,
      'data-testid': 'element-panel',
      hidden: true,
      'aria-label': t('element.panel'),
    });
    container.append(this.root);
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    if (!v) this.root.hidden = true;
  }

  /** Shows an element (null hides the panel). Loads its psets; a stale answer for a previous element is dropped. */
  async show(ref: ElementRef | null): Promise<void> {
    this.ctl?.abort();
    this.current = ref;
    if (!ref || !this._enabled) {
      this.root.hidden = true;
      this.root.dataset.globalId = '';
      return;
    }
    this.root.hidden = false;
    this.root.dataset.globalId = ref.globalId;
    this.root.dataset.state = 'loading';
    this.root.replaceChildren(
      this.head(ref.globalId, t('common.loading')),
      h('div', { class: 'state loading' }, h('div', { class: 'spinner small' }), t('element.loadingProps')),
    );
    const ctl = (this.ctl = new AbortController());
    try {
      const e = await fetchElement(ref.modelId, ref.globalId, ctl.signal);
      if (this.current !== ref) return;
      this.render(e);
    } catch (err) {
      if ((err as Error).name === 'AbortError' || this.current !== ref) return;
      this.root.dataset.state = 'error';
      this.root.replaceChildren(
        this.head(ref.globalId, t('element.head')),
        h(
          'div',
          { class: 'state error' },
          h('strong', { text: t('element.unavailable') }),
          h('p', { text: errorText(err) }),
        ),
      );
    }
  }

  private head(globalId: string, title: string): HTMLElement {
    const close = h('button', {
      class: 'icon-btn',
      'aria-label': t('common.close'),
      title: t('common.closeEsc'),
      text: '×',
    });
    close.addEventListener('click', () => this.onClose());
    return h(
      'div',
      { class: 'detail-head' },
      h(
        'div',
        {},
        h('h3', { class: 'detail-name', 'data-testid': 'element-name', text: title }),
        h('code', { class: 'gid', 'data-testid': 'element-guid', text: globalId }),
      ),
      close,
    );
  }

  private render(e: ModelElement): void {
    this.root.dataset.state = 'loaded';
    const fact = (k: string, field: string, v: string) => [
      h('dt', { text: k }),
      h('dd', { 'data-field': field, text: v }),
    ];
    const facts = h(
      'dl',
      { class: 'facts' },
      ...fact(t('element.class'), 'class', e.ifcClass),
      ...fact(t('element.name'), 'name', e.name ?? '—'),
      ...fact(t('element.storey'), 'storey', e.storeyName ?? '—'),
      ...(e.predefinedType ? fact(t('element.type'), 'type', e.predefinedType) : []),
    );
    const sets = Object.entries(e.psets ?? {}).map(([set, props]) =>
      h(
        'details',
        { class: 'pset', open: true },
        h('summary', { text: set }),
        h(
          'dl',
          { class: 'facts' },
          ...Object.entries(props).flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: formatValue(v) })]),
        ),
      ),
    );
    this.root.replaceChildren(
      this.head(e.globalId, e.name ?? e.ifcClass),
      facts,
      ...(sets.length ? sets : [h('p', { class: 'dim', text: t('element.noPsets') })]),
    );
  }

  dispose(): void {
    this.ctl?.abort();
    this.root.remove();
  }
}
