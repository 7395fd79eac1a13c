import type { Cartesian3 } from 'cesium';
import type { ProjectAttendance } from '../../models/Attendance.js';
import { fetchAttendance } from '../devices/deviceApi.js';
import type { DeviceState } from '../devices/DeviceStore.js';
import { Marker } from './markers.js';
import { KindOverlay } from './overlayBase.js';

/** Least time between two attendance fetches: gate events come in bursts at shift change. */
const REFRESH_MS = 10_000;

/** Real-name gates: a marker per gate with the project's on-site count by trade (counts only, never a name or id). */
export class GateOverlay extends KindOverlay {
  readonly kind = 'gate' as const;
  private readonly markers = new Map<string, Marker>();
  private attendance: ProjectAttendance | null = null;
  private lastFetch = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  add(s: DeviceState): void {
    if (!s.device.location || this.markers.has(s.device.id)) return;
    this.markers.set(s.device.id, new Marker(this.ctx.entities, s, { heightM: 3 }));
    this.refresh();
  }

  update(_s: DeviceState): void {
    this.refresh();
  }

  /** Fetches the counts now, or once the refresh interval has passed since the last fetch. */
  private refresh(): void {
    if (this.timer || this.disposed) return;
    const wait = Math.max(0, this.lastFetch + REFRESH_MS - Date.now());
    this.timer = setTimeout(() => {
      const pid = this.ctx.devices.projectId;
      this.lastFetch = Date.now();
      if (!pid) return void (this.timer = undefined);
      fetchAttendance(pid)
        .then((a) => {
          this.attendance = a;
          this.draw();
        })
        .catch((err: Error) => console.warn('gate overlay: attendance unavailable', err.message))
        .finally(() => (this.timer = undefined));
    }, wait);
  }

  private draw(): void {
    if (this.disposed) return;
    const a = this.attendance;
    const trades = a ? Object.entries(a.byTrade).sort((x, y) => y[1] - x[1]).slice(0, 4).map(([t, n]) => `${t} ${n}`).join(' · ') : '';
    for (const [id, m] of this.markers) {
      const s = this.ctx.devices.get(id);
      if (!s) continue;
      m.setState(this.ctx.devices.isStale(id, Date.now()) ? 'stale' : 'normal');
      m.setText(`${s.device.name}\nOn site ${a?.onSite ?? '—'}${trades ? `\n${trades}` : ''}`);
    }
    this.ctx.map.requestRender();
  }

  /** On-site count last fetched (for the page probe). */
  get onSite(): number | null {
    return this.attendance?.onSite ?? null;
  }

  remove(id: string): void {
    this.markers.get(id)?.remove(this.ctx.entities);
    this.markers.delete(id);
  }

  positionOf(id: string): Cartesian3 | undefined {
    return this.markers.get(id)?.position;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const m of this.markers.values()) m.remove(this.ctx.entities);
    this.markers.clear();
  }
}
