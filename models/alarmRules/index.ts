import type { DeviceKind } from '../Device.js';
import type { EnvMonitorParams, EnvMonitorValues } from '../EnvMonitor.js';
import type { HoistParams, HoistValues } from '../Hoist.js';
import type { PitGaugeParams, PitGaugeValues } from '../PitGauge.js';
import type { SensorValues } from '../Sensor.js';
import type { TowerCraneParams, TowerCraneValues } from '../TowerCrane.js';
import { envMonitorMeasures } from './envMonitor.js';
import { hoistMeasures } from './hoist.js';
import { pitGaugeMeasures } from './pitGauge.js';
import { sensorMeasures } from './sensor.js';
import type { AlarmThresholds } from './thresholds.js';
import { towerCraneMeasures } from './towerCrane.js';
import type { Measure } from './types.js';

export * from './envMonitor.js';
export * from './hoist.js';
export * from './pitGauge.js';
export * from './sensor.js';
export * from './thresholds.js';
export * from './towerCrane.js';
export * from './types.js';

/**
 * Every measure of one reading of a device of `kind`, with its static params, against the project's lines. `values`
 * and `params` are the validated ones the ingest stored (their kind's schema). Cameras and gates have no rules.
 */
export function measuresOf(
  kind: DeviceKind,
  params: Record<string, unknown>,
  values: Record<string, unknown>,
  time: number,
  thresholds: AlarmThresholds,
): Measure[] {
  switch (kind) {
    case 'tower_crane':
      return towerCraneMeasures(params as Partial<TowerCraneParams>, values as TowerCraneValues, thresholds);
    case 'hoist':
      return hoistMeasures(params as Partial<HoistParams>, values as HoistValues, thresholds);
    case 'env_monitor':
      return envMonitorMeasures(params as Partial<EnvMonitorParams>, values as EnvMonitorValues, time, thresholds);
    case 'pit_gauge':
      return params.metric && typeof params.pitDepthM === 'number'
        ? pitGaugeMeasures(params as PitGaugeParams, values as PitGaugeValues, thresholds)
        : [];
    case 'sensor':
      return sensorMeasures(values as SensorValues, thresholds);
    case 'camera':
    case 'gate':
      return [];
  }
}
