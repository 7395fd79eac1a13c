import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { t } from '../i18n/i18n.js';

export interface Shortcut {
  key: string;
  label: string;
  run: () => void;
}

/** The mouse conventions, listed with the keys in the help overlay (read when drawn, in the page's language). */
const MOUSE = (): [string, string][] => [
  [t('ws.mouse.orbitKey'), t('ws.mouse.orbit')],
  [t('ws.mouse.panKey'), t('ws.mouse.pan')],
  [t('ws.mouse.zoomKey'), t('ws.mouse.zoom')],
  [t('ws.mouse.selectKey'), t('ws.mouse.select')],
  [t('ws.mouse.focusKey'), t('ws.mouse.focus')],
];

/**
 * Keyboard shortcuts of the workspace (F fit, H hide, I isolate, S section, M measure, ? help, Esc clear) and the help
 * overlay that lists them with the mouse conventions. Keys typed into inputs are left alone.
 */
export class Shortcuts implements Tool {
  enabled = true;
  private readonly overlay: HTMLElement;
  private readonly onKey = (e: KeyboardEvent) => {
    if (!this.enabled || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    if (e.key === '?') return this.toggleHelp();
    if (e.key === 'Escape' && !this.overlay.hidden) return this.toggleHelp(false);
    const s = this.list.find((x) => x.key.toLowerCase() === e.key.toLowerCase());
    if (s) {
      e.preventDefault();
      s.run();
    }
  };

  constructor(
    container: HTMLElement,
    private readonly list: Shortcut[],
  ) {
    this.overlay = h(
      'div',
      {
        class: 'help-overlay',
        'data-testid': 'help',
        hidden: true,
        role: 'dialog',
        'aria-label': t('ws.shortcutsTitle'),
      },
      h('h3', { text: t('ws.shortcuts') }),
      h(
        'dl',
        { class: 'facts' },
        ...list.flatMap((s) => [h('dt', {}, h('kbd', { text: s.key })), h('dd', { text: s.label })]),
        h('dt', {}, h('kbd', { text: '?' })),
        h('dd', { text: t('ws.thisHelp') }),
      ),
      h('h3', { text: t('ws.mouse') }),
      h('dl', { class: 'facts' }, ...MOUSE().flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
    );
    this.overlay.addEventListener('click', () => this.toggleHelp(false));
    container.append(this.overlay);
    window.addEventListener('keydown', this.onKey);
  }

  toggleHelp(show = this.overlay.hidden): void {
    this.overlay.hidden = !show;
  }

  dispose(): void {
    window.removeEventListener('keydown', this.onKey);
    this.overlay.remove();
  }
}
