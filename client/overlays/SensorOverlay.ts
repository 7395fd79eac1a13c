import type { Cartesian3 } from 'cesium';
import { sensorValueLines } from '../devices/deviceFields.js';
import type { DeviceState } from '../devices/DeviceStore.js';
import { Marker } from './markers.js';
import { KindOverlay } from './overlayBase.js';

/**
 * Generic sensors (named quantities with units declared in their params: strain, tilt, temperature...): a marker per
 * sensor labelled with its live values, grey when stale. A sensor bound to an IFC element without a location of its
 * own stands at that element once DevicePlacer has found it. Alarms of a sensor show as the glow under it.
 */
export class SensorOverlay extends KindOverlay {
  readonly kind = 'sensor' as const;
  private readonly markers = new Map<string, Marker>();

  add(s: DeviceState): void {
    if (!s.device.location || this.markers.has(s.device.id)) return;
    this.markers.set(s.device.id, new Marker(this.ctx.entities, s, { heightM: 3, pixelSize: 11 }));
    this.update(s, s.time ?? 0, s.values);
  }

  update(s: DeviceState, _time?: number, _values?: Record<string, unknown>): void {
    const m = this.markers.get(s.device.id);
    if (!m) return;
    const stale = this.ctx.devices.isStale(s.device.id, Date.now());
    m.setState(stale ? 'stale' : 'normal');
    const at = this.ctx.devices.placementOf(s.device.id) ? ' · at its IFC element' : '';
    m.setText([`${s.device.name}${stale ? ' · stale' : ''}${at}`, ...sensorValueLines(s.device, s.values)].join('\n'));
  }

  /** The label text of a sensor's marker (for the page probe). */
  labelOf(id: string): string | null {
    return this.markers.get(id)?.text ?? null;
  }

  remove(id: string): void {
    this.markers.get(id)?.remove(this.ctx.entities);
    this.markers.delete(id);
  }

  positionOf(id: string): Cartesian3 | undefined {
    return this.markers.get(id)?.position;
  }

  dispose(): void {
    for (const m of this.markers.values()) m.remove(this.ctx.entities);
    this.markers.clear();
  }
}
