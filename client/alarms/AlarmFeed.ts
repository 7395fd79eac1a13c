import type { Alarm } from '../../models/Alarm.js';
import { type ApiError } from '../api/ApiError.js';
import type { Me } from '../auth/authApi.js';
import { currentSession, mayWrite, onSessionChanged } from '../auth/session.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { acknowledgeAlarm } from '../devices/deviceApi.js';
import { h } from '../ui/dom.js';
import type { AlarmStore } from './AlarmStore.js';
import { DeviceNames, ruleLabel } from './alarmNames.js';
import { alarmText } from './alarmText.js';
import { Beep } from './Beep.js';
import { formatClock, t } from '../i18n/i18n.js';
import { errorText } from '../api/errorText.js';

/** Where the feed finds names: the app's project list and the opened site's devices (others are read by REST). */
export interface AlarmNaming {
  projectName(id: string): string | undefined;
  localDeviceName(id: string): string | undefined;
}

const levelText = (l: Alarm['level']) => t(`alarm.level.${l}`);
const stateText = (s: Alarm['state']) => t(`alarm.state.${s}`);
const time = (ms: number) => formatClock(ms);

/**
 * The alarm feed: newest first, coloured by level, open ones above cleared ones; a sound toggle (off by default);
 * click an alarm to fly to its device; acknowledge with a comment (signed by the account; a name only without accounts),
 * offered only to those who may. Shows what an AlarmStore holds, or, in
 * replay, the alarms that were open at the replayed instant (`showReplay`).
 */
export class AlarmFeed implements Tool {
  enabled = true;
  /** The user clicked an alarm: the app flies to its device. */
  readonly onFocus = new Event<Alarm>();
  readonly beep = new Beep();
  private readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly count: HTMLElement;
  private readonly offs: (() => void)[] = [];
  private replay: Alarm[] | null = null;
  private ackOpen: string | null = null;
  /** Who acknowledges when the server has no accounts (remembered for the session). */
  private who = t('alarm.defaultWho');
  /** The session: who may acknowledge, and whether a name must be typed (null until known: no write control yet). */
  private me: Me | null = null;

  private readonly devices: DeviceNames;
  private renderQueued = false;

  constructor(
    container: HTMLElement,
    private readonly store: AlarmStore,
    private readonly naming: AlarmNaming = { projectName: () => undefined, localDeviceName: () => undefined },
  ) {
    // Names arriving by REST re-render once per burst, not once per device.
    this.devices = new DeviceNames(
      (id) => naming.localDeviceName(id),
      () => this.renderSoon(),
    );
    const sound = h(
      'button',
      {
        class: 'alarm-sound',
        type: 'button',
        'data-testid': 'alarm-sound',
        'aria-pressed': 'false',
        title: t('alarm.soundTitle'),
      },
      t('alarm.soundOff'),
    );
    this.count = h('span', { class: 'count', 'data-testid': 'alarm-count' }, '0');
    this.list = h('ol', { class: 'alarm-list', 'aria-live': 'polite' });
    this.root = h(
      'section',
      { class: 'alarm-feed', 'data-testid': 'alarm-feed', 'aria-label': t('alarm.title') },
      h('div', { class: 'panel-head' }, h('h2', {}, t('alarm.title')), this.count, sound),
      this.list,
    );
    container.append(this.root);
    sound.addEventListener('click', () => {
      this.beep.on = !this.beep.on;
      sound.textContent = this.beep.on ? t('alarm.soundOn') : t('alarm.soundOff');
      sound.setAttribute('aria-pressed', String(this.beep.on));
    });
    this.list.addEventListener('click', (e) => this.onClick(e));
    this.offs.push(
      store.onChanged.add((c) => {
        if (c.kind === 'raised' && !this.replay) this.beep.play(c.alarm.level);
        if (c.kind === 'updated' && c.alarm.state === 'open' && !this.replay) this.beep.play(c.alarm.level); // escalation
        this.render();
      }),
      onSessionChanged.add(() => this.loadSession()),
    );
    this.loadSession();
    this.render();
  }

  private loadSession(): void {
    currentSession()
      .then((me) => {
        this.me = me;
        this.render();
      })
      .catch(() => {}); // unknown: the feed still shows, without the write control
  }

  /** Replay: show these alarms (open at the replayed instant) instead of the live ones; null returns to live. */
  showReplay(alarms: Alarm[] | null): void {
    this.replay = alarms;
    this.root.dataset.mode = alarms ? 'replay' : 'live';
    this.render();
  }

  /** Re-renders after a name arrived (the project list or a device). */
  renderSoon(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    queueMicrotask(() => {
      this.renderQueued = false;
      if (this.root.isConnected) this.render();
    });
  }

