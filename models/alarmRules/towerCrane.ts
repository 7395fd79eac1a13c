import type { TowerCraneParams, TowerCraneValues } from '../TowerCrane.js';
import type { AlarmThresholds } from './thresholds.js';
import { bitMeasures, num, type Measure } from './types.js';

const RAD = Math.PI / 180;

/** Combined tilt of two orthogonal inclinometer axes, in degrees (the angle of the mast axis from vertical). */
export function combinedTiltDeg(xDeg: number, yDeg: number): number {
  return Math.atan(Math.hypot(Math.tan(xDeg * RAD), Math.tan(yDeg * RAD))) / RAD;
}

/**
 * Tower-crane rules (JGJ 332-2014 quantities): load and moment in % of rated, pre-warning / alarm at the device's
 * `preWarnPct` / `alarmPct` (90 / 100 by default) unless the project overrides them; wind at force 5 / 6 (stop lifting
 * at 10.8 m/s, JGJ 276-2012); mast tilt; and the crane's own alarm bits. Only fields present in the reading are judged.
 */
export function towerCraneMeasures(
  params: Partial<TowerCraneParams>,
  v: TowerCraneValues,
  t: AlarmThresholds,
): Measure[] {
  const c = t.crane;
  const pre = c.preWarnPct ?? params.preWarnPct ?? 90;
  const alarm = c.alarmPct ?? params.alarmPct ?? 100;
  const common = { minDurationMs: c.minDurationMs, hysteresisPct: t.hysteresisPct };
  const out: Measure[] = [];

  const load = num(v.loadT);
  // The rated load depends on the radius; without the monitor's figure the maximum load is the only rating known.
  const rated = num(v.ratedLoadT) ?? num(params.maxLoadT);
  if (load !== undefined && rated !== undefined && rated > 0) {
    out.push({
      rule: 'crane.load',
      quantity: 'loadPct',
      value: (load / rated) * 100,
      prewarnAt: pre,
      alarmAt: alarm,
      unit: '%',
      label: 'Load of rated',
      ...common,
    });
  }
  const moment = num(v.momentPct);
  if (moment !== undefined)
    out.push({
      rule: 'crane.moment',
      quantity: 'momentPct',
      value: moment,
      prewarnAt: pre,
      alarmAt: alarm,
      unit: '%',
      label: 'Load moment of rated',
      ...common,
    });

  const wind = num(v.windSpeedMps);
  if (wind !== undefined)
    out.push({
      rule: 'crane.wind',
      quantity: 'windSpeedMps',
      value: wind,
      prewarnAt: c.windPrewarnMps,
      alarmAt: c.windAlarmMps,
      unit: 'm/s',
      label: 'Wind speed',
      ...common,
    });

  const tx = num(v.tiltXDeg);
  const ty = num(v.tiltYDeg);
  if (tx !== undefined || ty !== undefined) {
    out.push({
      rule: 'crane.tilt',
      quantity: 'tiltDeg',
      value: combinedTiltDeg(tx ?? 0, ty ?? 0),
      prewarnAt: c.tiltPrewarnDeg,
      alarmAt: c.tiltAlarmDeg,
      unit: '°',
      label: 'Mast tilt',
      ...common,
    });
  }
  return [...out, ...bitMeasures('crane', v.alarms, c.minDurationMs)];
}
