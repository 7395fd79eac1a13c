import { z } from 'zod';
import { AlarmPct, Extra, atLeastOneField, finite, nonNeg } from './units.js';

/** Static parameters of a construction hoist (JGJ 215-2010, GB/T 34023-2017). */
export const HoistParams = z.object({
  ratedLoadKg: nonNeg.max(10_000),
  maxPersons: z.number().int().min(1).max(100),
  maxHeightM: nonNeg.max(1000),
  floors: z.number().int().min(1).max(300).optional(),
  preWarnPct: AlarmPct.default(90),
  alarmPct: AlarmPct.default(100),
});
export type HoistParams = z.infer<typeof HoistParams>;

/** One hoist-car reading; fields optional, at least one. */
export const HoistValues = z
  .object({
    loadKg: nonNeg.max(20_000),
    ratedLoadKg: nonNeg.max(20_000),
    loadPct: nonNeg.max(1000),
    persons: z.number().int().min(0).max(200),
    floor: z.number().int().min(-10).max(300),
    heightM: finite.min(-50).max(1000),
    speedMps: finite.min(-10).max(10),
    windSpeedMps: nonNeg.max(100),
    tiltXDeg: finite.min(-90).max(90),
    tiltYDeg: finite.min(-90).max(90),
    doorOpen: z.boolean(),
    alarms: z.record(z.string().min(1).max(32), z.boolean()),
    extra: Extra,
  })
  .partial()
  .strict()
  .refine(atLeastOneField, 'a reading needs at least one value');
export type HoistValues = z.infer<typeof HoistValues>;
