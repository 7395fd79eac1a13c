import type { Tool } from '../core/Tool.js';
import type { LiveClient, LiveStatus } from '../live/LiveClient.js';
import { h } from './dom.js';
import { t } from '../i18n/i18n.js';

/**
 * The connection banner: "reconnecting" while the live link is down (what the map shows may be stale), and a
 * permanent "reload" banner when the server speaks another protocol than this page.
 */
export class ConnectionBanner implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly off: () => void;

  constructor(
    container: HTMLElement,
    private readonly live: LiveClient,
  ) {
    this.root = h('div', { class: 'banner', role: 'status', 'data-testid': 'connection-banner' });
    this.root.hidden = true;
    container.append(this.root);
    this.root.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('[data-action="reload"]')) window.location.reload();
    });
    this.off = live.onStatus.add((s) => this.show(s));
    this.show(live.status);
  }

  private show(s: LiveStatus): void {
    this.root.dataset.status = s;
    if (!this.enabled || s === 'connected' || s === 'connecting' || s === 'closed') {
      this.root.hidden = true;
      return;
    }
    this.root.hidden = false;
    if (s === 'mismatch') {
      this.root.className = 'banner error';
      this.root.replaceChildren(
        h('span', { text: t('banner.outdated') }),
        h('button', { class: 'btn', 'data-action': 'reload', text: t('banner.reload') }),
      );
    } else {
      this.root.className = 'banner warn';
      this.root.replaceChildren(h('span', { class: 'spinner small' }), h('span', { text: t('banner.reconnecting') }));
    }
  }

  dispose(): void {
    this.off();
    this.root.remove();
  }
}

/** A short message at the bottom of the screen (e.g. a deep link to a project that no longer exists). */
export function toast(container: HTMLElement, text: string, kind: 'info' | 'warn' = 'info', ms = 6000): void {
  const t = h('div', { class: `toast ${kind}`, role: 'status', text });
  container.append(t);
  setTimeout(() => t.remove(), ms);
}

/** The live pill in the top bar: "Live" when pushed updates arrive, "Offline" otherwise. */
export class LiveIndicator implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly off: () => void;

  constructor(container: HTMLElement, live: LiveClient) {
    this.root = h('span', { class: 'live-pill', 'data-testid': 'live-pill' });
    container.append(this.root);
    const show = (s: LiveStatus) => {
      this.root.dataset.status = s;
      this.root.textContent =
        s === 'connected'
          ? t('live.connected')
          : s === 'mismatch'
            ? t('live.mismatch')
            : s === 'connecting'
              ? t('live.connecting')
              : t('live.offline');
      this.root.title = s === 'connected' ? t('live.connectedTitle') : t('live.offlineTitle');
    };
    this.off = live.onStatus.add(show);
    show(live.status);
  }

  dispose(): void {
    this.off();
    this.root.remove();
  }
}
