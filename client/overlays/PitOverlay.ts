import { pitAlarmValueMm, pitBand } from '../../models/alarmRules/pitGauge.js';
import { PitGaugeParams } from '../../models/PitGauge.js';
import type { DeviceState } from '../devices/DeviceStore.js';
import { MarkerOverlay } from './markers.js';
import { num, type OverlayContext, type StateColor } from './overlayBase.js';
import { t } from '../i18n/i18n.js';

const BAND_COLOR = { normal: 'normal', watch: 'prewarning', alarm: 'alarm' } as const satisfies Record<
  string,
  StateColor
>;

/**
 * Foundation-pit gauges along the pit edge: each coloured by its band (GB 50497-2019: < 70 % of the alarm value
 * normal, 70-100 % watch, >= 100 % alarm; models/alarmRules/pitGauge.ts) and labelled with its cumulative value.
 */
export class PitOverlay extends MarkerOverlay {
  readonly kind = 'pit_gauge' as const;

  constructor(ctx: OverlayContext) {
    super(ctx, { heightM: 1.5, pixelSize: 11 });
  }

  update(s: DeviceState, _time?: number, _values?: Record<string, unknown>): void {
    const m = this.markers.get(s.device.id);
    if (!m) return;
    const p = PitGaugeParams.safeParse(s.device.params);
    const v = s.values;
    const value =
      p.success && p.data.metric === 'displacement'
        ? num(v.displacementMm)
        : (num(v.settlementMm) ?? num(v.displacementMm));
    const alarmAt = p.success ? pitAlarmValueMm(p.data) : undefined;
    const band = value !== undefined && alarmAt ? pitBand(value, alarmAt) : null;
    const stale = this.ctx.devices.isStale(s.device.id, Date.now());
    m.setState(stale ? 'stale' : band ? BAND_COLOR[band] : 'normal');
    const what = t(p.success ? `site.pit.${p.data.metric}` : 'site.pit.value');
    m.setText(
      `${s.device.name}${stale ? ` · ${t('site.stale')}` : ''}\n${what} ${value?.toFixed(2) ?? '—'} mm${alarmAt ? ` / ${alarmAt.toFixed(0)} mm` : ''}${band ? ` · ${band}` : ''}`,
    );
  }
}