  private render(): void {
    const alarms = this.replay ?? this.store.list();
    const active = alarms.filter((a) => a.state !== 'cleared').length;
    this.count.textContent = String(active);
    this.count.dataset.level = alarms.some((a) => a.state !== 'cleared' && a.level === 'alarm')
      ? 'alarm'
      : active
        ? 'prewarning'
        : 'none';
    // An acknowledgement being typed survives the re-render a new alarm causes: its form moves into the new row as it
    // is (what was typed, the focus and the caret), rather than being built again empty.
    const form = this.ackOpen
      ? this.list.querySelector<HTMLFormElement>(`[data-alarm-id="${CSS.escape(this.ackOpen)}"] form.ack-form`)
      : null;
    const focused = form?.contains(document.activeElement) ? (document.activeElement as HTMLInputElement) : null;
    const caret = focused ? ([focused.selectionStart, focused.selectionEnd] as const) : null;
    const rows = alarms.slice(0, 100).map((a) => this.row(a, form));
    this.list.replaceChildren(
      ...(rows.length
        ? rows
        : [h('li', { class: 'alarm-empty' }, this.replay ? t('alarm.noneThen') : t('alarm.none'))]),
    );
    if (focused?.isConnected) {
      focused.focus();
      if (caret && caret[0] !== null) focused.setSelectionRange(caret[0], caret[1]);
    }
  }

  private row(a: Alarm, openForm: HTMLFormElement | null): HTMLElement {
    const li = h(
      'li',
      {
        class: `alarm-row level-${a.level} state-${a.state}`,
        'data-alarm-id': a.id,
        'data-device-id': a.deviceId ?? undefined,
        'data-state': a.state,
        'data-level': a.level,
      },
      h(
        'button',
        { class: 'alarm-main', type: 'button', 'data-action': 'focus', title: t('alarm.flyTo') },
        h('span', { class: 'alarm-level' }, levelText(a.level)),
        h('span', { class: 'alarm-where', 'data-testid': 'alarm-where' }, this.where(a)),
        h(
          'span',
          { class: 'alarm-msg' },
          alarmText(a, (id) => this.devices.get(id)),
        ),
        h(
          'span',
          { class: 'alarm-meta' },
          `${time(a.raisedAt)} · ${ruleLabel(a.rule, (id) => this.devices.get(id))} · ${stateText(a.state)}${a.acknowledgedBy ? ` ${t('alarm.by', { who: a.acknowledgedBy })}` : ''}${a.clearedAt ? ` · ${t('alarm.clearedAt', { time: time(a.clearedAt) })}` : ''}`,
        ),
      ),
    );
    if (a.ackComment) li.append(h('div', { class: 'alarm-comment' }, `“${a.ackComment}”`));
    if (a.state === 'open' && !this.replay) {
      if (this.ackOpen === a.id && openForm) li.append(openForm);
      else if (this.ackOpen === a.id) {
        const form = h(
          'form',
          { class: 'ack-form', 'data-testid': 'ack-form' },
          // With accounts the server signs with the logged-in user: a typed name could be anyone's.
          this.me?.auth === 'off'
            ? h('input', {
                name: 'by',
                value: this.who,
                'aria-label': t('alarm.ackBy'),
                required: true,
                maxlength: 100,
              })
            : h(
                'span',
                { class: 'ack-by', 'data-testid': 'ack-by' },
                t('alarm.as', { who: this.me?.user?.displayName || this.me?.user?.username || t('alarm.you') }),
              ),
          h('input', {
            name: 'comment',
            placeholder: t('alarm.commentPlaceholder'),
            'aria-label': t('alarm.comment'),
            maxlength: 2000,
          }),
          h('button', { type: 'submit', class: 'btn primary' }, t('alarm.ack')),
          h('span', { class: 'ack-error', role: 'alert' }),
        );
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          void this.acknowledge(a, form);
        });
        li.append(form);
      } else if (mayWrite(this.me, 'alarm.ack'))
        li.append(h('button', { class: 'btn ack', type: 'button', 'data-action': 'ack' }, t('alarm.ackOpen')));
    }
    return li;
  }

  /** "Project · device" of an alarm; what is not known yet (loading, or not readable) is left out. */
  private where(a: Alarm): string {
    return [this.naming.projectName(a.projectId), a.deviceId && this.devices.get(a.deviceId)]
      .filter(Boolean)
      .join(' · ');
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const row = target.closest<HTMLElement>('[data-alarm-id]');
    const action = target.closest<HTMLElement>('[data-action]')?.dataset.action;
    if (!row || !action) return;
    const alarm = (this.replay ?? this.store.list()).find((a) => a.id === row.dataset.alarmId);
    if (!alarm) return;
    if (action === 'focus') this.onFocus.trigger(alarm);
    if (action === 'ack') {
      this.ackOpen = alarm.id;
      this.render();
      this.list.querySelector<HTMLInputElement>(`[data-alarm-id="${alarm.id}"] input[name="comment"]`)?.focus();
    }
  }

  private async acknowledge(a: Alarm, form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    const by = data.has('by') ? String(data.get('by')).trim() : undefined;
    const comment = String(data.get('comment') ?? '').trim();
    const err = form.querySelector<HTMLElement>('.ack-error')!;
    try {
      if (by) this.who = by;
      const updated = await acknowledgeAlarm(a.id, by, comment);
      this.ackOpen = null;
      // The live `alarm.updated` brings the same; applying the answer shows it without waiting for the push.
      this.store.apply({ type: 'alarm.updated', alarm: updated });
    } catch (e) {
      const ae = e as ApiError;
      err.textContent = ae.code === 'alarm_not_open' ? errorText(ae) : t('alarm.ackFailed', { message: errorText(ae) });
      if (ae.code === 'alarm_not_open') this.ackOpen = null;
    }
  }

  dispose(): void {
    for (const off of this.offs) off();
    this.onFocus.reset();
    this.beep.dispose();
    this.root.remove();
  }
}
