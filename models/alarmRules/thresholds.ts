import { z } from 'zod';
import { QuantityName } from '../Sensor.js';
import { AlarmPct } from '../units.js';

const ms = z.number().int().min(0).max(86_400_000);
const pos = z.number().finite().positive();

/** Tilt at which a crane's mast is out of vertical: 4/1000 (GB 5144-2006, verticality of the tower), in degrees. */
export const CRANE_TILT_ALARM_DEG = (Math.atan(4 / 1000) * 180) / Math.PI;

/** Tower crane: % of rated load / moment (when set, they override the device's own params), wind and tilt lines. */
export const CraneThresholds = z.object({
  preWarnPct: AlarmPct.optional(),
  alarmPct: AlarmPct.optional(),
  windPrewarnMps: pos,
  windAlarmMps: pos,
  tiltPrewarnDeg: pos,
  tiltAlarmDeg: pos,
  minDurationMs: ms,
});

/** Construction hoist: % of rated load (overrides the device params when set). */
export const HoistThresholds = z.object({
  preWarnPct: AlarmPct.optional(),
  alarmPct: AlarmPct.optional(),
  minDurationMs: ms,
});

/** Noise at the site boundary: day and night limits in dB(A); the pre-warning sits `prewarnMarginDb` under them. */
export const NoiseThresholds = z.object({
  dayDb: pos.max(200),
  nightDb: pos.max(200),
  prewarnMarginDb: z.number().finite().min(0).max(50),
  minDurationMs: ms,
});

/** Dust limits (µg/m3); which ones apply depends on the province, so none is a constant. */
export const DustThresholds = z.object({
  pm10Ugm3: pos.optional(),
  pm25Ugm3: pos.optional(),
  tspUgm3: pos.optional(),
  prewarnPct: AlarmPct,
  minDurationMs: ms,
});

/** Foundation-pit bands (GB 50497-2019): below `watchPct` % of the alarm value normal, then watch, >= 100 % alarm. */
export const PitThresholds = z.object({ watchPct: AlarmPct, minDurationMs: ms });

/** A line on one quantity of a generic sensor. */
export const SensorThreshold = z
  .object({
    prewarn: z.number().finite().optional(),
    alarm: z.number().finite(),
    direction: z.enum(['above', 'below']).default('above'),
  })
  .strict()
  .refine((t) => t.prewarn === undefined || (t.direction === 'above' ? t.prewarn < t.alarm : t.prewarn > t.alarm), {
    message: 'the pre-warning line must come before the alarm line (lower for "above", higher for "below")',
    path: ['prewarn'],
  });
export type SensorThreshold = z.infer<typeof SensorThreshold>;

const sections = {
  hysteresisPct: z.number().finite().min(0).max(50),
  crane: CraneThresholds,
  hoist: HoistThresholds,
  noise: NoiseThresholds,
  dust: DustThresholds,
  pit: PitThresholds,
  /** Generic sensors: lines per quantity name (SensorParams declares valid ranges only, not alarm lines). */
  sensor: z.record(QuantityName, SensorThreshold),
  sensorMinDurationMs: ms,
};

/** Every line the alarm rules use for one project, as resolved by `resolveThresholds`. */
export const AlarmThresholds = z.object({
  /** The standard the dust defaults come from, e.g. `DB13/2934-2019`. */
  jurisdiction: z.string().max(64),
  ...sections,
});
export type AlarmThresholds = z.infer<typeof AlarmThresholds>;

/**
 * A project's overrides: any subset of the lines; what is not named keeps the region's default. No defaults are
 * filled in here, so what is stored is exactly what the project chose.
 */
export const AlarmThresholdsOverrides = z
  .object({
    hysteresisPct: sections.hysteresisPct,
    crane: CraneThresholds.partial().strict(),
    hoist: HoistThresholds.partial().strict(),
    noise: NoiseThresholds.partial().strict(),
    dust: DustThresholds.partial().strict(),
    pit: PitThresholds.partial().strict(),
    sensor: sections.sensor,
    sensorMinDurationMs: ms,
  })
  .partial()
  .strict();
export type AlarmThresholdsOverrides = z.infer<typeof AlarmThresholdsOverrides>;

