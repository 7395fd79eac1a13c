import { z } from 'zod';
import { Extra, atLeastOneField, finite, nonNeg } from './units.js';

/** What a foundation-pit gauge measures (GB 50497-2019). */
export const PitMetric = z.enum(['displacement', 'settlement', 'inclinometer', 'strut_force', 'groundwater']);
export type PitMetric = z.infer<typeof PitMetric>;

/**
 * Static parameters of a pit gauge. The alarm value is the smaller of `absLimitMm` and `depthPctLimit` % of the pit
 * depth; bands: < 70 % normal, 70-100 % watch, >= 100 % alarm.
 */
export const PitGaugeParams = z.object({
  metric: PitMetric,
  pitDepthM: nonNeg.max(200),
  absLimitMm: nonNeg.max(10_000).optional(),
  depthPctLimit: nonNeg.max(10).optional(),
  rateLimitMmPerDay: nonNeg.max(1000).optional(),
  strutForceLimitKn: nonNeg.max(100_000).optional(),
});
export type PitGaugeParams = z.infer<typeof PitGaugeParams>;

/** One point of an inclinometer profile. */
export const InclinometerPoint = z
  .object({ depthM: nonNeg.max(200), displacementMm: finite.min(-10_000).max(10_000) })
  .strict();

/** One pit-gauge reading; fields optional, at least one. */
export const PitGaugeValues = z
  .object({
    /** Cumulative horizontal displacement. */
    displacementMm: finite.min(-10_000).max(10_000),
    /** Cumulative settlement (positive = down). */
    settlementMm: finite.min(-10_000).max(10_000),
    rateMmPerDay: finite.min(-1000).max(1000),
    strutForceKn: finite.min(-100_000).max(100_000),
    waterLevelM: finite.min(-500).max(500),
    profile: z.array(InclinometerPoint).max(500),
    extra: Extra,
  })
  .partial()
  .strict()
  .refine(atLeastOneField, 'a reading needs at least one value');
export type PitGaugeValues = z.infer<typeof PitGaugeValues>;
