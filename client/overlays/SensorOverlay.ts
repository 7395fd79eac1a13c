import { sensorValueLines } from '../devices/deviceFields.js';
import type { DeviceState } from '../devices/DeviceStore.js';
import { MarkerOverlay } from './markers.js';
import type { OverlayContext } from './overlayBase.js';
import { t } from '../i18n/i18n.js';

/**
 * Generic sensors (named quantities with units declared in their params: strain, tilt, temperature...): a marker per
 * sensor labelled with its live values, grey when stale. A sensor bound to an IFC element without a location of its
 * own stands at that element once DevicePlacer has found it. Alarms of a sensor show as the glow under it.
 */
export class SensorOverlay extends MarkerOverlay {
  readonly kind = 'sensor' as const;

  constructor(ctx: OverlayContext) {
    super(ctx, { heightM: 3, pixelSize: 11 });
  }

  update(s: DeviceState, _time?: number, _values?: Record<string, unknown>): void {
    const m = this.markers.get(s.device.id);
    if (!m) return;
    const stale = this.ctx.devices.isStale(s.device.id, Date.now());
    m.setState(stale ? 'stale' : 'normal');
    const at = this.ctx.devices.placementOf(s.device.id) ? ` · ${t('site.atElement')}` : '';
    m.setText(
      [`${s.device.name}${stale ? ` · ${t('site.stale')}` : ''}${at}`, ...sensorValueLines(s.device, s.values)].join(
        '\n',
      ),
    );
  }

  /** The label text of a sensor's marker (for the page probe). */
  labelOf(id: string): string | null {
    return this.markers.get(id)?.text ?? null;
  }
}
