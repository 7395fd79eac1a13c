import { describe, expect, it } from 'vitest';
import { unitSettingsIssues } from '../../models/Device.js';
import { applyScale, scaleFactors } from '../../models/DeviceUnits.js';
import { splitValues } from '../../models/FieldQuality.js';
import { parseIsoTime, ReadingIn } from '../../models/Reading.js';

const env = { kind: 'env_monitor' as const, params: {} };

describe('splitValues (field-level checks)', () => {
  it('keeps the good fields and lists each bad one with a code and a reason (unit hint for PM)', () => {
    const r = splitValues(env, { pm10Ugm3: 140600, pm25Ugm3: 31, humidityPct: 'wet', dust: 3 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.values).toEqual({ pm25Ugm3: 31 });
    expect(r.refused.map((x) => [x.field, x.code])).toEqual([
      ['pm10Ugm3', 'out_of_range'],
      ['humidityPct', 'wrong_type'],
      ['dust', 'unknown_field'],
    ]);
    expect(r.refused[0]!.reason).toMatch(
      /^PM10 140600 is above the plausible maximum 10000: is this device sending ng\/m3\?/,
    );
    expect(splitValues(env, { humidityPct: 180, noiseDb: 60 }).refused[0]!.reason).toBe(
      'humidityPct 180 is above the plausible maximum 100',
    );
    expect(splitValues(env, { humidityPct: 45_000, noiseDb: 60 }).refused[0]!.reason).toMatch(/scaled by 1000/);
  });

  it('refuses the whole reading, with the whole-reading issues, when no field is left; never splits a gate event', () => {
    const r = splitValues(env, { pm10Ugm3: -5, dustiness: 3 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(['values', 'values.pm10Ugm3']);
    expect(r.refused).toHaveLength(2);
    const gate = splitValues({ kind: 'gate', params: {} }, { event: 'enter', workerId: 'w1', name: '张三' });
    expect(gate).toMatchObject({ ok: false, refused: [] });
  });

  it("checks a generic sensor's quantities by its declared names and ranges", () => {
    const sensor = {
      kind: 'sensor' as const,
      params: {
        quantities: [
          { name: 'tempC', unit: '°C', min: -40, max: 80 },
          { name: 'strainUe', unit: 'µε' },
        ],
      },
    };
    const r = splitValues(sensor, { tempC: 800, strainUe: 12, foo: 1 });
    expect(r).toMatchObject({ ok: true, values: { strainUe: 12 } });
    expect(r.refused.map((x) => x.code)).toEqual(['out_of_range', 'unknown_field']);
  });
});

describe('device units and scale', () => {
  it('composes a unit and a scale per field; HJ 212 codes name their field', () => {
    const f = scaleFactors({ pm: 'ng/m3', pressureKpa: 'hPa' }, { a34002: 2 })!;
    expect(Object.fromEntries(f)).toEqual({ tspUgm3: 0.001, pm10Ugm3: 0.002, pm25Ugm3: 0.001, pressureKpa: 0.1 });
    expect(applyScale({ pm25Ugm3: 75300, pressureKpa: 1010.2, noiseDb: 60 }, f)).toEqual({
      pm25Ugm3: 75.3,
      pressureKpa: 101.02,
      noiseDb: 60,
    });
    expect(scaleFactors(undefined, undefined)).toBeNull();
  });

  it('refuses settings that do not fit the kind, by field', () => {
    expect(unitSettingsIssues(env, { pm: 'ng/m3' }, { a34002: 0.001, noiseDb: 1 })).toEqual([]);
    expect(unitSettingsIssues(env, { noiseDb: 'ng/m3', pm: 'kg' }, { a99999: 2 }).map((i) => i.path)).toEqual([
      'units.noiseDb',
      'units.pm',
      'scale.a99999',
    ]);
    expect(
      unitSettingsIssues({ kind: 'tower_crane', params: {} }, { pm: 'ng/m3' }, { a34002: 1 }).map((i) => i.path),
    ).toEqual(['units.pm', 'scale.a34002']);
  });
});

describe('ISO 8601 reading times', () => {
  it('takes an offset or Z, with or without seconds and fractions, and refuses a local time or a date that is not one', () => {
    const t = Date.UTC(2026, 2, 1, 0, 0, 0);
    expect(parseIsoTime('2026-03-01T08:00:00+08:00')).toBe(t);
    expect(parseIsoTime('2026-03-01T08:00+0800')).toBe(t);
    expect(parseIsoTime('2026-03-01T00:00:00.250Z')).toBe(t + 250);
    expect(parseIsoTime('2026-02-28T19:00:00-05:00')).toBe(t);
    expect(parseIsoTime('2026-03-01T08:00:00')).toBeUndefined();
    expect(parseIsoTime('2026-02-31T08:00:00Z')).toBeUndefined();
    const r = ReadingIn.safeParse({
      deviceId: '00000000-0000-4000-8000-000000000000',
      time: '2026-03-01T08:00:00+08:00',
      values: { a: 1 },
    });
    expect(r.success && r.data.time).toBe(t);
    const old = ReadingIn.safeParse({
      deviceId: '00000000-0000-4000-8000-000000000000',
      time: '2000-01-01T00:00:00Z',
      values: { a: 1 },
    });
    expect(old.success).toBe(false);
  });
});
