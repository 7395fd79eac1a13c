import type { CameraValues } from '../../../models/Camera.js';
import type { EnvMonitorValues } from '../../../models/EnvMonitor.js';
import type { GateValues } from '../../../models/Gate.js';
import type { HoistParams, HoistValues } from '../../../models/Hoist.js';
import type { PitGaugeValues } from '../../../models/PitGauge.js';
import type { SensorParams } from '../../../models/Sensor.js';
import { chinaHour, clamp, createRng, round } from './rng.js';

/** A simulated device: call `next` with increasing times (epoch ms); it returns that moment's reading values. */
export interface Sim<V> {
  next(t: number): V;
}

const dtOf = () => {
  let last: number | undefined;
  return (t: number) => {
    const dt = last === undefined ? 1 : clamp((t - last) / 1000, 0, 60);
    last = t;
    return dt;
  };
};

/** Share of hoist trips loaded past the rating. */
export const HOIST_OVERLOAD_PROBABILITY = 0.02;

export const DEFAULT_HOIST: HoistParams = {
  ratedLoadKg: 2000,
  maxPersons: 24,
  maxHeightM: 90,
  floors: 30,
  preWarnPct: 90,
  alarmPct: 100,
};

/** A hoist car that rides between floors, stops, loads people and material, and rides on. */
export function createHoistSim(seed: number, p: HoistParams = DEFAULT_HOIST): Sim<HoistValues> {
  const rng = createRng(seed);
  const floors = p.floors ?? Math.max(1, Math.floor(p.maxHeightM / 3));
  const floorH = p.maxHeightM / floors;
  let height = 0;
  let target = 0;
  let dwellS = rng.range(5, 20);
  let persons = 0;
  let loadKg = 0;
  const dt = dtOf();
  return {
    next(t) {
      const d = dt(t);
      let speed = 0;
      if (dwellS > 0) {
        dwellS -= d;
        if (dwellS <= 0) {
          target = Math.floor(rng.range(0, floors + 1)) * floorH;
          persons = Math.floor(rng.range(0, p.maxPersons * 0.8));
          // Crew (75 kg each) plus material, kept under 85 % of the rating; one trip in fifty is loaded past the
          // rating (the alarm the safety monitor exists for).
          loadKg = rng.chance(HOIST_OVERLOAD_PROBABILITY)
            ? p.ratedLoadKg * rng.range(1.01, 1.15)
            : Math.min(p.ratedLoadKg * 0.85, persons * 75 + rng.range(0, p.ratedLoadKg * 0.4));
        }
      } else {
        const dir = Math.sign(target - height);
        speed = dir * 0.6;
        height += speed * d;
        if ((dir > 0 && height >= target) || (dir < 0 && height <= target) || dir === 0) {
          height = target;
          speed = 0;
          dwellS = rng.range(15, 60);
        }
      }
      const loadPct = (loadKg / p.ratedLoadKg) * 100;
      return {
        loadKg: round(loadKg, 0),
        ratedLoadKg: p.ratedLoadKg,
        loadPct: round(loadPct, 1),
        persons,
        floor: Math.round(height / floorH),
        heightM: round(height, 2),
        speedMps: round(speed, 2),
        windSpeedMps: round(Math.abs(3 + rng.gauss(1.2)), 1),
        tiltXDeg: round(rng.gauss(0.03), 3),
        tiltYDeg: round(rng.gauss(0.03), 3),
        doorOpen: speed === 0 && dwellS > 0,
        alarms: { overload: loadPct >= p.alarmPct, persons: persons > p.maxPersons },
      };
    },
  };
}

/** The hours of GB 12523-2011's night (22:00-06:00). */
export const isNight = (hour: number) => hour >= 22 || hour < 6;
/** Loud bursts per second of night (a concrete pour that ran late, a breaker at dawn): about one in three hours. */
export const NIGHT_BURST_RATE_PER_S = 1 / 10_800;
/** Loud bursts per second of day (a breaker, a pile driver): about one in twenty minutes. */
export const DAY_BURST_RATE_PER_S = 1 / 1_200;

/**
 * Dust and noise: PM rises on dry afternoons (humidity falls as the day warms, trucks and earthworks stir dust) and
 * settles at night; noise follows working hours with occasional loud bursts, now and then at night too.
 */
