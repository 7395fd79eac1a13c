import type { Tool } from '../core/Tool.js';
import { h } from './dom.js';
import { t } from '../i18n/i18n.js';

/** The start-up overlay: a spinner and what is being loaded, until the globe and projects are on screen. */
export class LoadingOverlay implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly text: HTMLElement;

  constructor(container: HTMLElement) {
    this.text = h('div', { class: 'loading-text', text: t('loading.starting') });
    this.root = h(
      'div',
      { class: 'loading-overlay', 'data-testid': 'loading', role: 'progressbar', 'aria-busy': 'true' },
      h('div', { class: 'spinner' }),
      this.text,
    );
    container.append(this.root);
  }

  step(text: string): void {
    this.text.textContent = text;
  }

  /** Fades out; the element stays in the DOM hidden so tests can tell it finished. */
  done(): void {
    this.root.classList.add('done');
    this.root.setAttribute('aria-busy', 'false');
    setTimeout(() => (this.root.hidden = true), 400);
  }

  dispose(): void {
    this.root.remove();
  }
}
