import { describe, expect, it } from 'vitest';
import { chinaHour, envMonitorMeasures, isNightInChina } from '../../../models/alarmRules/envMonitor.js';
import { defaultThresholds, resolveThresholds } from '../../../models/alarmRules/thresholds.js';
import { drive, only } from './ruleHarness.js';

/** Epoch ms of a China-time wall clock on 2026-03-10 (UTC+8). */
const cst = (h: number, m = 0, s = 0) => Date.UTC(2026, 2, 10, h - 8, m, s);
const P = { noiseDayLimitDb: 70, noiseNightLimitDb: 55 };
const T = defaultThresholds('370212');
const noise = (db: number, time: number, t = T) => only(envMonitorMeasures(P, { noiseDb: db }, time, t), 'env.noise');
const lvl = (m: ReturnType<typeof noise>) =>
  m.value >= m.alarmAt ? 'alarm' : m.value >= m.prewarnAt! ? 'prewarning' : null;

describe('environment rules', () => {
  it('knows night in China time: 22:00 inclusive to 06:00 exclusive, whatever the UTC date', () => {
    expect(chinaHour(cst(0))).toBe(0);
    expect(
      [cst(21, 59, 59), cst(22), cst(23, 59), cst(0), cst(5, 59, 59), cst(6), cst(12)].map(isNightInChina),
    ).toEqual([false, true, true, true, true, false, false]);
    expect(isNightInChina(Date.UTC(2026, 2, 10, 14, 0))).toBe(true); // 14:00 UTC = 22:00 CST
  });

  it('judges noise against 70 dB(A) by day and 55 at night (GB 12523-2011), pre-warning 3 dB under', () => {
    expect([66.9, 67, 69.9, 70, 80].map((v) => lvl(noise(v, cst(12))))).toEqual([
      null,
      'prewarning',
      'prewarning',
      'alarm',
      'alarm',
    ]);
    expect([51.9, 52, 54.9, 55, 60].map((v) => lvl(noise(v, cst(23))))).toEqual([
      null,
      'prewarning',
      'prewarning',
      'alarm',
      'alarm',
    ]);
    // The same 60 dB(A) at the boundaries: fine at 21:59:59, an alarm at 22:00; an alarm at 05:59:59, fine at 06:00.
    expect([cst(21, 59, 59), cst(22), cst(5, 59, 59), cst(6)].map((t) => lvl(noise(60, t)))).toEqual([
      null,
      'alarm',
      'alarm',
      null,
    ]);
    expect(noise(60, cst(22)).label).toContain('night');
  });

  it('raises noise after the 60 s minimum, and the night line takes over at 22:00 on a steady value', () => {
    const steady = [cst(21, 58), cst(21, 59), cst(22), cst(22, 1), cst(22, 2)].map(
      (t) => [t, noise(60, t)] as [number, ReturnType<typeof noise>],
    );
    expect(drive(steady)).toEqual([`raise:alarm@${cst(22, 1)}`]);
    // And clears after 06:00 once inside the day line for a minute.
    const morning = [cst(5, 58), cst(5, 59), cst(6), cst(6, 0, 30), cst(6, 1)].map(
      (t) => [t, noise(60, t)] as [number, ReturnType<typeof noise>],
    );
    expect(drive(morning)).toEqual([`raise:alarm@${cst(5, 59)}`, `clear@${cst(6, 1)}`]);
  });

  it('takes dust limits from the jurisdiction (Hebei PM10 80, Liaoning TSP 800 µg/m3), a device limit, or none', () => {
    const hebei = defaultThresholds('130102');
    const pm10 = (v: number, t = hebei, p = P) => only(envMonitorMeasures(p, { pm10Ugm3: v }, cst(12), t), 'env.pm10');
    expect([63.9, 64, 79.9, 80, 200].map((v) => lvl(pm10(v)))).toEqual([
      null,
      'prewarning',
      'prewarning',
      'alarm',
      'alarm',
    ]);
    const liaoning = defaultThresholds('210102');
    expect(envMonitorMeasures(P, { pm10Ugm3: 500 }, cst(12), liaoning)).toEqual([]);
    const tsp = only(envMonitorMeasures(P, { tspUgm3: 800 }, cst(12), liaoning), 'env.tsp');
    expect([tsp.alarmAt, tsp.prewarnAt]).toEqual([800, 640]);
    // A limit configured on the device itself wins over the jurisdiction default.
    expect(pm10(100, hebei, { ...P, pm10LimitUgm3: 150 } as typeof P).alarmAt).toBe(150);
    // A project override of the dust section.
    expect(pm10(100, resolveThresholds('130102', { dust: { pm10Ugm3: 120 } })).alarmAt).toBe(120);
    expect(envMonitorMeasures(P, { pm25Ugm3: 500 }, cst(12), hebei), 'no PM2.5 line in Hebei defaults').toEqual([]);
  });
});
