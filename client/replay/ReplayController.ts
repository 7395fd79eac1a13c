import type { Alarm } from '../../models/Alarm.js';
import type { ProjectReplay } from '../../models/Replay.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { fetchReplay } from '../devices/deviceApi.js';
import type { DeviceStore } from '../devices/DeviceStore.js';
import { alarmsOpenAt, replayWindow, valuesAt } from './replaySampling.js';
import { errorText } from '../api/errorText.js';

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

/** Loads one replay window (`GET /projects/:id/replay`); injectable so the player's sequencing can be unit tested. */
export type ReplayLoader = (projectId: string, from: number, to: number, stepMs: number) => Promise<ProjectReplay>;

/** Loaded windows kept around the playhead (the one playing, the one fetched ahead, the one before a seek). */
const MAX_WINDOWS = 3;

/** The instant of a replay's last sample (at or after its `to`). */
const lastSample = (r: ProjectReplay) => r.from + (r.steps - 1) * r.stepMs;

/**
 * Plays a project's history: fetches `/replay` windows around the playhead (about 30 s of wall time each, refetched
 * ahead), and at each tick sets every device's state at the playhead in the DeviceStore (replay mode) and the alarms
 * open then. `exit` returns the store to live.
 *
 * A seek always ends with the state at the new instant applied, whatever was loading when it came: the window
 * answer that covers the playhead applies itself on arrival (also while paused), an answer for an instant the playhead
 * has left never does, and answers of a previous replay session are dropped.
 */
export class ReplayController implements Tool {
  enabled = true;
  readonly onStatus = new Event<ReplayStatus>();
  readonly onAlarms = new Event<Alarm[] | null>();
  /** The playhead jumped (enter or seek): views drop their motion history so they do not glide from the old instant. */
  readonly onSeek = new Event<number>();
  readonly status: ReplayStatus = {
    active: false,
    t: 0,
    from: 0,
    to: 0,
    speed: 1,
    playing: false,
    loading: false,
    error: null,
    alarmsOpen: 0,
  };
  private windows: ProjectReplay[] = [];
  /** The newest request: what it covers, and its answer's promise (settled after the answer is stored / applied). */
  private inflight: { id: number; from: number; to: number; promise: Promise<void> } | null = null;
  private requestSeq = 0;
  /** Bumped on enter / exit: answers of an earlier session are ignored. */
  private session = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastTick = 0;

  constructor(
    private readonly devices: DeviceStore,
    private readonly loader: ReplayLoader = (pid, from, to, stepMs) => fetchReplay(pid, from, to, stepMs),
  ) {}

  /** The reading-clock instant overlays pose at: one tick behind the playhead, so they interpolate between ticks. */
  displayTime(): number {
    return this.status.playing ? this.status.t - REPLAY_TICK_MS * this.status.speed : this.status.t;
  }

  /** Starts replay at `t` (default: one hour ago), paused. */
  async enter(t = Date.now() - 3_600_000): Promise<void> {
    const now = Date.now();
    this.session++;
    this.windows = [];
    this.inflight = null;
    Object.assign(this.status, {
      active: true,
      from: now - REPLAY_SPAN_MS,
      to: now,
      playing: false,
      loading: false,
      error: null,
    });
    this.devices.setMode('replay');
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), REPLAY_TICK_MS);
    await this.seek(t);
  }

  /**
   * Moves the playhead to `t` and shows the site then: at once when a loaded window covers `t`, else when the window
   * fetched for it arrives. Resolves once that state is applied (or the load failed, or a later seek took over).
   */
  async seek(t: number): Promise<void> {
    const s = this.status;
    if (!s.active) return;
    s.t = Math.min(Math.max(t, s.from), s.to);
    this.onSeek.trigger(s.t);
    if (this.windowAt(s.t)) return this.apply();
    this.emit();
    await this.load(s.t);
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
    this.session++;
    this.windows = [];
    this.inflight = null;
    Object.assign(this.status, { active: false, playing: false, loading: false, alarmsOpen: 0 });
    this.devices.setMode('live');
    this.onAlarms.trigger(null);
    this.emit();
  }

  /** The loaded window holding instant `t`, if any. */
  private windowAt(t: number): ProjectReplay | undefined {
    return this.windows.find((w) => t >= w.from && t <= lastSample(w));
  }

  /**
   * Fetches the window starting at `t` unless the newest request already covers it. An answer is kept whenever it
   * arrives (it is history, valid whatever the playhead does meanwhile) and applied when it covers the playhead; only
   * the newest request's end clears `loading` and reports an error.
   */
  private load(t: number): Promise<void> {
    const pid = this.devices.projectId;
    if (!pid) return Promise.resolve();
    const f = this.inflight;
    if (f && t >= f.from && t <= f.to) return f.promise;
    const w = replayWindow(t, this.status.speed, this.status.to);
    const id = ++this.requestSeq;
    const session = this.session;
    const s = this.status;
    s.loading = true;
    this.emit();
    const promise = this.loader(pid, w.from, w.to, w.stepMs).then(
      (r) => {
        if (session !== this.session || !s.active) return;
        this.windows = [r, ...this.windows.filter((x) => x.from !== r.from)].slice(0, MAX_WINDOWS);
        if (this.inflight?.id === id) {
          this.inflight = null;
          s.loading = false;
          s.error = null;
        }
        // Covers the playhead: show it now (paused, nothing else would).
        if (s.t >= r.from && s.t <= lastSample(r)) this.apply();
        else this.emit();
      },
      (err: Error) => {
        if (session !== this.session || this.inflight?.id !== id) return;
        this.inflight = null;
        s.loading = false;
        s.error = errorText(err);
        s.playing = false;
        this.emit();
      },
    );
    this.inflight = { id, from: w.from, to: w.to, promise };
    return promise;
  }

  private tick(): void {
    const s = this.status;
    if (!s.active || !s.playing) return;
    const now = performance.now();
    s.t = Math.min(s.t + (now - this.lastTick) * s.speed, s.to);
    this.lastTick = now;
    if (s.t >= s.to) s.playing = false;
    const d = this.windowAt(s.t);
    // Fetch the next window before the playhead reaches the end of this one.
    if (d && !this.inflight && s.t > d.to - (d.to - d.from) / 4 && d.to < s.to && !this.windowAt(lastSample(d) + 1))
      void this.load(lastSample(d));
    if (!d) {
      void this.load(s.t);
      return this.emit(); // hold the last state while the window loads
    }
    this.apply();
  }

  private apply(): void {
    const s = this.status;
    const d = this.windowAt(s.t);
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
    this.onSeek.reset();
  }
}
