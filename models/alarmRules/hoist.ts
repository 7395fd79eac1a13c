import type { HoistParams, HoistValues } from '../Hoist.js';
import type { AlarmThresholds } from './thresholds.js';
import { bitMeasures, num, type Measure } from './types.js';

/**
 * Construction-hoist rules (JGJ 215-2010, GB/T 34023-2017): load in % of rated at `preWarnPct` / `alarmPct`, persons
 * in the cage (pre-warning when full, alarm above the limit), and the hoist's own alarm bits.
 */
export function hoistMeasures(params: Partial<HoistParams>, v: HoistValues, t: AlarmThresholds): Measure[] {
  const h = t.hoist;
  const common = { minDurationMs: h.minDurationMs, hysteresisPct: t.hysteresisPct };
  const pre = h.preWarnPct ?? params.preWarnPct ?? 90;
  const alarm = h.alarmPct ?? params.alarmPct ?? 100;
  const out: Measure[] = [];

  const rated = num(v.ratedLoadKg) ?? num(params.ratedLoadKg);
  const kg = num(v.loadKg);
  const pct = num(v.loadPct) ?? (kg !== undefined && rated !== undefined && rated > 0 ? (kg / rated) * 100 : undefined);
  if (pct !== undefined)
    out.push({
      rule: 'hoist.load',
      quantity: 'loadPct',
      value: pct,
      prewarnAt: pre,
      alarmAt: alarm,
      unit: '%',
      label: 'Cage load of rated',
      ...common,
    });

  const persons = num(v.persons);
  const max = num(params.maxPersons);
  if (persons !== undefined && max !== undefined) {
    // Counts are integers: no hysteresis band, a full cage is the pre-warning, one person more the alarm.
    out.push({
      rule: 'hoist.persons',
      quantity: 'persons',
      value: persons,
      prewarnAt: max,
      alarmAt: max + 1,
      unit: 'persons',
      label: 'Persons in the cage',
      minDurationMs: h.minDurationMs,
      hysteresisPct: 0,
    });
  }
  return [...out, ...bitMeasures('hoist', v.alarms, h.minDurationMs)];
}
