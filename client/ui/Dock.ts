import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { h } from './dom.js';

export interface DockTabOptions {
  /** Bring this tab to front when its pane starts showing something (a device panel opening, an element picked). */
  follow?: boolean;
  /** Keep the tab while its pane shows nothing (the project list). */
  always?: boolean;
  /** Never brought to front by the dock itself when the tab in front empties (only a click selects it). */
  background?: boolean;
  /** Extra classes of the pane (selectors other code keeps using, e.g. `bim-detail`). */
  paneClass?: string;
}

interface Tab {
  id: string;
  button: HTMLButtonElement;
  badge: HTMLElement;
  pane: HTMLElement;
  opts: DockTabOptions;
  filled: boolean;
}

/** A pane shows something when one of its panels is not hidden (panels hide their own root when they have nothing). */
const showsSomething = (pane: HTMLElement): boolean => [...pane.children].some((c) => !(c as HTMLElement).hidden);

/**
 * A docked side of the map page with tabs. Each tab's pane holds existing panels, which keep their own roots and hide
 * themselves when empty: a tab is offered while its pane shows something (or always), the dock shows while it offers
 * a tab, and a `follow` tab comes to front when its pane starts showing something. Panels in one dock never cover
 * each other: one pane shows at a time, and the docks sit beside the map, not over it.
 */
export class Dock implements Tool {
  enabled = true;
  readonly root: HTMLElement;
  /** The tab brought to front (by a click or by following). */
  readonly onSelect = new Event<string>();
  private readonly bar: HTMLElement;
  private readonly body: HTMLElement;
  private readonly tabs = new Map<string, Tab>();
  private current: string | null = null;
  private readonly observer = new MutationObserver(() => this.refresh());

  constructor(
    container: HTMLElement,
    private readonly side: 'left' | 'right',
    label: string,
  ) {
    this.bar = h('div', { class: 'dock-tabs', role: 'tablist', 'aria-label': label });
    this.body = h('div', { class: 'dock-body' });
    this.root = h(
      'section',
      { class: `dock dock-${side}`, 'data-testid': `dock-${side}`, 'aria-label': label },
      this.bar,
      this.body,
    );
    container.append(this.root);
  }

  /** Adds a tab; returns its pane, the container to hand to the panel that lives there. */
  addTab(id: string, label: string, opts: DockTabOptions = {}): HTMLElement {
    const tabId = `dock-${this.side}-tab-${id}`;
    const paneId = `dock-${this.side}-pane-${id}`;
    const badge = h('span', { class: 'dock-badge', hidden: true });
    const button = h(
      'button',
      {
        class: 'dock-tab',
        type: 'button',
        role: 'tab',
        id: tabId,
        'aria-controls': paneId,
        'aria-selected': 'false',
        'data-tab': id,
      },
      label,
      badge,
    );
    const pane = h('div', {
      class: `dock-pane ${opts.paneClass ?? ''}`.trim(),
      role: 'tabpanel',
      id: paneId,
      'aria-labelledby': tabId,
      'data-pane': id,
      hidden: true,
    });
    button.addEventListener('click', () => this.select(id));
    this.bar.append(button);
    this.body.append(pane);
    this.tabs.set(id, { id, button, badge, pane, opts, filled: false });
    // Panels show and hide themselves: follow their roots' `hidden` and their coming and going.
    this.observer.observe(pane, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden'] });
    this.refresh();
    return pane;
  }

  get selected(): string | null {
    return this.current;
  }

  /** Brings a tab to front (if it is offered). */
  select(id: string): void {
    const tab = this.tabs.get(id);
    if (!tab || tab.button.hidden) return;
    const changed = this.current !== id;
    this.current = id;
    for (const t of this.tabs.values()) {
      const on = t.id === id;
      t.pane.hidden = !on;
      t.button.classList.toggle('active', on);
      t.button.setAttribute('aria-selected', String(on));
      t.button.tabIndex = on ? 0 : -1;
    }
    if (changed) this.onSelect.trigger(id);
  }

  /** A small count beside a tab's label (null hides it). */
  setBadge(id: string, text: string | null): void {
    const t = this.tabs.get(id);
    if (!t) return;
    t.badge.hidden = text === null;
    t.badge.textContent = text ?? '';
  }

  /** Re-reads which panes show something (the observer calls it; tests and callers may too). */
  refresh(): void {
    let follow: string | null = null;
    for (const t of this.tabs.values()) {
      const filled = showsSomething(t.pane);
      if (filled && !t.filled && t.opts.follow) follow = t.id;
      t.filled = filled;
      t.button.hidden = !filled && !t.opts.always;
    }
    const offered = [...this.tabs.values()].filter((t) => !t.button.hidden);
    this.root.hidden = offered.length === 0;
    if (follow) return this.select(follow);
    const cur = this.current ? this.tabs.get(this.current) : undefined;
    if (!cur || cur.button.hidden) {
      // The tab in front has nothing left: the last one that still shows something comes forward.
      const next = offered.filter((t) => !t.opts.background).at(-1) ?? offered.at(-1);
      if (next) this.select(next.id);
      else this.current = null;
    }
  }

  dispose(): void {
    this.observer.disconnect();
    this.onSelect.reset();
    this.root.remove();
  }
}
