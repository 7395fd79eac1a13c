import { describe, expect, it } from 'vitest';
import { DeviceKind, parseValues } from '../../../../models/Device.js';
import { CRANE_OVERLOAD_PROBABILITY, WIND_STOP_MPS, createCraneSim } from '../../../../server/demo/simulator/crane.js';
import { planSite, simFor } from '../../../../server/demo/simulator/fleet.js';
import { chinaHour } from '../../../../server/demo/simulator/rng.js';
import {
  HOIST_OVERLOAD_PROBABILITY,
  createEnvSim,
  createGateSim,
  createHoistSim,
  createPitSim,
  isNight,
} from '../../../../server/demo/simulator/siteDevices.js';

const DAY = 86_400_000;
// 2026-06-01 00:00 China time
const T0 = Date.UTC(2026, 4, 31, 16, 0, 0);

describe('simulator generators', () => {
  it('every kind produces readings its schema accepts, for a whole day at 1 Hz-ish', () => {
    const specs = planSite(2, 12);
    expect(new Set(specs.map((s) => s.kind))).toEqual(new Set(DeviceKind.options));
    for (const [i, spec] of specs.entries()) {
      const sim = simFor(spec.kind, 1000 + i, spec.params, T0);
      for (let t = T0; t < T0 + DAY; t += 7_000) {
        const values = sim.next(t);
        const r = parseValues({ kind: spec.kind, params: spec.params }, values);
        if (!r.ok)
          throw new Error(
            `${spec.kind} at ${new Date(t).toISOString()}: ${JSON.stringify(r.issues)} in ${JSON.stringify(values)}`,
          );
      }
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const run = (seed: number) => {
      const s = createCraneSim(seed);
      return Array.from({ length: 50 }, (_, i) => s.next(T0 + i * 1000));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('overloads cranes at the expected rate with a fixed seed, and gusts pass force 6 now and then', () => {
    const sim = createCraneSim(42);
    let lifts = 0;
    let overloaded = 0;
    let inLift = false;
    let liftOverloaded = false;
    let windStops = 0;
    let samples = 0;
    let windMismatch = 0;
    for (let t = T0; t < T0 + 30 * DAY; t += 2_000) {
      const v = sim.next(t);
      samples++;
      if (v.alarms?.wind) windStops++;
      if (v.alarms?.wind !== v.windSpeedMps! >= WIND_STOP_MPS) windMismatch++;
      if (v.loadT! > 0 && !inLift) [inLift, liftOverloaded] = [true, false];
      if (inLift && v.alarms?.overload) liftOverloaded = true;
      if (v.loadT === 0 && inLift) {
        inLift = false;
        lifts++;
        if (liftOverloaded) overloaded++;
      }
    }
    // ~30 days of lifts of 3-5 min each: thousands of lifts, so the binomial spread is small.
    expect(lifts).toBeGreaterThan(5000);
    const p = CRANE_OVERLOAD_PROBABILITY;
    const sd = Math.sqrt((p * (1 - p)) / lifts);
    expect(Math.abs(overloaded / lifts - p)).toBeLessThan(4 * sd);
    expect(windMismatch).toBe(0);
    expect(windStops / samples).toBeGreaterThan(0.001);
    expect(windStops / samples).toBeLessThan(0.1);
  });

  it('overloads hoists only on the rare overloaded trip', () => {
    const sim = createHoistSim(11);
    let trips = 0;
    let overloaded = 0;
    let last: number | undefined;
    for (let t = T0; t < T0 + 5 * DAY; t += 1_000) {
      const v = sim.next(t);
      // A new trip starts when the load changes (it is set when the car leaves a landing).
      if (v.loadKg !== last) {
        trips++;
        if (v.alarms?.overload) overloaded++;
        last = v.loadKg;
      }
    }
    expect(trips).toBeGreaterThan(3000);
    const p = HOIST_OVERLOAD_PROBABILITY;
    expect(Math.abs(overloaded / trips - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / trips));
  });

  it('raises dust on dry afternoons and keeps noise higher by day, with rare night exceedances', () => {
    const sim = createEnvSim(3);
    const byHour = Array.from({ length: 24 }, () => ({ pm10: 0, noise: 0, n: 0 }));
    let nightSamples = 0;
    let nightOver55 = 0;
    for (let t = T0; t < T0 + 10 * DAY; t += 10_000) {
      const v = sim.next(t);
      const h = Math.floor(chinaHour(t));
      byHour[h]!.pm10 += v.pm10Ugm3!;
      byHour[h]!.noise += v.noiseDb!;
      byHour[h]!.n++;
      if (isNight(h)) {
        nightSamples++;
        if (v.noiseDb! > 55) nightOver55++;
      }
    }
    const avg = (h: number, f: 'pm10' | 'noise') => byHour[h]![f] / byHour[h]!.n;
    expect(avg(15, 'pm10')).toBeGreaterThan(1.3 * avg(3, 'pm10'));
    expect(avg(10, 'noise')).toBeGreaterThan(avg(2, 'noise') + 10);
    expect(nightOver55 / nightSamples).toBeGreaterThan(0);
    expect(nightOver55 / nightSamples).toBeLessThan(0.2);
  });

  it('lets pit settlement creep and keeps the gate head count consistent', () => {
    const pit = createPitSim(5, T0);
    const first = pit.next(T0).settlementMm!;
    const later = pit.next(T0 + 20 * DAY).settlementMm!;
    expect(later - first).toBeGreaterThan(3);
    expect(later - first).toBeLessThan(13);

    const gate = createGateSim(9, 50);
    const onSite = new Set<string>();
    for (let t = T0; t < T0 + DAY; t += 60_000) {
      const e = gate.next(t);
      if (e.event === 'enter') {
        expect(onSite.has(e.workerId)).toBe(false);
        onSite.add(e.workerId);
      } else {
        expect(onSite.delete(e.workerId)).toBe(true);
      }
      expect(e.onSite).toBe(onSite.size);
    }
  });
});
