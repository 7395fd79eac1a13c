import type { DeviceKind } from '../../../models/Device.js';
import type { GeoPoint } from '../../../models/geo.js';
import { HoistParams } from '../../../models/Hoist.js';
import { type PitGaugeParams } from '../../../models/PitGauge.js';
import { SensorParams } from '../../../models/Sensor.js';
import { TowerCraneParams } from '../../../models/TowerCrane.js';
import { DEFAULT_CRANE, createCraneSim } from './crane.js';
import {
  DEFAULT_HOIST,
  createCameraSim,
  createEnvSim,
  createGateSim,
  createHoistSim,
  createPitSim,
  createSensorSim,
  type Sim,
} from './siteDevices.js';

/** One device the simulator brings to a site: what to register, and where it stands relative to the site centre. */
export interface SimDeviceSpec {
  kind: DeviceKind;
  name: string;
  params: Record<string, unknown>;
  eastM: number;
  northM: number;
  heightM: number;
}

/** The order in which "sensors" are handed out: every site gets a dust/noise monitor first, then the rest in turn. */
export const SENSOR_ROTATION: DeviceKind[] = ['env_monitor', 'hoist', 'pit_gauge', 'camera', 'gate', 'sensor'];

const DEFAULT_PIT: PitGaugeParams = {
  metric: 'settlement',
  pitDepthM: 12,
  absLimitMm: 30,
  depthPctLimit: 0.2,
  rateLimitMmPerDay: 3,
};
const DEFAULT_SENSOR: SensorParams = {
  quantities: [
    { name: 'strainUe', unit: 'ue', min: -500, max: 500 },
    { name: 'concreteTempC', unit: 'C', min: -10, max: 80 },
  ],
};
const NAMES: Record<DeviceKind, string> = {
  tower_crane: '塔吊',
  hoist: '施工升降机',
  env_monitor: '扬尘噪声监测',
  pit_gauge: '基坑沉降点',
  camera: '摄像机',
  gate: '实名制闸机',
  sensor: '混凝土测温',
};
const PARAMS: Record<DeviceKind, Record<string, unknown>> = {
  tower_crane: DEFAULT_CRANE,
  hoist: DEFAULT_HOIST,
  env_monitor: {},
  pit_gauge: DEFAULT_PIT,
  camera: {},
  gate: { lanes: 2 },
  sensor: DEFAULT_SENSOR,
};

/** The devices of one simulated site: `cranes` tower cranes on a ring, then `sensors` other devices around them. */
export function planSite(cranes: number, sensors: number): SimDeviceSpec[] {
  const out: SimDeviceSpec[] = [];
  for (let i = 0; i < cranes; i++) {
    const a = (2 * Math.PI * i) / Math.max(cranes, 1);
    out.push({
      kind: 'tower_crane',
      name: `${i + 1}# ${NAMES.tower_crane}`,
      params: PARAMS.tower_crane,
      eastM: 35 * Math.cos(a),
      northM: 35 * Math.sin(a),
      heightM: 0,
    });
  }
  for (let i = 0; i < sensors; i++) {
    const kind = SENSOR_ROTATION[i % SENSOR_ROTATION.length]!;
    const a = (2 * Math.PI * i) / Math.max(sensors, 1) + 0.3;
    out.push({
      kind,
      name: `${Math.floor(i / SENSOR_ROTATION.length) + 1}# ${NAMES[kind]}`,
      params: PARAMS[kind],
      eastM: 55 * Math.cos(a),
      northM: 55 * Math.sin(a),
      heightM: kind === 'camera' ? 12 : 2,
    });
  }
  return out;
}

/** Moves a point by metres east / north (small offsets on a site: a local flat-earth step is plenty). */
export function offset(center: GeoPoint, eastM: number, northM: number, heightM = 0): GeoPoint {
  const mPerDegLat = 111_320;
  const mPerDegLon = 111_320 * Math.cos((center.lat * Math.PI) / 180);
  return {
    lon: center.lon + eastM / mPerDegLon,
    lat: center.lat + northM / mPerDegLat,
    height: (center.height ?? 0) + heightM,
  };
}

/** The generator for a device of `kind` with its static params, seeded so that the same device behaves the same. */
export function simFor(
  kind: DeviceKind,
  seed: number,
  params: Record<string, unknown>,
  startTime: number,
): Sim<Record<string, unknown>> {
  switch (kind) {
    case 'tower_crane':
      return createCraneSim(seed, TowerCraneParams.parse({ ...DEFAULT_CRANE, ...params }));
    case 'hoist':
      return createHoistSim(seed, HoistParams.parse({ ...DEFAULT_HOIST, ...params }));
    case 'env_monitor':
      return createEnvSim(seed);
    case 'pit_gauge':
      return createPitSim(seed, startTime);
    case 'camera':
      return createCameraSim(seed);
    case 'gate':
      return createGateSim(seed);
    case 'sensor': {
      const p = SensorParams.safeParse(params);
      return createSensorSim(seed, p.success ? p.data : DEFAULT_SENSOR);
    }
  }
}
