import type { Device } from '../../models/Device.js';
import { roomOf, type LiveScope } from '../../models/protocol.js';
import type { LiveReading } from '../../models/Reading.js';
import type { CommittedReading, Ingest } from '../ingest/Ingest.js';
import { emitChannel } from '../ops/stageChannels.js';
import type { Logger } from '../log.js';
import { publicDevice } from '../store/DeviceRepo.js';
import type { Store } from '../store/Store.js';
import type { LivePublisher, Viewer } from './LiveHub.js';

export interface FanoutOptions {
  /** Most updates per device per viewer per second. */
  maxHz: number;
  /** Flush period: one emit per room per tick. */
  tickMs: number;
  /**
   * Most readings sent in one go (default 1000); a larger tick goes out in slices of this, one per turn of the event
   * loop. A tick after a stalled loop held thousands of readings, and its fan-out (serializing, encoding, writing to
   * every viewer's socket) ran up to ~120 ms at once in bench/city.ts, with ingest and every request waiting behind it.
   */
  maxPerEmit?: number;
}

const MAX_PER_EMIT = 1000;

/**
 * Pushes committed readings to `/live` viewers. Readings are coalesced per device (values merged, newest time kept)
 * and a device is sent at most `maxHz` times a second; after each committed group (on the next turn of the event loop)
 * and every `tickMs` the hub sends each room one `telemetry.batch` with all its devices due, never an emit per reading. A new subscriber first gets a `snapshot` of the readable
 * projects of its scope.
 *
 * The hub skips rooms nobody watches; a room whose viewer blinked (away within the recovery window) is still emitted
 * to: connection state recovery keeps each emitted packet, so the viewer gets what it missed when it comes back.
 */
export class TelemetryFanout {
  private readonly pending = new Map<string, LiveReading>();
  private readonly lastSent = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly minIntervalMs: number;
  private readonly maxPerEmit: number;
  /** Slices of earlier ticks still to send, oldest first, and whether a turn of the loop is booked to send them. */
  private readonly slices: LiveReading[][] = [];
  private sliceBooked = false;
  /** A flush is booked for the next turn of the loop (after a commit). */
  private flushBooked = false;
  private disposed = false;

  constructor(
    private readonly live: LivePublisher,
    ingest: Ingest,
    private readonly store: Store,
    opts: FanoutOptions,
    private readonly log: Logger,
  ) {
    this.minIntervalMs = 1000 / opts.maxHz;
    this.maxPerEmit = Math.max(1, opts.maxPerEmit ?? MAX_PER_EMIT);
    this.unsubscribe = ingest.onCommitted((batch) => this.add(batch));
    this.timer = setInterval(() => this.flush(), opts.tickMs);
    this.timer.unref();
    live.onSubscribe((viewer, scope, { projects }) => this.sendSnapshot(viewer, scope, projects));
  }

  private add(batch: CommittedReading[]): void {
    for (const { reading: r, device } of batch) {
      const prev = this.pending.get(r.deviceId);
      const lr: LiveReading = {
        deviceId: r.deviceId,
        projectId: device.projectId,
        kind: device.kind,
        time: r.time,
        ...(r.seq !== undefined ? { seq: r.seq } : {}),
        values: r.values,
      };
      if (!prev) this.pending.set(r.deviceId, lr);
      // A late (older) reading must not overwrite newer fields: merge it underneath.
      else if (r.time >= prev.time) this.pending.set(r.deviceId, { ...lr, values: { ...prev.values, ...r.values } });
      else prev.values = { ...r.values, ...prev.values };
    }
    // The commit's readings go out on the next turn of the loop (after the group's acks), not at the next tick: the
    // tick waited ~half of tickMs on average (bench/city.ts stages: fan-out p50 28-35 ms of a 63-72 ms ingest ->
    // viewer p50). The tick still sends what maxHz held back.
    if (!this.flushBooked && !this.disposed) {
      this.flushBooked = true;
      setImmediate(() => {
        this.flushBooked = false;
        if (!this.disposed) this.flush();
      });
    }
  }

  /** Sends every device that is due; returns how many readings went out (for tests and benchmarks). */
  flush(now = Date.now()): number {
    if (!this.pending.size) return 0;
    const due: LiveReading[] = [];
    for (const [id, r] of this.pending) {
      const last = this.lastSent.get(id);
      if (last !== undefined && now - last < this.minIntervalMs) continue;
      this.pending.delete(id);
      this.lastSent.set(id, now);
      due.push(r);
    }
    if (due.length) this.publish(due);
    if (this.lastSent.size > 100_000) this.pruneLastSent(now);
    return due.length;
  }

  /** Sends `due` now if it fits in one slice and nothing waits, else queues its slices behind the waiting ones. */
  private publish(due: LiveReading[]): void {
    if (!this.slices.length && due.length <= this.maxPerEmit) {
      this.emit(due);
      return;
    }
    for (let i = 0; i < due.length; i += this.maxPerEmit) this.slices.push(due.slice(i, i + this.maxPerEmit));
    this.sendSlice();
  }

  /** Sends the oldest waiting slice and books a turn of the loop for the next. */
  private sendSlice(): void {
    const slice = this.slices.shift();
    if (!slice || this.disposed) return;
    this.emit(slice);
    if (!this.slices.length || this.sliceBooked) return;
    this.sliceBooked = true;
    setImmediate(() => {
      this.sliceBooked = false;
      this.sendSlice();
    });
  }

  private emit(readings: LiveReading[]): void {
    this.live.publishReadings(readings);
    // For a benchmark's probe only (stageChannels.ts).
    if (emitChannel.hasSubscribers) emitChannel.publish({ readings, at: Date.now() });
  }

  private pruneLastSent(now: number): void {
    for (const [id, t] of this.lastSent) if (now - t >= this.minIntervalMs) this.lastSent.delete(id);
  }

  /** Forgets a deleted device (no more pushes of readings it had pending). */
  forgetDevice(id: string): void {
    this.pending.delete(id);
    this.lastSent.delete(id);
  }

  /** The devices of the readable projects of the scope and their latest state ('all': the city, read whole). */
  private async sendSnapshot(viewer: Viewer, scope: LiveScope, projects: 'all' | string[]): Promise<void> {
    let records;
    let latest;
    if (projects === 'all') {
      [records, latest] = await Promise.all([this.store.devices.list(), this.store.telemetry.latest({ all: true })]);
    } else if (projects.length === 1) {
      [records, latest] = await Promise.all([
        this.store.devices.list(projects[0]),
        this.store.telemetry.latest({ projectId: projects[0]! }),
      ]);
    } else {
      const wanted = new Set(projects);
      records = wanted.size ? (await this.store.devices.list()).filter((d) => wanted.has(d.projectId)) : [];
      latest = records.length ? await this.store.telemetry.latest({ deviceIds: records.map((d) => d.id) }) : [];
    }
    const devices: Device[] = records.map(publicDevice);
    const byId = new Map(devices.map((d) => [d.id, d]));
    const readings: LiveReading[] = [];
    for (const r of latest) {
      const d = byId.get(r.deviceId);
      if (d) readings.push({ ...r, projectId: d.projectId, kind: d.kind });
    }
    viewer.send({ type: 'snapshot', scope, devices, latest: readings });
    this.log.debug({ socket: viewer.id, scope: roomOf(scope), devices: devices.length }, 'live: snapshot sent');
  }

  dispose(): void {
    this.disposed = true;
    this.slices.length = 0;
    clearInterval(this.timer);
    this.unsubscribe();
  }
}
