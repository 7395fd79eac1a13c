import { z } from 'zod';
import { safeText } from './text.js';
import { Extra, atLeastOneField, finite, nonNeg } from './units.js';

/**
 * Static parameters of a dust and noise monitor. Dust limits differ by province, so they are per-device (or
 * per-jurisdiction) configuration, never constants; noise limits default to GB 12523-2011.
 */
export const EnvMonitorParams = z.object({
  /** Whose rules apply, e.g. `DB13/2934-2019`. */
  jurisdiction: safeText().max(64).optional(),
  pm10LimitUgm3: nonNeg.max(10_000).optional(),
  pm25LimitUgm3: nonNeg.max(10_000).optional(),
  tspLimitUgm3: nonNeg.max(100_000).optional(),
  noiseDayLimitDb: nonNeg.max(200).default(70),
  noiseNightLimitDb: nonNeg.max(200).default(55),
});
export type EnvMonitorParams = z.infer<typeof EnvMonitorParams>;

/**
 * One environment reading. HJ 212 codes map to: a34001 `tspUgm3` (HJ 212 sends mg/m3: x 1000), a34002 `pm10Ugm3`,
 * a34004 `pm25Ugm3`, LA `noiseDb`, a01001 `temperatureC`, a01002 `humidityPct`, a01006 `pressureKpa`, a01007
 * `windSpeedMps`, a01008 `windDirDeg`; other codes go to `extra`.
 */
export const EnvMonitorValues = z
  .object({
    tspUgm3: nonNeg.max(100_000),
    pm10Ugm3: nonNeg.max(10_000),
    pm25Ugm3: nonNeg.max(10_000),
    noiseDb: nonNeg.max(200),
    temperatureC: finite.min(-80).max(80),
    humidityPct: nonNeg.max(100),
    pressureKpa: nonNeg.max(200),
    windSpeedMps: nonNeg.max(100),
    windDirDeg: nonNeg.max(360),
    extra: Extra,
  })
  .partial()
  .strict()
  .refine(atLeastOneField, 'a reading needs at least one value');
export type EnvMonitorValues = z.infer<typeof EnvMonitorValues>;

/**
 * HJ 212-2017 pollutant codes of a dust and noise monitor and the reading field each fills (the ingest's mapping, and
 * the keys a device's `scale` may use for them).
 */
export const HJ212_CODE_FIELDS: Readonly<Record<string, Exclude<keyof EnvMonitorValues, 'extra'>>> = {
  a34001: 'tspUgm3',
  a34002: 'pm10Ugm3',
  a34004: 'pm25Ugm3',
  LA: 'noiseDb',
  a01001: 'temperatureC',
  a01002: 'humidityPct',
  a01006: 'pressureKpa',
  a01007: 'windSpeedMps',
  a01008: 'windDirDeg',
};
