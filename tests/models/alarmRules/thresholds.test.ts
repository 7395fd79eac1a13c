import { describe, expect, it } from 'vitest';
import {
  AlarmThresholdsOverrides,
  defaultThresholds,
  jurisdictionOf,
  resolveThresholds,
} from '../../../models/alarmRules/thresholds.js';

describe('alarm thresholds by jurisdiction', () => {
  it('picks the province from the GB/T 2260 region code, with a national fallback', () => {
    expect(jurisdictionOf('130102')).toMatchObject({ standard: 'DB13/2934-2019', dust: { pm10Ugm3: 80 } });
    expect(jurisdictionOf('210102')).toMatchObject({ standard: 'DB21/2642-2016', dust: { tspUgm3: 800 } });
    expect(jurisdictionOf('370212')).toMatchObject({ province: 'Shandong', verified: false });
    expect(jurisdictionOf('440305')).toMatchObject({ standard: 'GB 16297-1996', dust: { tspUgm3: 1000 } });
    expect(jurisdictionOf(undefined).standard).toBe('GB 16297-1996');
  });

  it('resolves overrides field by field over the defaults, storing only what was set', () => {
    const o = AlarmThresholdsOverrides.parse({ noise: { nightDb: 50 }, crane: { windAlarmMps: 9 } });
    expect(o).toEqual({ noise: { nightDb: 50 }, crane: { windAlarmMps: 9 } });
    const r = resolveThresholds('130102', o);
    expect(r.noise).toMatchObject({ dayDb: 70, nightDb: 50 });
    expect(r.crane).toMatchObject({ windAlarmMps: 9, windPrewarnMps: 8 });
    expect(r.dust.pm10Ugm3).toBe(80);
    expect(defaultThresholds('130102').noise.nightDb, 'defaults untouched').toBe(55);
  });

  it('refuses unknown fields and out-of-range lines', () => {
    expect(AlarmThresholdsOverrides.safeParse({ noise: { nightDb: 0 } }).success).toBe(false);
    expect(AlarmThresholdsOverrides.safeParse({ nois: {} }).success).toBe(false);
    expect(AlarmThresholdsOverrides.safeParse({ crane: { alarmPct: 500 } }).success).toBe(false);
  });
});
