import type { ModelElement } from '../../models/BimModel.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { fetchElements } from '../bim/bimApi.js';
import { t } from '../i18n/i18n.js';
import { errorText } from '../api/errorText.js';

/** Search by name or GlobalId through the element index (`?q=`), results listed; picking one selects it. */
export class SearchBox implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly results: HTMLElement;
  private ctl: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    container: HTMLElement,
    private readonly modelId: string,
    private readonly onPick: (e: ModelElement) => void,
  ) {
    const input = h('input', {
      type: 'search',
      placeholder: t('ws.searchPlaceholder'),
      'aria-label': t('ws.search'),
      'data-testid': 'element-search',
    });
    this.results = h('ul', { class: 'search-results', 'data-testid': 'search-results' });
    // Its own class: `.search` is the map page's framed search field, which framed this whole box too, glued under the
    // top bar so that it read as cut off.
    this.root = h('div', { class: 'ws-search' }, input, this.results);
    container.prepend(this.root);
    input.addEventListener('input', () => {
      if (this.timer) clearTimeout(this.timer);
      // Wait for a pause in typing: each query is a server round trip.
      this.timer = setTimeout(() => void this.search(input.value.trim()), 200);
    });
  }

  async search(q: string): Promise<void> {
    this.ctl?.abort();
    if (!q) return void this.results.replaceChildren();
    const ctl = (this.ctl = new AbortController());
    try {
      const page = await fetchElements(this.modelId, { q, limit: 50 }, ctl.signal);
      this.results.replaceChildren(
        ...page.items.map((e) => {
          const li = h(
            'li',
            { 'data-global-id': e.globalId, tabindex: 0 },
            h('span', { text: e.name ?? e.ifcClass }),
            h('small', { text: `${e.ifcClass} · ${e.globalId}` }),
          );
          li.addEventListener('click', () => this.onPick(e));
          return li;
        }),
        ...(page.total > page.items.length
          ? [h('li', { class: 'dim', text: t('ws.searchMore', { n: page.total - page.items.length }) })]
          : []),
        ...(page.total === 0 ? [h('li', { class: 'dim', text: t('ws.noMatch') })] : []),
      );
    } catch (err) {
      if ((err as Error).name !== 'AbortError')
        this.results.replaceChildren(h('li', { class: 'dim', text: errorText(err) }));
    }
  }

  dispose(): void {
    this.ctl?.abort();
    if (this.timer) clearTimeout(this.timer);
    this.root.remove();
  }
}
