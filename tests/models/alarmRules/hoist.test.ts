import { describe, expect, it } from 'vitest';
import { hoistMeasures } from '../../../models/alarmRules/hoist.js';
import { defaultThresholds } from '../../../models/alarmRules/thresholds.js';
import { drive, levels, only } from './ruleHarness.js';

const P = { ratedLoadKg: 2000, maxPersons: 12, maxHeightM: 150, preWarnPct: 90, alarmPct: 100 };
const T = defaultThresholds('130102');

describe('hoist rules', () => {
  it('judges cage load in % of rated at 90 / 100 %, from loadPct or from kg', () => {
    const byPct = (v: number) => only(hoistMeasures(P, { loadPct: v }, T), 'hoist.load');
    expect(levels(byPct, [89.9, 90, 99.9, 100, 130])).toEqual([null, 'prewarning', 'prewarning', 'alarm', 'alarm']);
    const byKg = (kg: number) => only(hoistMeasures(P, { loadKg: kg }, T), 'hoist.load');
    expect(levels(byKg, [1799, 1800, 1999, 2000])).toEqual([null, 'prewarning', 'prewarning', 'alarm']);
    expect(only(hoistMeasures(P, { loadKg: 1500, ratedLoadKg: 1000 }, T), 'hoist.load').value).toBe(150);
  });

  it('pre-warns at a full cage and alarms at one person over the limit, without a hysteresis band on counts', () => {
    const persons = (n: number) => only(hoistMeasures(P, { persons: n }, T), 'hoist.persons');
    expect(levels(persons, [11, 12, 13, 20])).toEqual([null, 'prewarning', 'alarm', 'alarm']);
    expect(
      drive([
        [0, persons(13)],
        [2000, persons(13)],
        [3000, persons(11)],
        [5000, persons(11)],
      ]),
    ).toEqual(['raise:alarm@2000', 'clear@5000']);
    // 12 persons after an alarm is still a full cage: not cleared.
    expect(
      drive([
        [0, persons(13)],
        [2000, persons(13)],
        [3000, persons(12)],
        [9000, persons(12)],
      ]),
    ).toEqual(['raise:alarm@2000']);
  });

  it("turns the hoist's own alarm bits into rules", () => {
    expect(hoistMeasures(P, { alarms: { doorInterlock: true } }, T).map((m) => `${m.rule}=${m.value}`)).toEqual([
      'hoist.bit.doorInterlock=1',
    ]);
  });
});
