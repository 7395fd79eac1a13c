import type { Alarm } from '../../models/Alarm.js';
import { alarmText } from '../alarms/alarmText.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { formatAge } from './kpiView.js';
import { t } from '../i18n/i18n.js';

interface Slot {
  root: HTMLElement;
  level: HTMLElement;
  project: HTMLElement;
  text: HTMLElement;
  age: HTMLElement;
  raisedAt: number;
}

/**
 * The alarm ticker along the bottom of the wall: a fixed pool of slots (the WallAlarmList's bound), filled in order and
 * hidden when unused, so the DOM never grows however many alarms come and go.
 */
export class AlarmTicker implements Tool {
  enabled = true;
  private readonly slots: Slot[] = [];
  private readonly empty: HTMLElement;
  private readonly track: HTMLElement;
  /** "+N": the alarms whose item does not fit whole on the line (an item is never shown cut). */
  private readonly more: HTMLElement;
  /** Fits again when the wall's bottom row changes width (a resized or rotated screen), not only on the next tick. */
  private readonly resizeObserver?: ResizeObserver;

  constructor(
    container: HTMLElement,
    size: number,
    private readonly projectName: (id: string) => string,
  ) {
    this.track = h('div', { class: 'ticker-track', 'data-testid': 'ticker-track' });
    for (let i = 0; i < size; i++) {
      const level = h('span', { class: 'ticker-level' });
      const project = h('span', { class: 'ticker-project' });
      const text = h('span', { class: 'ticker-text' });
      const age = h('span', { class: 'ticker-age' });
      const root = h('span', { class: 'ticker-item', 'data-testid': 'ticker-item' }, level, project, text, age);
      root.hidden = true;
      this.track.append(root);
      this.slots.push({ root, level, project, text, age, raisedAt: 0 });
    }
    this.empty = h('span', { class: 'ticker-empty', text: t('wall.noOpenAlarms') });
    this.more = h('span', { class: 'ticker-more', 'data-testid': 'ticker-more' });
    this.more.hidden = true;
    container.append(
      h('span', { class: 'ticker-label', text: t('wall.alarmsLabel') }),
      this.empty,
      this.track,
      this.more,
    );
    if (typeof ResizeObserver !== 'undefined') {
      // The container is a grid cell: its size follows the screen, never the items, so fitting cannot loop.
      this.resizeObserver = new ResizeObserver(() => this.fit());
      this.resizeObserver.observe(container);
    }
  }

  show(alarms: readonly Alarm[], now: number): void {
    this.empty.hidden = alarms.length > 0;
    this.slots.forEach((s, i) => {
      const a = alarms[i];
      s.root.hidden = !a;
      if (!a) {
        s.raisedAt = 0;
        delete s.root.dataset.alarmId;
        return;
      }
      s.root.dataset.level = a.level;
      s.root.dataset.alarmId = a.id;
      s.level.textContent = a.level === 'alarm' ? t('wall.level.alarm') : t('wall.level.prewarning');
      s.project.textContent = this.projectName(a.projectId);
      s.text.textContent = alarmText(a, () => undefined);
      s.raisedAt = a.raisedAt;
    });
    this.tick(now);
  }

  tick(now: number): void {
    for (const s of this.slots) if (s.raisedAt) s.age.textContent = formatAge(now - s.raisedAt);
    this.fit();
  }

  /**
   * Shows the items that fit whole on the line, in order, and counts the rest as "+N": the track hides its overflow,
   * and the last item was cut mid-sentence at the wall's right edge (its age and limit lost).
   */
  private fit(): void {
    const used = this.slots.filter((s) => s.root.dataset.alarmId && s.raisedAt);
    for (const s of used) s.root.hidden = false;
    // Measured with the count in place (at its widest): shown after the measure, it narrowed the track and cut the
    // last item it had let stand ("15 分" of "15 分钟").
    this.more.textContent = `+${used.length}`;
    this.more.hidden = false;
    const right = this.track.getBoundingClientRect().right;
    let cut = 0;
    for (const s of used) {
      if (!cut && s.root.getBoundingClientRect().right <= right + 0.5) continue;
      s.root.hidden = true;
      cut++;
    }
    this.more.textContent = `+${cut}`;
    this.more.hidden = cut === 0;
  }

  /** Alarms listed (shown whole or counted in "+N"). */
  get shown(): number {
    return this.slots.filter((s) => s.raisedAt).length;
  }

  dispose(): void {
    this.resizeObserver?.disconnect();
    this.track.remove();
    this.empty.remove();
    this.more.remove();
  }
}
