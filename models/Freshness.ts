import type { DeviceKind } from './Device.js';

/**
 * How often each kind of device is expected to report. Data older than this is stale: a wall shows its age and greys
 * the device instead of showing it as live; readiness counts a device as reporting only within it.
 * - crane / hoist safety monitors send every few seconds while powered: a minute of silence means off or cut;
 * - dust and noise monitors upload minute data (HJ 212 2051); the hourly upload rule is checked by readiness itself;
 * - pit gauges are often read a few times a day by automatic loggers;
 * - cameras report their online state as a heartbeat;
 * - gates only speak when someone passes: a gate silent for a whole day is treated as off.
 */
export const EXPECTED_INTERVAL_MS: Readonly<Record<DeviceKind, number>> = Object.freeze({
  tower_crane: 60_000,
  hoist: 60_000,
  env_monitor: 10 * 60_000,
  pit_gauge: 6 * 3_600_000,
  camera: 5 * 60_000,
  gate: 24 * 3_600_000,
  sensor: 10 * 60_000,
});
