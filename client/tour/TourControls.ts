import './tour.css';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { searchWithTour } from './tourLink.js';
import type { TourPlayer, TourState } from './TourPlayer.js';
import { t } from '../i18n/i18n.js';

/**
 * The tour overlay: the caption of the current viewpoint, "step 2 / 4", previous / play-pause / next, and the
 * shareable link of this step. Built once; each state change only rewrites text (a tour can play for days).
 */
export class TourControls implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly title: HTMLElement;
  private readonly stepText: HTMLElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly link: HTMLInputElement;
  private readonly off: () => void;

  constructor(
    container: HTMLElement,
    private readonly player: TourPlayer,
    opts: { compact?: boolean; onClose?: () => void } = {},
  ) {
    this.caption = h('div', { class: 'tour-caption', 'data-testid': 'tour-caption' });
    this.title = h('span', { class: 'tour-title' });
    this.stepText = h('span', { class: 'tour-step', 'data-testid': 'tour-step' });
    this.playBtn = h('button', { class: 'btn', 'data-action': 'toggle', 'data-testid': 'tour-toggle' });
    this.link = h('input', {
      class: 'tour-link',
      readonly: true,
      'aria-label': t('tour.link'),
      'data-testid': 'tour-link',
    });
    const bar = h(
      'div',
      { class: 'tour-bar' },
      this.title,
      this.stepText,
      h('button', {
        class: 'btn',
        'data-action': 'prev',
        title: t('tour.prev'),
        'aria-label': t('tour.prev'),
        'data-testid': 'tour-prev',
        text: '◀',
      }),
      this.playBtn,
      h('button', {
        class: 'btn',
        'data-action': 'next',
        title: t('tour.next'),
        'aria-label': t('tour.next'),
        'data-testid': 'tour-next',
        text: '▶',
      }),
      opts.compact ? null : this.link,
      opts.compact
        ? null
        : h('button', { class: 'btn', 'data-action': 'copy', title: t('tour.copyTitle'), text: t('tour.copy') }),
      opts.onClose
        ? h('button', {
            class: 'icon-btn',
            'data-action': 'close',
            title: t('tour.end'),
            'aria-label': t('tour.end'),
            text: '×',
          })
        : null,
    );
    this.root = h(
      'div',
      { class: `tour-overlay${opts.compact ? ' compact' : ''}`, 'data-testid': 'tour-overlay' },
      this.caption,
      bar,
    );
    this.root.hidden = true;
    container.append(this.root);
    this.root.addEventListener('click', (e) => {
      const a = (e.target as HTMLElement).closest<HTMLElement>('[data-action]')?.dataset.action;
      if (a === 'prev') player.previous();
      else if (a === 'next') player.next();
      else if (a === 'toggle') player.state.playing ? player.pause() : player.play();
      else if (a === 'copy') void navigator.clipboard?.writeText(this.link.value).catch(() => this.link.select());
      else if (a === 'close') opts.onClose?.();
    });
    this.off = player.onState.add((s) => this.show(s));
  }

  /** The absolute link that reopens the tour at this step. */
  shareUrl(s: TourState): string {
    if (!s.tourId) return window.location.href;
    return `${window.location.origin}${window.location.pathname}${searchWithTour(window.location.search, { tourId: s.tourId, step: s.step, at: s.at })}`;
  }

  private show(s: TourState): void {
    this.root.hidden = !this.enabled || !s.tourId;
    if (!s.tourId) return;
    this.root.dataset.playing = String(s.playing);
    this.root.dataset.arrived = String(s.arrived);
    this.root.dataset.away = String(s.away);
    this.caption.textContent = s.caption;
    // Off the tour's view the caption would name a project that is not on screen (issue 19: the wall named one
    // project while the camera showed another): hidden until the tour is back at a stop.
    this.caption.hidden = !s.caption || s.away;
    this.title.textContent = this.player.current?.name ?? '';
    this.stepText.textContent = `${s.step + 1} / ${s.steps}`;
    this.playBtn.textContent = s.playing ? t('tour.pause') : t('tour.play');
    this.link.value = this.shareUrl(s);
  }

  hide(): void {
    this.root.hidden = true;
  }

  dispose(): void {
    this.off();
    this.root.remove();
  }
}
