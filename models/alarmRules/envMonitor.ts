import type { EnvMonitorParams, EnvMonitorValues } from '../EnvMonitor.js';
import type { AlarmThresholds } from './thresholds.js';
import { num, type Measure } from './types.js';

/** China Standard Time is UTC+8 all year (no daylight saving). */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Hour of day (0-23.99) in China time of an epoch-ms instant. */
export function chinaHour(time: number): number {
  const ms = (((time + CHINA_OFFSET_MS) % 86_400_000) + 86_400_000) % 86_400_000;
  return ms / 3_600_000;
}

/** Night in the sense of GB 12523-2011: 22:00 (inclusive) to 06:00 (exclusive), China time. */
export function isNightInChina(time: number): boolean {
  const h = chinaHour(time);
  return h >= 22 || h < 6;
}

/**
 * Environment rules: noise against the day or night limit in force at the reading's time, and each dust quantity
 * against its limit. A dust limit set on the device itself (optional, so only present when someone configured it)
 * wins over the project's line (its override, else the jurisdiction default). Noise limits always come from the
 * project: the device params carry 70 / 55 by schema default, so they cannot say whether anyone chose them.
 * Dust quantities without any limit are not judged.
 */
export function envMonitorMeasures(
  params: Partial<EnvMonitorParams>,
  v: EnvMonitorValues,
  time: number,
  t: AlarmThresholds,
): Measure[] {
  const out: Measure[] = [];
  const noise = num(v.noiseDb);
  if (noise !== undefined) {
    const night = isNightInChina(time);
    const limit = night ? t.noise.nightDb : t.noise.dayDb;
    out.push({
      rule: 'env.noise',
      quantity: 'noiseDb',
      value: noise,
      prewarnAt: limit - t.noise.prewarnMarginDb,
      alarmAt: limit,
      unit: 'dB(A)',
      label: night ? 'Noise (night limit)' : 'Noise (day limit)',
      minDurationMs: t.noise.minDurationMs,
      hysteresisPct: t.hysteresisPct,
    });
  }
  const dust: [rule: string, quantity: 'pm10Ugm3' | 'pm25Ugm3' | 'tspUgm3', label: string, device?: number][] = [
    ['env.pm10', 'pm10Ugm3', 'PM10', params.pm10LimitUgm3],
    ['env.pm25', 'pm25Ugm3', 'PM2.5', params.pm25LimitUgm3],
    ['env.tsp', 'tspUgm3', 'TSP', params.tspLimitUgm3],
  ];
  for (const [rule, q, label, deviceLimit] of dust) {
    const value = num(v[q]);
    const limit = deviceLimit ?? t.dust[q];
    if (value === undefined || limit === undefined) continue;
    out.push({
      rule,
      quantity: q,
      value,
      prewarnAt: (limit * t.dust.prewarnPct) / 100,
      alarmAt: limit,
      unit: 'µg/m3',
      label,
      minDurationMs: t.dust.minDurationMs,
      hysteresisPct: t.hysteresisPct,
    });
  }
  return out;
}
