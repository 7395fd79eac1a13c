import type { Alarm } from '../../models/Alarm.js';
import type { ProjectReplay } from '../../models/Replay.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { fetchReplay } from '../devices/deviceApi.js';
import type { DeviceStore } from '../devices/DeviceStore.js';
import { alarmsOpenAt, replayWindow, valuesAt } from './replaySampling.js';

/** Replay player tick: device states are set this often; overlays interpolate in between. */
export const REPLAY_TICK_MS = 250;
/** How far back the slider reaches. */
export const REPLAY_SPAN_MS = 24 * 3_600_000;

export interface ReplayStatus {
  active: boolean;
  t: number;
  from: number;
  to: number;
  speed: number;
  playing: boolean;
  loading: boolean;
  error: string | null;
  alarmsOpen: number;
}

/**
 * Plays a project's history: fetches `/replay` windows around the playhead (about 30 s of wall time each, refetched
 * ahead), and at each tick sets every device's state at the playhead in the DeviceStore (replay mode) and the alarms
 * open then. `exit` returns the store to live.
 */
export class ReplayController implements Tool {
  enabled = true;
  readonly onStatus = new Event<ReplayStatus>();
  readonly onAlarms = new Event<Alarm[] | null>();
  readonly status: ReplayStatus = { active: false, t: 0, from: 0, to: 0, speed: 1, playing: false, loading: false, error: null, alarmsOpen: 0 };
  private data: ProjectReplay | null = null;
  private pending: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastTick = 0;

  constructor(private readonly devices: DeviceStore) {}

  /** The reading-clock instant overlays pose at: one tick behind the playhead, so they interpolate between ticks. */
  displayTime(): number {
    return this.status.playing ? this.status.t - REPLAY_TICK_MS * this.status.speed : this.status.t;
  }

  /** Starts replay at `t` (default: one hour ago), paused. */
  async enter(t = Date.now() - 3_600_000): Promise<void> {
    const now = Date.now();
    Object.assign(this.status, { active: true, from: now - REPLAY_SPAN_MS, to: now, playing: false, error: null });
    this.devices.setMode('replay');
    this.timer = setInterval(() => this.tick(), REPLAY_TICK_MS);
    await this.seek(t);
  }

  async seek(t: number): Promise<void> {
    const s = this.status;
    s.t = Math.min(Math.max(t, s.from), s.to);
    if (!this.covers(s.t)) await this.load(s.t);
    this.apply();
  }

  play(on: boolean): void {
    this.status.playing = on && this.status.active;
    this.lastTick = performance.now();
    this.emit();
  }

  setSpeed(speed: number): void {
    this.status.speed = speed;
    this.emit();
  }

  exit(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.data = null;
    Object.assign(this.status, { active: false, playing: false, loading: false, alarmsOpen: 0 });
    this.devices.setMode('live');
    this.onAlarms.trigger(null);
    this.emit();
  }

  private covers(t: number): boolean {
    const d = this.data;
    return !!d && t >= d.from && t <= d.from + (d.steps - 1) * d.stepMs;
  }

  private load(t: number): Promise<void> {
    const pid = this.devices.projectId;
    if (!pid) return Promise.resolve();
    if (this.pending) return this.pending;
    const w = replayWindow(t, this.status.speed, this.status.to);
    this.status.loading = true;
    this.emit();
    this.pending = fetchReplay(pid, w.from, w.to, w.stepMs)
      .then((r) => {
        if (this.status.active) this.data = r;
        this.status.error = null;
      })
      .catch((err: Error) => {
        this.status.error = err.message;
        this.status.playing = false;
      })
      .finally(() => {
        this.pending = null;
        this.status.loading = false;
        this.emit();
      });
    return this.pending;
  }

  private tick(): void {
    const s = this.status;
    if (!s.active || !s.playing) return;
    const now = performance.now();
    s.t = Math.min(s.t + (now - this.lastTick) * s.speed, s.to);
    this.lastTick = now;
    if (s.t >= s.to) s.playing = false;
    const d = this.data;
    // Fetch the next window before the playhead reaches the end of this one.
    if (d && !this.pending && s.t > d.to - (d.to - d.from) / 4 && d.to < s.to) void this.load(d.to);
    if (!this.covers(s.t)) {
      if (!this.pending) void this.load(s.t);
      return this.emit(); // hold the last state while the window loads
    }
    this.apply();
  }

  private apply(): void {
    const d = this.data;
    const s = this.status;
    if (!d || !s.active) return this.emit();
    for (const dev of d.devices) this.devices.applyReplay(dev.deviceId, s.t, valuesAt(d, dev.fields, s.t));
    const open = alarmsOpenAt(d.alarms, s.t);
    s.alarmsOpen = open.length;
    this.onAlarms.trigger(open);
    this.emit();
  }

  private emit(): void {
    this.onStatus.trigger(this.status);
  }

  dispose(): void {
    if (this.status.active) this.exit();
    clearInterval(this.timer);
    this.onStatus.reset();
    this.onAlarms.reset();
  }
}
