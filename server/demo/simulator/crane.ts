import type { TowerCraneParams, TowerCraneValues } from '../../../models/TowerCrane.js';
import { clamp, createRng, round } from './rng.js';

/** Share of lifts that are overloaded (load above the rated load at the radius): a few in a hundred on a real site. */
export const CRANE_OVERLOAD_PROBABILITY = 0.03;
/** Force 6 (JGJ 276-2012): lifting stops at or above this wind speed. */
export const WIND_STOP_MPS = 10.8;

type Phase = 'lower_empty' | 'hook_on' | 'hoist' | 'slew' | 'lower_load' | 'release' | 'return';

/** A crane simulated as lift cycles: hook down, pick, hoist, slew and trolley out, set down, release, return. */
export interface CraneSim {
  next(t: number): TowerCraneValues;
}

export const DEFAULT_CRANE: TowerCraneParams = {
  mastHeightM: 60,
  jibLengthM: 55,
  counterJibLengthM: 15,
  maxLoadT: 8,
  maxRadiusM: 55,
  preWarnPct: 90,
  alarmPct: 100,
};

/**
 * Rated load at a radius: a flat-top crane lifts its maximum up to a corner radius, beyond it the moment limits
 * (rated = max x corner / radius), and at the tip it keeps about a fifth of its maximum.
 */
export function ratedLoadAt(p: TowerCraneParams, radiusM: number): number {
  const corner = p.maxRadiusM * 0.25;
  return radiusM <= corner ? p.maxLoadT : (p.maxLoadT * corner) / radiusM;
}

export function createCraneSim(seed: number, params: TowerCraneParams = DEFAULT_CRANE): CraneSim {
  const rng = createRng(seed);
  let phase: Phase = 'lower_empty';
  let phaseLeftS = rng.range(10, 40);
  let slew = rng.range(0, 360);
  let radius = rng.range(10, params.maxRadiusM * 0.8);
  let hook = params.mastHeightM * 0.8;
  let load = 0;
  let pickLoad = 0;
  let target = { slew, radius };
  let windBase = rng.range(2, 6);
  let gustS = 0;
  let last: number | undefined;
  const operatorId = `OP-${String(Math.floor(rng.range(1000, 9999)))}`;

  let drop = { slew, radius };
  // A lift is planned before the hook goes to the pick point: pick and drop radius, and the load, sized against the
  // lower of the two ratings (the rating falls with radius, so that is the worst point on the way). Most lifts use
  // 30-85 % of it; an overloaded one is 102-125 % (a misjudged bundle of rebar).
  const planLift = () => {
    const pick = { slew: slew + rng.range(-120, 120), radius: rng.range(8, params.maxRadiusM * 0.95) };
    drop = { slew: pick.slew + rng.range(-160, 160), radius: rng.range(8, params.maxRadiusM * 0.95) };
    const governing = ratedLoadAt(params, Math.max(pick.radius, drop.radius));
    pickLoad = governing * (rng.chance(CRANE_OVERLOAD_PROBABILITY) ? rng.range(1.02, 1.25) : rng.range(0.3, 0.85));
    target = pick;
  };
  const moveToward = (goal: { slew: number; radius: number }, dt: number) => {
    const k = clamp(dt / Math.max(phaseLeftS + dt, dt), 0, 1);
    slew += (goal.slew - slew) * k;
    radius += (goal.radius - radius) * k;
  };
  planLift();

  return {
    next(t) {
      const dt = last === undefined ? 1 : clamp((t - last) / 1000, 0, 30);
      last = t;
      phaseLeftS -= dt;
      switch (phase) {
        case 'lower_empty':
          hook = Math.max(2, hook - 1.0 * dt);
          moveToward(target, dt);
          if (phaseLeftS <= 0) next('hook_on', rng.range(15, 40));
          break;
        case 'hook_on':
          if (phaseLeftS <= 0) {
            [slew, radius] = [target.slew, target.radius];
            load = pickLoad;
            next('hoist', rng.range(20, 45));
          }
          break;
        case 'hoist':
          hook = Math.min(params.mastHeightM - 3, hook + 1.2 * dt);
          if (phaseLeftS <= 0) next('slew', rng.range(30, 70));
          break;
        case 'slew':
          moveToward(drop, dt);
          if (phaseLeftS <= 0) {
            [slew, radius] = [drop.slew, drop.radius];
            next('lower_load', rng.range(20, 40));
          }
          break;
        case 'lower_load':
          hook = Math.max(3, hook - 1.0 * dt);
          if (phaseLeftS <= 0) next('release', rng.range(15, 40));
          break;
        case 'release':
          if (phaseLeftS <= 0) {
            load = 0;
            planLift();
            next('return', rng.range(30, 60));
          }
          break;
        case 'return':
          hook = Math.min(params.mastHeightM - 3, hook + 1.5 * dt);
          moveToward(target, dt);
          if (phaseLeftS <= 0) next('lower_empty', rng.range(10, 30));
          break;
      }
      // Wind: a slow random walk with gusts of 10-20 s that now and then pass force 6.
      windBase = clamp(windBase + rng.gauss(0.05) * Math.sqrt(dt), 0.5, 9);
      if (gustS <= 0 && rng.chance(0.004 * dt)) gustS = rng.range(10, 20);
      gustS -= dt;
      const wind = round(windBase + (gustS > 0 ? rng.range(3, 7) : 0) + Math.abs(rng.gauss(0.3)), 1);
      const rated = ratedLoadAt(params, radius);
      const shown = load > 0 ? load * (1 + rng.gauss(0.005)) : 0;
      // moment / rated moment = (load x radius) / (rated load at this radius x radius)
      const momentPct = (shown / rated) * 100;
      return {
        loadT: round(Math.max(0, shown), 3),
        ratedLoadT: round(rated, 3),
        momentPct: round(momentPct, 1),
        radiusM: round(radius, 2),
        slewDeg: round(((slew % 360) + 360) % 360, 1),
        hookHeightM: round(hook, 2),
        windSpeedMps: wind,
        tiltXDeg: round(rng.gauss(0.05) + shown * 0.01, 3),
        tiltYDeg: round(rng.gauss(0.05), 3),
        reeving: 2,
        operatorId,
        alarms: {
          overload: shown > rated * (params.alarmPct / 100),
          moment: momentPct >= params.alarmPct,
          wind: wind >= WIND_STOP_MPS,
        },
      };
    },
  };

  function next(p: Phase, seconds: number) {
    phase = p;
    phaseLeftS = seconds;
  }
}
