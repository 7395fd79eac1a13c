import { z } from 'zod';
import { AlarmPct, Extra, atLeastOneField, finite, nonNeg } from './units.js';

/** Static parameters of a tower crane (JGJ 332-2014): geometry and capacity. */
export const TowerCraneParams = z.object({
  mastHeightM: nonNeg.max(400),
  jibLengthM: nonNeg.max(120),
  counterJibLengthM: nonNeg.max(60).default(0),
  maxLoadT: nonNeg.max(200),
  maxRadiusM: nonNeg.max(120),
  /** Pre-warning and alarm thresholds in % of rated load / moment (default 90 / 100). */
  preWarnPct: AlarmPct.default(90),
  alarmPct: AlarmPct.default(100),
});
export type TowerCraneParams = z.infer<typeof TowerCraneParams>;

/** Alarm bits a crane's safety monitor reports. */
export const TowerCraneAlarms = z
  .object({
    wind: z.boolean(),
    overload: z.boolean(),
    moment: z.boolean(),
    tilt: z.boolean(),
    collisionFront: z.boolean(),
    collisionBack: z.boolean(),
    collisionLeft: z.boolean(),
    collisionRight: z.boolean(),
    zoneProtection: z.boolean(),
    limitSwitch: z.boolean(),
  })
  .partial()
  .strict();

/** One tower-crane reading; every field optional (monitors send what changed), at least one present. */
export const TowerCraneValues = z
  .object({
    loadT: nonNeg.max(500),
    ratedLoadT: nonNeg.max(500),
    /** Moment / rated moment x 100. */
    momentPct: nonNeg.max(1000),
    radiusM: nonNeg.max(150),
    slewDeg: finite.min(-720).max(720),
    hookHeightM: finite.min(-100).max(500),
    windSpeedMps: nonNeg.max(100),
    tiltXDeg: finite.min(-90).max(90),
    tiltYDeg: finite.min(-90).max(90),
    reeving: z.number().int().min(1).max(16),
    operatorId: z.string().min(1).max(64),
    alarms: TowerCraneAlarms,
    extra: Extra,
  })
  .partial()
  .strict()
  .refine(atLeastOneField, 'a reading needs at least one value');
export type TowerCraneValues = z.infer<typeof TowerCraneValues>;