export function createEnvSim(seed: number): Sim<EnvMonitorValues> {
  const rng = createRng(seed);
  let pmBase = rng.range(25, 45);
  let burstS = 0;
  let windDir = rng.range(0, 360);
  const dt = dtOf();
  return {
    next(t) {
      const d = dt(t);
      const h = chinaHour(t);
      const warm = Math.sin(((h - 9) / 24) * 2 * Math.PI); // peaks mid-afternoon
      const temperature = 16 + 7 * warm + rng.gauss(0.2);
      const humidity = clamp(60 - 22 * warm + rng.gauss(1.5), 15, 99);
      const working = h >= 7 && h < 19;
      const dry = clamp((55 - humidity) / 30, 0, 1);
      pmBase = clamp(pmBase + rng.gauss(0.4) * Math.sqrt(d), 10, 90);
      const pm10 = pmBase * (1 + 1.6 * dry * (working ? 1 : 0.3)) + Math.abs(rng.gauss(4));
      const pm25 = pm10 * rng.range(0.45, 0.6);
      if (burstS <= 0 && rng.chance((isNight(h) ? NIGHT_BURST_RATE_PER_S : DAY_BURST_RATE_PER_S) * d))
        burstS = rng.range(20, 120);
      burstS -= d;
      const noise = (working ? 62 : isNight(h) ? 47 : 54) + rng.gauss(2) + (burstS > 0 ? rng.range(12, 20) : 0);
      windDir = (windDir + rng.gauss(3) + 360) % 360;
      return {
        tspUgm3: round(pm10 * rng.range(1.5, 1.9), 1),
        pm10Ugm3: round(pm10, 1),
        pm25Ugm3: round(pm25, 1),
        noiseDb: round(clamp(noise, 30, 120), 1),
        temperatureC: round(temperature, 1),
        humidityPct: round(humidity, 1),
        pressureKpa: round(101.3 + rng.gauss(0.05), 2),
        windSpeedMps: round(Math.abs(2.5 + 1.5 * warm + rng.gauss(0.8)), 1),
        windDirDeg: round(windDir, 0),
      };
    },
  };
}

/** Settlement creeps (about 0.2-0.6 mm a day, faster while the pit is being dug), with gauge noise. */
export function createPitSim(seed: number, startTime: number): Sim<PitGaugeValues> {
  const rng = createRng(seed);
  const ratePerDay = rng.range(0.2, 0.6);
  const waterBase = -rng.range(3, 8);
  return {
    next(t) {
      const days = Math.max(0, (t - startTime) / 86_400_000);
      const settlement = ratePerDay * days + 2 + rng.gauss(0.05);
      return {
        settlementMm: round(settlement, 2),
        displacementMm: round(settlement * 0.6 + rng.gauss(0.05), 2),
        rateMmPerDay: round(ratePerDay + rng.gauss(0.02), 3),
        waterLevelM: round(waterBase + 0.1 * Math.sin(days) + rng.gauss(0.01), 3),
      };
    },
  };
}

export const TRADES = [
  'rebar',
  'formwork',
  'concrete',
  'scaffolding',
  'electrical',
  'plumbing',
  'masonry',
  'crane_ops',
] as const;

/** Real-name gate: workers of trades and teams arrive in the morning and leave in the evening; ids are pseudonyms. */
export function createGateSim(seed: number, workers = 120): Sim<GateValues> {
  const rng = createRng(seed);
  const crew = Array.from({ length: workers }, (_, i) => ({
    id: `W${String(seed % 1000).padStart(3, '0')}-${String(i).padStart(4, '0')}`,
    trade: rng.pick(TRADES),
    team: `T${1 + Math.floor(rng.range(0, 8))}`,
    onSite: false,
  }));
  let count = 0;
  return {
    next(t) {
      const h = chinaHour(t);
      // Mornings mostly bring people in, evenings take them out; in between it is a trickle both ways.
      const wantIn = h < 12 ? 0.85 : h < 16 ? 0.5 : 0.15;
      const goingIn = count === 0 || (count < workers && rng.chance(wantIn));
      const pool = crew.filter((w) => w.onSite === !goingIn);
      const w = rng.pick(pool);
      w.onSite = goingIn;
      count += goingIn ? 1 : -1;
      return { event: goingIn ? 'enter' : 'leave', workerId: w.id, trade: w.trade, team: w.team, onSite: count };
    },
  };
}

/** Cameras are online, but now and then a link drops for a minute or five. */
export function createCameraSim(seed: number): Sim<CameraValues> {
  const rng = createRng(seed);
  let offlineS = 0;
  let heading = rng.range(0, 360);
  const dt = dtOf();
  return {
    next(t) {
      const d = dt(t);
      if (offlineS > 0) offlineS -= d;
      else if (rng.chance(0.0005 * d)) offlineS = rng.range(60, 300);
      heading = (heading + rng.gauss(0.5) + 360) % 360;
      return { online: offlineS <= 0, headingDeg: round(heading, 1) };
    },
  };
}

/** A generic sensor: each declared quantity wanders inside its declared range. */
export function createSensorSim(seed: number, p: SensorParams): Sim<Record<string, number>> {
  const rng = createRng(seed);
  const state = p.quantities.map((q) => {
    const lo = q.min ?? 0;
    const hi = q.max ?? lo + 100;
    return { q, lo, hi, v: rng.range(lo + (hi - lo) * 0.3, lo + (hi - lo) * 0.7) };
  });
  return {
    next() {
      const out: Record<string, number> = {};
      for (const s of state) {
        s.v = clamp(s.v + rng.gauss((s.hi - s.lo) * 0.01), s.lo, s.hi);
        out[s.q.name] = round(s.v, 3);
      }
      return out;
    },
  };
}
