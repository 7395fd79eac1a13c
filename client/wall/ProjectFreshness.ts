import type { DeviceKind } from '../../models/Device.js';
import { EXPECTED_INTERVAL_MS } from '../../models/Freshness.js';
import type { LiveServerMessage } from '../../models/protocol.js';

interface DeviceSeen {
  projectId: string;
  kind: DeviceKind;
  /** Time of the newest reading, or null when none was seen. */
  last: number | null;
}

/** One project's data freshness on a wall. */
export interface ProjectLiveness {
  /** Some device reported within its expected interval. */
  online: boolean;
  devices: number;
  /** Devices reporting within their expected interval. */
  reporting: number;
  /** Time of the newest reading of any device, or null. */
  newest: number | null;
}

/**
 * Which projects are live, from the `/live` stream: the snapshot after a subscribe, then telemetry batches and device
 * changes. A device is reporting when its newest reading is within its kind's expected interval; a project is online
 * when one of its devices is. Memory is one entry per device, whatever the uptime.
 */
export class ProjectFreshness {
  private readonly devices = new Map<string, DeviceSeen>();

  /** Applies a live message; returns true when it changed what is known. */
  apply(m: LiveServerMessage): boolean {
    switch (m.type) {
      case 'snapshot': {
        for (const d of m.devices) {
          const old = this.devices.get(d.id);
          this.devices.set(d.id, { projectId: d.projectId, kind: d.kind, last: old?.last ?? null });
        }
        for (const r of m.latest) this.seen(r.deviceId, r.projectId, r.kind, r.time);
        return true;
      }
      case 'telemetry.batch':
        for (const r of m.readings) this.seen(r.deviceId, r.projectId, r.kind, r.time);
        return m.readings.length > 0;
      case 'device.created':
      case 'device.updated': {
        const old = this.devices.get(m.device.id);
        this.devices.set(m.device.id, { projectId: m.device.projectId, kind: m.device.kind, last: old?.last ?? null });
        return true;
      }
      case 'device.deleted':
        return this.devices.delete(m.deviceId);
      case 'project.deleted':
        for (const [id, d] of this.devices) if (d.projectId === m.projectId) this.devices.delete(id);
        return true;
      default:
        return false;
    }
  }

  private seen(deviceId: string, projectId: string, kind: DeviceKind, time: number): void {
    const d = this.devices.get(deviceId);
    if (!d) this.devices.set(deviceId, { projectId, kind, last: time });
    else if (d.last === null || time > d.last) d.last = time;
  }

  /** Liveness of every project that has devices, at `now`. */
  liveness(now: number): Map<string, ProjectLiveness> {
    const out = new Map<string, ProjectLiveness>();
    for (const d of this.devices.values()) {
      let p = out.get(d.projectId);
      if (!p) out.set(d.projectId, (p = { online: false, devices: 0, reporting: 0, newest: null }));
      p.devices++;
      if (d.last !== null) {
        if (p.newest === null || d.last > p.newest) p.newest = d.last;
        if (now - d.last <= EXPECTED_INTERVAL_MS[d.kind]) {
          p.reporting++;
          p.online = true;
        }
      }
    }
    return out;
  }

  get deviceCount(): number {
    return this.devices.size;
  }
}
