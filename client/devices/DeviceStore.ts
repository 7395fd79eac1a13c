import type { Device } from '../../models/Device.js';
import { EXPECTED_INTERVAL_MS } from '../../models/Freshness.js';
import type { LiveServerMessage } from '../../models/protocol.js';
import type { LiveReading } from '../../models/Reading.js';
import { Event } from '../core/Event.js';
import { needsElementAnchor, type ElementPlacement } from './devicePlacement.js';

/** One device as the overlays and panels see it: its record and its latest values, merged field by field. */
export interface DeviceState {
  device: Device;
  values: Record<string, unknown>;
  /** When each field was last reported (epoch ms). */
  fieldTimes: Record<string, number>;
  /** Time of the newest reading merged in, or null when the device never reported. */
  time: number | null;
}

/** Where the values of a change come from: the live stream, or the replay player. */
export type DeviceSource = 'live' | 'replay';

export type DeviceChange =
  | { kind: 'reset'; source: DeviceSource }
  | { kind: 'added' | 'updated' | 'removed'; id: string }
  | { kind: 'reading'; id: string; time: number; values: Record<string, unknown>; source: DeviceSource };

/**
 * The devices of one project and their state, fed by `/live` (snapshot, telemetry batches, device messages) or by the
 * replay player. Overlays and panels read from here, never from the socket. While in replay mode the live state keeps
 * being merged (so "Live" returns to the present at once) but changes are announced only for the replayed state.
 */
export class DeviceStore {
  readonly onChanged = new Event<DeviceChange>();
  private _projectId: string | null = null;
  private readonly live = new Map<string, DeviceState>();
  private readonly replayed = new Map<string, DeviceState>();
  /** Device records as served (the states hold them with an element's location filled in). */
  private readonly records = new Map<string, Device>();
  /** Where devices bound to an IFC element stand (found by DevicePlacer), kept across snapshots of the project. */
  private readonly anchors = new Map<string, ElementPlacement>();
  private _mode: DeviceSource = 'live';

  get projectId(): string | null {
    return this._projectId;
  }
  get mode(): DeviceSource {
    return this._mode;
  }

  /** Starts over for a project (or none), with the devices and latest readings of its snapshot. */
  reset(projectId: string | null, devices: Device[] = [], latest: LiveReading[] = []): void {
    if (projectId !== this._projectId) this.anchors.clear();
    this._projectId = projectId;
    this.live.clear();
    this.replayed.clear();
    this.records.clear();
    for (const d of devices)
      if (d.projectId === projectId)
        this.live.set(d.id, { device: this.placed(d), values: {}, fieldTimes: {}, time: null });
    for (const r of latest) this.merge(this.live.get(r.deviceId), r.time, r.values);
    this.onChanged.trigger({ kind: 'reset', source: this._mode });
  }

  /** Applies one live message; returns true when it concerned this project. */
  apply(m: LiveServerMessage): boolean {
    const pid = this._projectId;
    if (!pid) return false;
    switch (m.type) {
      case 'snapshot':
        if (m.scope.kind !== 'project' || m.scope.projectId !== pid) return false;
        this.reset(pid, m.devices, m.latest);
        return true;
      case 'telemetry.batch': {
        let any = false;
        for (const r of m.readings) {
          if (r.projectId !== pid) continue;
          const s = this.live.get(r.deviceId);
          if (!s) continue;
          const changed = this.merge(s, r.time, r.values);
          any = true;
          if (changed && this._mode === 'live')
            this.onChanged.trigger({ kind: 'reading', id: r.deviceId, time: r.time, values: r.values, source: 'live' });
        }
        return any;
      }
      case 'device.created':
      case 'device.updated': {
        if (m.device.projectId !== pid) return false;
        const s = this.live.get(m.device.id);
        const device = this.placed(m.device);
        if (s) s.device = device;
        else this.live.set(m.device.id, { device, values: {}, fieldTimes: {}, time: null });
        this.onChanged.trigger({ kind: s ? 'updated' : 'added', id: m.device.id });
        return true;
      }
      case 'device.deleted':
        if (m.projectId !== pid || !this.live.delete(m.deviceId)) return false;
        this.replayed.delete(m.deviceId);
        this.records.delete(m.deviceId);
        this.anchors.delete(m.deviceId);
        this.onChanged.trigger({ kind: 'removed', id: m.deviceId });
        return true;
      default:
        return false;
    }
  }

