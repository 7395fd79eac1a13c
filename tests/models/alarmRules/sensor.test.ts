import { describe, expect, it } from 'vitest';
import { measuresOf } from '../../../models/alarmRules/index.js';
import { sensorMeasures } from '../../../models/alarmRules/sensor.js';
import { AlarmThresholdsOverrides, resolveThresholds } from '../../../models/alarmRules/thresholds.js';
import { drive, levels, only } from './ruleHarness.js';

const T = resolveThresholds('370212', {
  sensor: {
    strainUe: { prewarn: 800, alarm: 1000, direction: 'above' },
    waterM: { prewarn: 2, alarm: 1, direction: 'below' },
  },
});

describe('generic sensor rules', () => {
  it('judges a quantity above its line', () => {
    const s = (v: number) => only(sensorMeasures({ strainUe: v }, T), 'sensor.strainUe');
    expect(levels(s, [799, 800, 999, 1000])).toEqual([null, 'prewarning', 'prewarning', 'alarm']);
  });

  it('judges a quantity below its line, with hysteresis on the safe side', () => {
    const s = (v: number) => only(sensorMeasures({ waterM: v }, T), 'sensor.waterM');
    expect(levels(s, [2.1, 2, 1.01, 1, 0.5])).toEqual([null, 'prewarning', 'prewarning', 'alarm', 'alarm']);
    // Clearing line 2 + 3 % = 2.06: 2.05 holds the alarm, 2.07 clears after the 5 s minimum.
    expect(
      drive([
        [0, s(0.9)],
        [5000, s(0.9)],
        [6000, s(2.05)],
        [12_000, s(2.05)],
        [13_000, s(2.07)],
        [18_000, s(2.07)],
      ]),
    ).toEqual(['raise:alarm@5000', 'clear@18000']);
  });

  it('ignores quantities without a line, and refuses lines in the wrong order', () => {
    expect(sensorMeasures({ tempC: 90 }, T)).toEqual([]);
    expect(measuresOf('sensor', {}, { strainUe: 1200, tempC: 90 }, 0, T).map((m) => m.rule)).toEqual([
      'sensor.strainUe',
    ]);
    expect(AlarmThresholdsOverrides.safeParse({ sensor: { x: { prewarn: 10, alarm: 5 } } }).success).toBe(false);
    expect(
      AlarmThresholdsOverrides.safeParse({ sensor: { x: { prewarn: 10, alarm: 5, direction: 'below' } } }).success,
    ).toBe(true);
  });

  it('has no rules for cameras and gates', () => {
    expect(measuresOf('camera', {}, { online: false }, 0, T)).toEqual([]);
    expect(measuresOf('gate', {}, { enter: 3 }, 0, T)).toEqual([]);
  });
});
