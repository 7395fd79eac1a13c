import type { ProjectAttendance } from '../../models/Attendance.js';
import { fetchAttendance } from '../devices/deviceApi.js';
import type { DeviceState } from '../devices/DeviceStore.js';
import { MarkerOverlay } from './markers.js';
import type { OverlayContext } from './overlayBase.js';
import { t } from '../i18n/i18n.js';

/** Least time between two attendance fetches: gate events come in bursts at shift change. */
const REFRESH_MS = 10_000;

/** Real-name gates: a marker per gate with the project's on-site count by trade (counts only, never a name or id). */
export class GateOverlay extends MarkerOverlay {
  readonly kind = 'gate' as const;
  private attendance: ProjectAttendance | null = null;
  private lastFetch = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(ctx: OverlayContext) {
    super(ctx, { heightM: 3 });
  }

  protected override added(): void {
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
    const trades = a
      ? Object.entries(a.byTrade)
          .sort((x, y) => y[1] - x[1])
          .slice(0, 4)
          .map(([t, n]) => `${t} ${n}`)
          .join(' · ')
      : '';
    for (const [id, m] of this.markers) {
      const s = this.ctx.devices.get(id);
      if (!s) continue;
      m.setState(this.ctx.devices.isStale(id, Date.now()) ? 'stale' : 'normal');
      m.setText(`${s.device.name}\n${t('site.onSite')} ${a?.onSite ?? '—'}${trades ? `\n${trades}` : ''}`);
    }
    this.ctx.map.requestRender();
  }

  /** On-site count last fetched (for the page probe). */
  get onSite(): number | null {
    return this.attendance?.onSite ?? null;
  }

  override dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    super.dispose();
  }
}
