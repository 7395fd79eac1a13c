import { EnvMonitorParams } from '../../models/EnvMonitor.js';
import type { DeviceState } from '../devices/DeviceStore.js';
import { DustHeatmap } from './DustHeatmap.js';
import { MarkerOverlay } from './markers.js';
import { num, pctState, type OverlayContext } from './overlayBase.js';
import { t } from '../i18n/i18n.js';

/** PM10 line when neither the device nor its province sets one: China's grade II 24 h limit (GB 3095-2012). */
export const DEFAULT_PM10_LIMIT = 150;

/**
 * Dust and noise monitors: a marker per monitor with live PM2.5, PM10, TSP, noise and wind, coloured by the worse of
 * dust and noise against the device's limits, and the site's dust heat map (DustHeatmap, a GLSL material).
 */
export class EnvOverlay extends MarkerOverlay {
  readonly kind = 'env_monitor' as const;
  private readonly heatmap = new DustHeatmap(this.ctx.primitives);

  constructor(ctx: OverlayContext) {
    super(ctx, { heightM: 6 });
  }

  protected override added(s: DeviceState): void {
    this.relayout();
    this.update(s, s.time ?? 0, s.values);
  }

  protected override removed(): void {
    this.relayout();
  }

  update(s: DeviceState, _time: number, _values: Record<string, unknown>): void {
    const m = this.markers.get(s.device.id);
    if (!m) return;
    const v = s.values;
    const p = EnvMonitorParams.safeParse(s.device.params);
    const limits = p.success ? p.data : { noiseDayLimitDb: 70, noiseNightLimitDb: 55, pm10LimitUgm3: undefined };
    const pm10Limit = limits.pm10LimitUgm3 ?? DEFAULT_PM10_LIMIT;
    const stale = this.ctx.devices.isStale(s.device.id, Date.now());
    const dust = pctState(num(v.pm10Ugm3) !== undefined ? (num(v.pm10Ugm3)! / pm10Limit) * 100 : undefined, 80, 100);
    const noise = pctState(num(v.noiseDb), limits.noiseDayLimitDb - 3, limits.noiseDayLimitDb);
    m.setState(
      stale
        ? 'stale'
        : dust === 'alarm' || noise === 'alarm'
          ? 'alarm'
          : dust === 'prewarning' || noise === 'prewarning'
            ? 'prewarning'
            : 'normal',
    );
    const f = (k: string, d = 0) => (num(v[k]) !== undefined ? num(v[k])!.toFixed(d) : '—');
    m.setText(
      `${s.device.name}${stale ? ` · ${t('site.stale')}` : ''}\nPM2.5 ${f('pm25Ugm3')} · PM10 ${f('pm10Ugm3')} · TSP ${f('tspUgm3')} µg/m³\n${t('site.noise')} ${f('noiseDb', 1)} dB(A) · ${t('site.wind')} ${f('windSpeedMps', 1)} m/s ${f('windDirDeg')}°`,
    );
    this.refreshHeatmap();
  }

  private relayout(): void {
    const pts = [...this.markers.keys()]
      .map((id) => this.ctx.devices.get(id)?.device.location)
      .filter((l): l is NonNullable<typeof l> => !!l);
    this.heatmap.layout(pts.map((l) => ({ lon: l.lon, lat: l.lat, height: l.height ?? 0 })));
    this.refreshHeatmap();
  }

  private refreshHeatmap(): void {
    const samples: { lon: number; lat: number; value: number }[] = [];
    let limit = DEFAULT_PM10_LIMIT;
    for (const id of this.markers.keys()) {
      const s = this.ctx.devices.get(id);
      const pm10 = num(s?.values.pm10Ugm3);
      if (!s?.device.location || pm10 === undefined || this.ctx.devices.isStale(id, Date.now())) continue;
      const p = EnvMonitorParams.safeParse(s.device.params);
      if (p.success && p.data.pm10LimitUgm3) limit = Math.min(limit, p.data.pm10LimitUgm3);
      samples.push({ lon: s.device.location.lon, lat: s.device.location.lat, value: pm10 });
    }
    this.heatmap.values(samples, limit);
  }

  /** The dust heat map drawn or hidden (layer panel). */
  get heatmapVisible(): boolean {
    return this.heatmap.visible;
  }
  set heatmapVisible(v: boolean) {
    this.heatmap.visible = v;
    this.ctx.map.requestRender();
  }

  /** Monitors feeding the heat map now, for the page probe. */
  get heatmapShown(): boolean {
    return this.heatmap.shown;
  }

  override dispose(): void {
    super.dispose();
    this.heatmap.clear();
  }
}
