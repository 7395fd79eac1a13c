import type { SensorValues } from '../Sensor.js';
import type { AlarmThresholds } from './thresholds.js';
import type { Measure } from './types.js';

/**
 * Generic sensors: each quantity with a line in the project's `sensor` thresholds is judged against it (above or
 * below); quantities without a line are only recorded.
 */
export function sensorMeasures(v: SensorValues, t: AlarmThresholds): Measure[] {
  const out: Measure[] = [];
  for (const [q, value] of Object.entries(v)) {
    const line = t.sensor[q];
    if (!line || typeof value !== 'number') continue;
    out.push({
      rule: `sensor.${q}`,
      quantity: q,
      value,
      ...(line.prewarn !== undefined ? { prewarnAt: line.prewarn } : {}),
      alarmAt: line.alarm,
      direction: line.direction,
      unit: '',
      label: q,
      minDurationMs: t.sensorMinDurationMs,
      hysteresisPct: t.hysteresisPct,
    });
  }
  return out;
}
