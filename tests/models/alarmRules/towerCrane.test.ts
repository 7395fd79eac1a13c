import { describe, expect, it } from 'vitest';
import { defaultThresholds, resolveThresholds } from '../../../models/alarmRules/thresholds.js';
import { combinedTiltDeg, towerCraneMeasures } from '../../../models/alarmRules/towerCrane.js';
import { drive, levels, only } from './ruleHarness.js';

const P = {
  mastHeightM: 60,
  jibLengthM: 55,
  counterJibLengthM: 15,
  maxLoadT: 8,
  maxRadiusM: 55,
  preWarnPct: 90,
  alarmPct: 100,
};
const T = defaultThresholds('370212');

describe('tower crane rules', () => {
  it('judges load in % of the rated load at 90 / 100 % (below, at and above each line)', () => {
    const load = (t: number) => only(towerCraneMeasures(P, { loadT: t, ratedLoadT: 4 }, T), 'crane.load');
    expect(levels(load, [3.56, 3.6, 3.64, 3.99, 4, 4.4])).toEqual([
      null,
      'prewarning',
      'prewarning',
      'prewarning',
      'alarm',
      'alarm',
    ]);
    expect(load(4.2).value).toBeCloseTo(105, 9);
    // Without the monitor's rated figure the maximum load is the rating.
    expect(only(towerCraneMeasures(P, { loadT: 8 }, T), 'crane.load').value).toBe(100);
  });

  it('judges moment % against the device params, and a project override wins over them', () => {
    const m = (pct: number, params = P, t = T) =>
      only(towerCraneMeasures(params, { momentPct: pct }, t), 'crane.moment');
    expect(levels((v) => m(v, { ...P, preWarnPct: 80, alarmPct: 95 }), [79.9, 80, 94.9, 95])).toEqual([
      null,
      'prewarning',
      'prewarning',
      'alarm',
    ]);
    const over = resolveThresholds('370212', { crane: { preWarnPct: 85, alarmPct: 98 } });
    expect(levels((v) => m(v, { ...P, preWarnPct: 80, alarmPct: 95 }, over), [84.9, 85, 97.9, 98])).toEqual([
      null,
      'prewarning',
      'prewarning',
      'alarm',
    ]);
  });

  it('stops lifting at wind force 6 (10.8 m/s, JGJ 276-2012), pre-warns from force 5 (8.0 m/s)', () => {
    const w = (v: number) => only(towerCraneMeasures(P, { windSpeedMps: v }, T), 'crane.wind');
    expect(levels(w, [7.9, 8.0, 10.7, 10.8, 15])).toEqual([null, 'prewarning', 'prewarning', 'alarm', 'alarm']);
  });

  it('combines both tilt axes and alarms at 4/1000 out of vertical', () => {
    expect(combinedTiltDeg(0.3, 0)).toBeCloseTo(0.3, 6);
    expect(combinedTiltDeg(0.15, 0.2)).toBeCloseTo(0.25, 3);
    const tilt = (x: number, y: number) => only(towerCraneMeasures(P, { tiltXDeg: x, tiltYDeg: y }, T), 'crane.tilt');
    expect(T.crane.tiltAlarmDeg).toBeCloseTo((Math.atan(0.004) * 180) / Math.PI, 3);
    expect(
      [tilt(0.1, 0.1), tilt(0.16, 0.16), tilt(0.2, 0.2)].map((m) =>
        m.value >= m.alarmAt ? 'alarm' : m.value >= m.prewarnAt! ? 'prewarning' : null,
      ),
    ).toEqual([null, 'prewarning', 'alarm']);
  });

  it('turns each alarm bit the crane reports into its own one-level rule', () => {
    const ms = towerCraneMeasures(P, { alarms: { overload: true, wind: false, collisionFront: true } }, T);
    expect(ms.map((m) => `${m.rule}=${m.value}`).sort()).toEqual([
      'crane.bit.collisionFront=1',
      'crane.bit.overload=1',
      'crane.bit.wind=0',
    ]);
    const bit = (set: boolean) => only(towerCraneMeasures(P, { alarms: { overload: set } }, T), 'crane.bit.overload');
    expect(
      drive([
        [0, bit(true)],
        [1000, bit(true)],
        [2000, bit(true)],
        [3000, bit(false)],
        [5000, bit(false)],
      ]),
    ).toEqual(['raise:alarm@2000', 'clear@5000']);
  });

  it('judges only what a reading carries', () => {
    expect(towerCraneMeasures(P, { slewDeg: 30, radiusM: 20 }, T)).toEqual([]);
  });

  it('raises only after the 2 s minimum duration, and a value at the line does not flap', () => {
    const load = (pct: number) => only(towerCraneMeasures(P, { loadT: pct / 10, ratedLoadT: 10 }, T), 'crane.load');
    expect(
      drive([
        [0, load(101)],
        [1999, load(101)],
      ]),
    ).toEqual([]);
    expect(
      drive([
        [0, load(101)],
        [2000, load(101)],
      ]),
    ).toEqual(['raise:alarm@2000']);
    // A spike under 2 s, then back: nothing.
    expect(
      drive([
        [0, load(50)],
        [1000, load(120)],
        [2000, load(50)],
        [3500, load(50)],
      ]),
    ).toEqual([]);
    // Dancing on the 90 % line every second for a minute: raised once at most, never cleared in between.
    const dance = Array.from(
      { length: 60 },
      (_, i) => [i * 1000, load(i % 2 ? 90.2 : 89.8)] as [number, ReturnType<typeof load>],
    );
    expect(drive(dance)).toEqual([]);
    const steady = Array.from(
      { length: 60 },
      (_, i) => [i * 1000, load(i < 5 ? 90.5 : i % 2 ? 90.2 : 88)] as [number, ReturnType<typeof load>],
    );
    expect(drive(steady)).toEqual(['raise:prewarning@2000']);
  });
});