  /** Switches between live and replay; each switch is announced as a reset so every view re-reads its state. */
  setMode(mode: DeviceSource): void {
    if (mode === this._mode) return;
    this._mode = mode;
    this.replayed.clear();
    this.onChanged.trigger({ kind: 'reset', source: mode });
  }

  /**
   * Sets a device's replayed state at instant `t` (only in replay mode). Fields missing from `values` were unknown
   * then, so they are dropped rather than kept from another instant.
   */
  applyReplay(id: string, t: number, values: Record<string, unknown>): void {
    if (this._mode !== 'replay') return;
    const base = this.live.get(id);
    if (!base) return;
    const fieldTimes: Record<string, number> = {};
    for (const k of Object.keys(values)) fieldTimes[k] = t;
    this.replayed.set(id, { device: base.device, values, fieldTimes, time: t });
    this.onChanged.trigger({ kind: 'reading', id, time: t, values, source: 'replay' });
  }

  /** A device's record as the server sent it (without an element's location filled in). */
  record(id: string): Device | undefined {
    return this.records.get(id);
  }

  /** The element a bound device stands at, when its place came from one. */
  placementOf(id: string): ElementPlacement | undefined {
    const a = this.anchors.get(id);
    const d = this.records.get(id);
    return a && d && needsElementAnchor(d) && d.ifcGlobalId === a.globalId ? a : undefined;
  }

  /**
   * Sets (or with null, forgets) where a device bound to an IFC element stands. Its state's record gets that location,
   * and an `updated` change is announced when the place changed, so the overlays draw it there.
   */
  placeAt(id: string, placement: ElementPlacement | null): void {
    if (placement) this.anchors.set(id, placement);
    else this.anchors.delete(id);
    const s = this.live.get(id);
    const rec = this.records.get(id);
    if (!s || !rec) return;
    const device = this.placed(rec);
    const a = s.device.location;
    const b = device.location;
    if (a === b || (a && b && a.lon === b.lon && a.lat === b.lat && a.height === b.height)) return;
    s.device = device;
    const r = this.replayed.get(id);
    if (r) r.device = device;
    this.onChanged.trigger({ kind: 'updated', id });
  }

  get(id: string): DeviceState | undefined {
    const live = this.live.get(id);
    if (!live || this._mode === 'live') return live;
    return this.replayed.get(id) ?? { device: live.device, values: {}, fieldTimes: {}, time: null };
  }

  list(): DeviceState[] {
    return [...this.live.keys()].map((id) => this.get(id)!);
  }

  get size(): number {
    return this.live.size;
  }

  /** Age of the device's newest reading at `now`, or null when it never reported. */
  ageMs(id: string, now: number): number | null {
    const s = this.get(id);
    return s?.time == null ? null : Math.max(0, now - s.time);
  }

  /**
   * True when the device's data must not be shown as live: it never reported, or its newest reading is older than
   * its kind's expected interval (models/Freshness.ts). In replay, data is as of the replayed instant: never stale.
   */
  isStale(id: string, now: number): boolean {
    const s = this.get(id);
    if (!s || s.time == null) return true;
    if (this._mode === 'replay') return false;
    return now - s.time > EXPECTED_INTERVAL_MS[s.device.kind];
  }

  /** Keeps the record as served; a device bound to an element and placed by it gets the element's location. */
  private placed(d: Device): Device {
    this.records.set(d.id, d);
    const a = this.anchors.get(d.id);
    return a && needsElementAnchor(d) && d.ifcGlobalId === a.globalId ? { ...d, location: a.location } : d;
  }

  /** Merges newer fields in; returns true when at least one field changed. */
  private merge(s: DeviceState | undefined, time: number, values: Record<string, unknown>): boolean {
    if (!s) return false;
    let changed = false;
    for (const [k, v] of Object.entries(values)) {
      if ((s.fieldTimes[k] ?? -Infinity) > time) continue; // an older reading arriving late never overwrites
      s.values[k] = v;
      s.fieldTimes[k] = time;
      changed = true;
    }
    if (changed && (s.time === null || time > s.time)) s.time = time;
    return changed;
  }
}