/** The lines every region starts from (dust comes from the jurisdiction). */
export const BASE_THRESHOLDS: Omit<AlarmThresholds, 'jurisdiction'> = {
  hysteresisPct: 3,
  crane: {
    /** Beaufort force 5 starts at 8.0 m/s: the pre-warning before force 6. */
    windPrewarnMps: 8.0,
    /** Beaufort force 6 (>= 10.8 m/s): stop lifting (JGJ 276-2012). */
    windAlarmMps: 10.8,
    tiltPrewarnDeg: Math.round(CRANE_TILT_ALARM_DEG * 0.9 * 1000) / 1000,
    tiltAlarmDeg: Math.round(CRANE_TILT_ALARM_DEG * 1000) / 1000,
    minDurationMs: 2000,
  },
  hoist: { minDurationMs: 2000 },
  /** GB 12523-2011: 70 dB(A) by day, 55 at night (22:00-06:00 China time). */
  noise: { dayDb: 70, nightDb: 55, prewarnMarginDb: 3, minDurationMs: 60_000 },
  dust: { prewarnPct: 80, minDurationMs: 60_000 },
  pit: { watchPct: 70, minDurationMs: 0 },
  sensor: {},
  sensorMinDurationMs: 5000,
};

/** Dust defaults of one jurisdiction and where they come from. */
export interface Jurisdiction {
  standard: string;
  province: string;
  dust: { pm10Ugm3?: number; pm25Ugm3?: number; tspUgm3?: number };
  /** False when the figure was not checked against the standard's text: set the project's own line. */
  verified: boolean;
  note: string;
}

/** National fallback: fugitive particulate at the boundary 1.0 mg/m3 (GB 16297-1996, Table 2). */
export const NATIONAL_DUST: Jurisdiction = {
  standard: 'GB 16297-1996',
  province: 'national',
  dust: { tspUgm3: 1000 },
  verified: true,
  note: 'Fugitive particulate monitoring limit 1.0 mg/m3; used where no provincial construction-dust standard is configured.',
};

/** Dust defaults by province (first two digits of the GB/T 2260 region code). */
export const JURISDICTIONS: Record<string, Jurisdiction> = {
  '13': {
    standard: 'DB13/2934-2019',
    province: 'Hebei',
    dust: { pm10Ugm3: 80 },
    verified: true,
    note: 'Construction-site dust: PM10 80 µg/m3 at the monitoring point.',
  },
  '21': {
    standard: 'DB21/2642-2016',
    province: 'Liaoning',
    dust: { tspUgm3: 800 },
    verified: true,
    note: 'Construction-site TSP 0.8 mg/m3.',
  },
  '37': {
    standard: 'DB37/2373-2018',
    province: 'Shandong',
    dust: { pm10Ugm3: 80 },
    verified: false,
    note: 'ASSUMPTION: the PM10 figure of DB37/2373 was not checked against its text here; 80 µg/m3 mirrors DB13/2934. Set the project line.',
  },
};

/** The jurisdiction of a GB/T 2260 region code (e.g. 370212 -> Shandong), or the national fallback. */
export function jurisdictionOf(regionCode: string | undefined): Jurisdiction {
  return (regionCode && JURISDICTIONS[regionCode.slice(0, 2)]) || NATIONAL_DUST;
}

/** Default lines of a region: the province's dust limits, national noise, crane, hoist and pit lines. */
export function defaultThresholds(regionCode: string | undefined): AlarmThresholds {
  const j = jurisdictionOf(regionCode);
  return {
    jurisdiction: j.standard,
    ...BASE_THRESHOLDS,
    crane: { ...BASE_THRESHOLDS.crane },
    hoist: { ...BASE_THRESHOLDS.hoist },
    noise: { ...BASE_THRESHOLDS.noise },
    dust: { ...BASE_THRESHOLDS.dust, ...j.dust },
    pit: { ...BASE_THRESHOLDS.pit },
    sensor: {},
  };
}

/**
 * The lines in force for a project: the region's defaults with the project's overrides on top (section by section,
 * field by field; sensor lines by quantity).
 */
export function resolveThresholds(
  regionCode: string | undefined,
  overrides: AlarmThresholdsOverrides = {},
): AlarmThresholds {
  const d = defaultThresholds(regionCode);
  return {
    ...d,
    ...(overrides.hysteresisPct !== undefined ? { hysteresisPct: overrides.hysteresisPct } : {}),
    ...(overrides.sensorMinDurationMs !== undefined ? { sensorMinDurationMs: overrides.sensorMinDurationMs } : {}),
    crane: { ...d.crane, ...overrides.crane },
    hoist: { ...d.hoist, ...overrides.hoist },
    noise: { ...d.noise, ...overrides.noise },
    dust: { ...d.dust, ...overrides.dust },
    pit: { ...d.pit, ...overrides.pit },
    sensor: { ...d.sensor, ...overrides.sensor },
  };
}
