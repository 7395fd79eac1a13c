import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { REPLAY_SPEEDS } from './replaySampling.js';
import type { ReplayController, ReplayStatus } from './ReplayController.js';
import { formatDateTime, t } from '../i18n/i18n.js';

const fmt = (ms: number) =>
  formatDateTime(ms, { weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** The replay bar of a project: "Replay" opens a 24 h slider with play/pause and 1x-60x; "Live" returns. */
export class ReplayBar implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly label: HTMLElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly off: () => void;
  private dragging = false;

  constructor(
    container: HTMLElement,
    private readonly replay: ReplayController,
  ) {
    this.slider = h('input', {
      type: 'range',
      class: 'replay-slider',
      'aria-label': t('replay.slider'),
      'data-testid': 'replay-slider',
      step: 'any',
    });
    this.label = h('span', { class: 'replay-time', 'data-testid': 'replay-time' }, t('replay.live'));
    this.playBtn = h(
      'button',
      { type: 'button', class: 'btn small', 'data-action': 'play', 'data-testid': 'replay-play' },
      t('replay.play'),
    );
    const speed = h(
      'select',
      { class: 'replay-speed', 'aria-label': t('replay.speed'), 'data-testid': 'replay-speed' },
      ...REPLAY_SPEEDS.map((s) => h('option', { value: s }, `${s}×`)),
    );
    this.root = h(
      'div',
      { class: 'replay-bar', 'data-testid': 'replay-bar', 'data-mode': 'live' },
      h(
        'button',
        { type: 'button', class: 'btn small', 'data-action': 'replay', 'data-testid': 'replay-open' },
        t('replay.open'),
      ),
      h(
        'div',
        { class: 'replay-controls' },
        this.playBtn,
        speed,
        this.slider,
        this.label,
        h(
          'button',
          { type: 'button', class: 'btn small primary', 'data-action': 'live', 'data-testid': 'replay-live' },
          t('replay.live'),
        ),
      ),
    );
    container.append(this.root);
    this.root.addEventListener('click', (e) => {
      const a = (e.target as HTMLElement).closest<HTMLElement>('[data-action]')?.dataset.action;
      if (a === 'replay') void replay.enter();
      if (a === 'live') replay.exit();
      if (a === 'play') replay.play(!replay.status.playing);
    });
    speed.addEventListener('change', () => replay.setSpeed(Number(speed.value)));
    this.slider.addEventListener('input', () => (this.dragging = true));
    this.slider.addEventListener('change', () => {
      this.dragging = false;
      void replay.seek(Number(this.slider.value));
    });
    this.off = replay.onStatus.add((s) => this.render(s));
    this.render(replay.status);
  }

  private render(s: ReplayStatus): void {
    this.root.dataset.mode = s.active ? 'replay' : 'live';
    this.root.dataset.loading = String(s.loading);
    this.slider.min = String(s.from);
    this.slider.max = String(s.to);
    if (!this.dragging) this.slider.value = String(s.t);
    this.playBtn.textContent = s.playing ? t('replay.pause') : t('replay.play');
    this.playBtn.setAttribute('aria-label', s.playing ? t('replay.pause') : t('replay.play'));
    this.label.textContent = !s.active
      ? t('replay.live')
      : `${fmt(s.t)}${s.loading ? ` · ${t('replay.loading')}` : ''}${s.error ? ` · ${s.error}` : ''} · ${t('replay.alarmsOpen', { n: s.alarmsOpen })}`;
    this.label.dataset.t = String(Math.round(s.t));
  }

  set visible(v: boolean) {
    this.root.hidden = !v;
  }

  dispose(): void {
    this.off();
    this.root.remove();
  }
}
