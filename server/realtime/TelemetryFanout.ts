import type { Socket } from 'socket.io';
import type { Device } from '../../models/Device.js';
import { roomOf, type LiveClientToServer, type LiveScope, type LiveServerMessage, type LiveServerToClient } from '../../models/protocol.js';
import type { LiveReading } from '../../models/Reading.js';
import type { CommittedReading, Ingest } from '../ingest/Ingest.js';
import type { Logger } from '../log.js';
import { publicDevice } from '../store/DeviceRepo.js';
import type { Store } from '../store/Store.js';
import type { LiveHub } from './LiveHub.js';

export interface FanoutOptions {
  /** Most updates per device per viewer per second. */
  maxHz: number;
  /** Flush period: one emit per room per tick. */
  tickMs: number;
}

/**
 * Pushes committed readings to `/live` viewers. Readings are coalesced per device (values merged, newest time kept)
 * and a device is sent at most `maxHz` times a second; every `tickMs` each room gets one `telemetry.batch` with all
 * its devices due, never an emit per reading. A new subscriber first gets a `snapshot` of its scope.
 *
 * Rooms are emitted to even when empty: with connection state recovery the adapter keeps each emitted packet, so a
 * viewer that blinks and comes back gets what it missed.
 */
export class TelemetryFanout {
  private readonly pending = new Map<string, LiveReading>();
  private readonly lastSent = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly minIntervalMs: number;

  constructor(
    private readonly live: LiveHub,
    ingest: Ingest,
    private readonly store: Store,
    opts: FanoutOptions,
    private readonly log: Logger,
  ) {
    this.minIntervalMs = 1000 / opts.maxHz;
    this.unsubscribe = ingest.onCommitted((batch) => this.add(batch));
    this.timer = setInterval(() => this.flush(), opts.tickMs);
    this.timer.unref();
    live.onSubscribe((socket, scope) => this.sendSnapshot(socket, scope));
  }

  private add(batch: CommittedReading[]): void {
    for (const { reading: r, device } of batch) {
      const prev = this.pending.get(r.deviceId);
      const lr: LiveReading = { deviceId: r.deviceId, projectId: device.projectId, kind: device.kind, time: r.time, ...(r.seq !== undefined ? { seq: r.seq } : {}), values: r.values };
      if (!prev) this.pending.set(r.deviceId, lr);
      // A late (older) reading must not overwrite newer fields: merge it underneath.
      else if (r.time >= prev.time) this.pending.set(r.deviceId, { ...lr, values: { ...prev.values, ...r.values } });
      else prev.values = { ...r.values, ...prev.values };
    }
  }

  /** Sends every device that is due; returns how many readings went out (for tests and benchmarks). */
  flush(now = Date.now()): number {
    if (!this.pending.size) return 0;
    const byRoom = new Map<string, { scope: LiveScope; readings: LiveReading[] }>();
    const push = (scope: LiveScope, r: LiveReading) => {
      const room = roomOf(scope);
      let entry = byRoom.get(room);
      if (!entry) byRoom.set(room, (entry = { scope, readings: [] }));
      entry.readings.push(r);
    };
    let sent = 0;
    for (const [id, r] of this.pending) {
      const last = this.lastSent.get(id);
      if (last !== undefined && now - last < this.minIntervalMs) continue;
      this.pending.delete(id);
      this.lastSent.set(id, now);
      push({ kind: 'city' }, r);
      push({ kind: 'project', projectId: r.projectId }, r);
      sent++;
    }
    for (const [room, { scope, readings }] of byRoom) {
      const m: LiveServerMessage = { type: 'telemetry.batch', scope, readings };
      this.live.nsp.to(room).emit('msg', m);
    }
    if (this.lastSent.size > 100_000) this.pruneLastSent(now);
    return sent;
  }

  private pruneLastSent(now: number): void {
    for (const [id, t] of this.lastSent) if (now - t >= this.minIntervalMs) this.lastSent.delete(id);
  }

  /** Forgets a deleted device (no more pushes of readings it had pending). */
  forgetDevice(id: string): void {
    this.pending.delete(id);
    this.lastSent.delete(id);
  }

  private async sendSnapshot(socket: Socket<LiveClientToServer, LiveServerToClient>, scope: LiveScope): Promise<void> {
    const records = await this.store.devices.list(scope.kind === 'project' ? scope.projectId : undefined);
    const devices: Device[] = records.map(publicDevice);
    const byId = new Map(devices.map((d) => [d.id, d]));
    const latest = await this.store.telemetry.latest(scope.kind === 'project' ? { projectId: scope.projectId } : { all: true });
    const readings: LiveReading[] = [];
    for (const r of latest) {
      const d = byId.get(r.deviceId);
      if (d) readings.push({ ...r, projectId: d.projectId, kind: d.kind });
    }
    socket.emit('msg', { type: 'snapshot', scope, devices, latest: readings });
    this.log.debug({ socket: socket.id, scope: roomOf(scope), devices: devices.length }, 'live: snapshot sent');
  }

  dispose(): void {
    clearInterval(this.timer);
    this.unsubscribe();
  }
}
