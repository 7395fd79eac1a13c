/** The city of bench/city.ts: its projects and devices, written through the store, and the readings they send. */
import { rectangleAround } from '../models/geo.js';
import { hashApiKey } from '../server/security/deviceSecrets.js';
import type { Store } from '../server/store/Store.js';
import { CRANES, DISTRICTS, ENTERPRISES, PROJECTS, SENSORS } from './cityConfig.js';

export interface Dev {
  id: string;
  key: string;
  kind: 'tower_crane' | 'env_monitor' | 'pit_gauge';
  /** Dust monitors that run over their limit now and then. */
  hot: boolean;
}
export interface City {
  enterprises: string[];
  projects: string[];
  devices: Dev[];
}

/** The city, written through the store (as an import would): projects on a grid over Qingdao, devices with keys. */
export async function seedCity(store: Store): Promise<City> {
  const enterprises: string[] = [];
  for (let e = 0; e < ENTERPRISES; e++)
    enterprises.push((await store.enterprises.create({ name: `城建集团${e}`, role: 'contractor' })).id);
  const projects: string[] = [];
  const side = Math.ceil(Math.sqrt(PROJECTS));
  for (let i = 0; i < PROJECTS; i++) {
    const loc = { lon: 120.2 + (i % side) * 0.012, lat: 36.0 + Math.floor(i / side) * 0.01 };
    const p = await store.projects.create({
      name: `工地${i}`,
      enterpriseId: enterprises[i % ENTERPRISES]!,
      address: `${DISTRICTS[i % DISTRICTS.length]} 区 ${i} 号`,
      regionCode: DISTRICTS[i % DISTRICTS.length]!,
      status: 'under_construction',
      heightM: 30 + (i % 150),
      location: { ...loc, height: 0 },
      footprint: rectangleAround(loc, 120, 90),
    });
    projects.push(p.id);
  }
  const devices: Dev[] = [];
  const add = async (i: number, kind: Dev['kind'], params: Record<string, unknown>, hot = false) => {
    const key = `stk_city_${i}_${Math.random().toString(36).slice(2)}`;
    const d = await store.devices.create({
      projectId: projects[i % PROJECTS]!,
      kind,
      name: `${kind}-${i}`,
      params,
      location: { lon: 120.3, lat: 36.07, height: 2 },
      apiKeyHash: hashApiKey(key),
    });
    devices.push({ id: d.id, key, kind, hot });
  };
  for (let i = 0; i < CRANES; i++)
    await add(i, 'tower_crane', {
      mastHeightM: 60,
      jibLengthM: 55,
      counterJibLengthM: 15,
      maxLoadT: 8,
      maxRadiusM: 55,
      preWarnPct: 90,
      alarmPct: 100,
    });
  for (let i = 0; i < SENSORS; i++) {
    if (i % 5 < 3)
      await add(
        i,
        'env_monitor',
        { pm10LimitUgm3: 80, pm25LimitUgm3: 75, noiseDayLimitDb: 70, noiseNightLimitDb: 55 },
        i % 20 === 0,
      );
    else await add(i, 'pit_gauge', { metric: 'displacement', pitDepthM: 12, absLimitMm: 30 });
  }
  return { enterprises, projects, devices };
}

/** A reading of device `d` at tick `s` (seconds since the start): slow waves, so alarms rise and clear. */
export function valuesOf(d: Dev, s: number, i: number): Record<string, unknown> {
  const w = Math.sin((s + i * 7) / 40);
  if (d.kind === 'tower_crane')
    return {
      loadT: 3 + 3 * Math.abs(w),
      ratedLoadT: 8,
      momentPct: 70 + 35 * w,
      radiusM: 20 + 15 * Math.abs(w),
      slewDeg: (s * 3 + i) % 360,
      windSpeedMps: 4 + Math.abs(w) * 3,
    };
  if (d.kind === 'env_monitor')
    return {
      pm10Ugm3: d.hot ? 60 + 40 * Math.abs(w) : 35 + 10 * w,
      pm25Ugm3: 25 + 5 * w,
      noiseDb: 58 + 5 * w,
      temperatureC: 12,
    };
  return { displacementMm: 8 + 3 * w, rateMmPerDay: 0.4 };
}
