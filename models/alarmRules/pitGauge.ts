import type { PitGaugeParams, PitGaugeValues } from '../PitGauge.js';
import type { AlarmThresholds } from './thresholds.js';
import { num, type Measure } from './types.js';

/** Band of a pit quantity (GB 50497-2019): < watch % of the alarm value normal, watch up to 100 %, then alarm. */
export type PitBand = 'normal' | 'watch' | 'alarm';

/**
 * Alarm value of a cumulative displacement / settlement in mm: the smaller of the absolute limit and the % of the
 * excavation depth (GB 50497-2019). Undefined when neither is configured.
 */
export function pitAlarmValueMm(
  p: Pick<PitGaugeParams, 'absLimitMm' | 'depthPctLimit' | 'pitDepthM'>,
): number | undefined {
  const byDepth = p.depthPctLimit !== undefined ? (p.depthPctLimit / 100) * p.pitDepthM * 1000 : undefined;
  if (p.absLimitMm === undefined) return byDepth;
  return byDepth === undefined ? p.absLimitMm : Math.min(p.absLimitMm, byDepth);
}

/** The band of `value` against `alarmValue` (both magnitudes), for colouring gauges without the state machine. */
export function pitBand(value: number, alarmValue: number, watchPct = 70): PitBand {
  const pct = (Math.abs(value) / alarmValue) * 100;
  return pct >= 100 ? 'alarm' : pct >= watchPct ? 'watch' : 'normal';
}

/** The cumulative value a pit gauge's metric is judged on, as a magnitude in mm. */
function cumulativeMm(metric: PitGaugeParams['metric'], v: PitGaugeValues): number | undefined {
  if (metric === 'displacement') return num(v.displacementMm) !== undefined ? Math.abs(v.displacementMm!) : undefined;
  if (metric === 'settlement') return num(v.settlementMm) !== undefined ? Math.abs(v.settlementMm!) : undefined;
  if (metric === 'inclinometer') {
    // The profile's worst point; a gauge that sends only the summary sends displacementMm.
    if (v.profile?.length) return Math.max(...v.profile.map((p) => Math.abs(p.displacementMm)));
    return num(v.displacementMm) !== undefined ? Math.abs(v.displacementMm!) : undefined;
  }
  return undefined;
}

/**
 * Foundation-pit rules: cumulative value against its alarm value, rate against `rateLimitMmPerDay`, strut force
 * against `strutForceLimitKn`; each with the watch band (pre-warning) at `watchPct` % and the alarm at 100 %.
 * Groundwater has no configured line in PitGaugeParams, so it is recorded but not judged.
 */
export function pitGaugeMeasures(params: PitGaugeParams, v: PitGaugeValues, t: AlarmThresholds): Measure[] {
  const common = { minDurationMs: t.pit.minDurationMs, hysteresisPct: t.hysteresisPct };
  const watch = t.pit.watchPct / 100;
  const out: Measure[] = [];
  const limit = pitAlarmValueMm(params);
  const cum = cumulativeMm(params.metric, v);
  if (cum !== undefined && limit !== undefined && limit > 0) {
    out.push({
      rule: `pit.${params.metric}`,
      quantity: params.metric === 'settlement' ? 'settlementMm' : 'displacementMm',
      value: cum,
      prewarnAt: limit * watch,
      alarmAt: limit,
      unit: 'mm',
      label: `Cumulative ${params.metric}`,
      ...common,
    });
  }
  const rate = num(v.rateMmPerDay);
  if (rate !== undefined && params.rateLimitMmPerDay) {
    out.push({
      rule: 'pit.rate',
      quantity: 'rateMmPerDay',
      value: Math.abs(rate),
      prewarnAt: params.rateLimitMmPerDay * watch,
      alarmAt: params.rateLimitMmPerDay,
      unit: 'mm/d',
      label: 'Deformation rate',
      ...common,
    });
  }
  const force = num(v.strutForceKn);
  if (force !== undefined && params.strutForceLimitKn) {
    out.push({
      rule: 'pit.strut_force',
      quantity: 'strutForceKn',
      value: Math.abs(force),
      prewarnAt: params.strutForceLimitKn * watch,
      alarmAt: params.strutForceLimitKn,
      unit: 'kN',
      label: 'Strut force',
      ...common,
    });
  }
  return out;
}
