import { describe, expect, it } from 'vitest';
import { alarmsOpenAt, replayWindow, valuesAt } from '../../../client/replay/replaySampling.js';
import { chartableFields, fieldSpec, formatAge, formatValue } from '../../../client/devices/deviceFields.js';
import { makeAlarm } from './fixtures.js';
import { setLocale } from '../../../client/i18n/i18n.js';

setLocale('en');

const r = { from: 10_000, stepMs: 1000, steps: 4 };

describe('replay sampling', () => {
  it('interpolates numbers, turns angles the short way, holds counts and unknowns', () => {
    const fields = {
      loadT: [1, 2, null, 4],
      slewDeg: [350, 10, 20, 30],
      persons: [3, 5, 5, 5],
      pm10: [null, null, 7, 8],
    };
    expect(valuesAt(r, fields, 10_500)).toEqual({ loadT: 1.5, slewDeg: 0, persons: 3 });
    expect(valuesAt(r, fields, 11_500)).toEqual({ loadT: 2, slewDeg: 15, persons: 5 });
    expect(valuesAt(r, fields, 12_000)).toEqual({ slewDeg: 20, persons: 5, pm10: 7 });
    expect(valuesAt(r, fields, 0)).toEqual({ loadT: 1, slewDeg: 350, persons: 3 }); // clamped to the first sample
    expect(valuesAt(r, fields, 99_000)).toEqual({ loadT: 4, slewDeg: 30, persons: 5, pm10: 8 });
  });

  it('lists the alarms open at an instant', () => {
    const a = makeAlarm({ raisedAt: 100, clearedAt: 200, state: 'cleared' });
    const b = makeAlarm({ raisedAt: 150 });
    expect(alarmsOpenAt([a, b], 99)).toEqual([]);
    expect(alarmsOpenAt([a, b], 160).map((x) => x.id)).toEqual([b.id, a.id]);
    expect(alarmsOpenAt([a, b], 200).map((x) => x.id)).toEqual([b.id]);
  });

  it('fetches windows of ~30 s wall time within the request limits', () => {
    const w1 = replayWindow(1_000_500, 1, 10_000_000);
    expect(w1).toEqual({ from: 1_000_000, to: 1_300_000, stepMs: 1000 });
    const w60 = replayWindow(0, 60, 100_000_000);
    expect(w60.to - w60.from).toBe(1_800_000);
    expect((w60.to - w60.from) / w60.stepMs).toBeLessThanOrEqual(1000);
    expect(replayWindow(0, 1, 60_000).to).toBe(60_000); // never past the end
  });
});

describe('device fields', () => {
  it('formats values with units and ages', () => {
    expect(formatValue(fieldSpec('env_monitor', 'pm10Ugm3'), 81.26)).toBe('81.3 µg/m³');
    expect(formatValue(fieldSpec('hoist', 'persons'), 7)).toBe('7');
    expect(formatValue(fieldSpec('sensor', 'strainUe'), 1)).toBe('1.00');
    expect(formatValue(fieldSpec('hoist', 'doorOpen'), true)).toBe('yes');
    expect(formatValue(fieldSpec('hoist', 'loadKg'), undefined)).toBe('—');
    expect([formatAge(4_400), formatAge(125_000), formatAge(3 * 3_600_000), formatAge(2 * 86_400_000)]).toEqual([
      '4 s',
      '2 min',
      '3 h',
      '2 d',
    ]);
    expect(chartableFields('sensor', { strainUe: 1, label: 'x' })).toEqual(['strainUe']);
  });
});
