import { describe, expect, it } from 'vitest';
import { pitAlarmValueMm, pitBand, pitGaugeMeasures } from '../../../models/alarmRules/pitGauge.js';
import { defaultThresholds } from '../../../models/alarmRules/thresholds.js';
import type { PitGaugeParams } from '../../../models/PitGauge.js';
import { drive, levels, only } from './ruleHarness.js';

const T = defaultThresholds('370212');
const disp: PitGaugeParams = { metric: 'displacement', pitDepthM: 10, absLimitMm: 30, depthPctLimit: 0.25 };

describe('foundation-pit rules (GB 50497-2019)', () => {
  it('takes the alarm value as the smaller of the absolute limit and the % of excavation depth', () => {
    expect(pitAlarmValueMm(disp)).toBe(25); // 0.25 % of 10 m = 25 mm < 30 mm
    expect(pitAlarmValueMm({ ...disp, pitDepthM: 20 })).toBe(30); // 50 mm > 30 mm
    expect(pitAlarmValueMm({ pitDepthM: 10, absLimitMm: 40 })).toBe(40);
    expect(pitAlarmValueMm({ pitDepthM: 10 })).toBeUndefined();
  });

  it('bands < 70 % normal, 70-100 % watch (pre-warning), >= 100 % alarm, on the magnitude', () => {
    expect([17.4, 17.5, 24.9, 25, -25].map((v) => pitBand(v, 25))).toEqual([
      'normal',
      'watch',
      'watch',
      'alarm',
      'alarm',
    ]);
    const m = (mm: number) => only(pitGaugeMeasures(disp, { displacementMm: mm }, T), 'pit.displacement');
    expect(levels(m, [17.4, 17.5, 24.9, 25, -26])).toEqual([null, 'prewarning', 'prewarning', 'alarm', 'alarm']);
    // Gauges report slowly: no minimum duration by default, the first reading in a band counts.
    expect(drive([[0, m(26)]])).toEqual(['raise:alarm@0']);
    // Hysteresis: back to 17 mm (under 17.5 but inside the 3 % band) does not clear; 16.9 does.
    expect(
      drive([
        [0, m(26)],
        [1, m(17)],
        [2, m(16.9)],
      ]),
    ).toEqual(['raise:alarm@0', 'clear@2']);
  });

  it("judges settlement, the inclinometer profile's worst point, rate and strut force", () => {
    const settle = only(pitGaugeMeasures({ ...disp, metric: 'settlement' }, { settlementMm: 20 }, T), 'pit.settlement');
    expect([settle.quantity, settle.value, settle.alarmAt]).toEqual(['settlementMm', 20, 25]);
    const incl = only(
      pitGaugeMeasures(
        { ...disp, metric: 'inclinometer' },
        {
          profile: [
            { depthM: 1, displacementMm: 5 },
            { depthM: 4, displacementMm: -21 },
          ],
        },
        T,
      ),
      'pit.inclinometer',
    );
    expect(incl.value).toBe(21);
    const rate = (v: number) =>
      only(pitGaugeMeasures({ ...disp, rateLimitMmPerDay: 3 }, { rateMmPerDay: v }, T), 'pit.rate');
    expect(levels(rate, [2.09, 2.1, 3, -3.5])).toEqual([null, 'prewarning', 'alarm', 'alarm']);
    const strut = (v: number) =>
      only(
        pitGaugeMeasures({ metric: 'strut_force', pitDepthM: 10, strutForceLimitKn: 1000 }, { strutForceKn: v }, T),
        'pit.strut_force',
      );
    expect(levels(strut, [699, 700, 1000])).toEqual([null, 'prewarning', 'alarm']);
    expect(pitGaugeMeasures({ metric: 'groundwater', pitDepthM: 10 }, { waterLevelM: -3 }, T)).toEqual([]);
  });
});
