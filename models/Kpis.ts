import { z } from 'zod';

/** Who a wall serves: the authority (the city or a region of it), an enterprise (its projects), or one project. */
export const KpiTier = z.enum(['city', 'enterprise', 'project']);
export type KpiTier = z.infer<typeof KpiTier>;

/**
 * `GET /api/v1/kpis?tier=&id=`: `id` is required for enterprise and project (a UUID); for the city it is optional and
 * narrows to a region by GB/T 2260 code (`370200` = Qingdao: trailing zero pairs are dropped and the rest is a prefix).
 */
export const KpiQuery = z
  .object({ tier: KpiTier.default('city'), id: z.string().trim().min(1).max(64).optional() })
  .strict()
  .superRefine((q, ctx) => {
    if (q.tier === 'city') {
      if (q.id !== undefined && !/^\d{2,6}$/.test(q.id))
        ctx.addIssue({ code: 'custom', path: ['id'], message: 'for the city tier, id is a region code (2-6 digits)' });
    } else if (!q.id || !z.string().uuid().safeParse(q.id).success)
      ctx.addIssue({ code: 'custom', path: ['id'], message: `the ${q.tier} tier needs id = the ${q.tier}'s UUID` });
  });
export type KpiQuery = z.infer<typeof KpiQuery>;

/** The region prefix of a GB/T 2260 code: `370200` -> `3702`, `370212` -> `370212`. */
export function regionPrefix(code: string): string {
  let c = code;
  while (c.length > 2 && c.endsWith('00')) c = c.slice(0, -2);
  return c;
}

/**
 * A figure with the age of the data behind it: `ageMs` is now minus the newest reading it was computed from (null when
 * there was none), `stale` is true when that is older than `expectedIntervalMs`, so a wall never shows old data as live.
 */
export const KpiFigure = z.object({
  value: z.number(),
  ageMs: z.number().nullable(),
  expectedIntervalMs: z.number(),
  stale: z.boolean(),
});
export type KpiFigure = z.infer<typeof KpiFigure>;

/** The wall's numbers for one tier and scope. */
export const Kpis = z.object({
  tier: KpiTier,
  id: z.string().nullable(),
  at: z.number().int(),
  /** Local midnight (UTC+8) that "today" starts at. */
  dayStart: z.number().int(),
  /** Projects in scope; online = at least one device reporting within its expected interval. */
  projects: z.object({ total: z.number().int(), online: KpiFigure }),
  /** Registered cranes; working = reporting within the interval; inAlarm = working with an alarm bit, or load / moment at or above its alarm %. */
  cranes: z.object({ total: z.number().int(), working: KpiFigure, inAlarm: KpiFigure }),
  /** Alarms not cleared, by level. `available` is false when the store has no alarm table yet. */
  openAlarms: z.object({
    available: z.boolean(),
    prewarning: z.number().int(),
    alarm: z.number().int(),
    ageMs: z.number().nullable(),
  }),
  /** Device-hours today (local time) with at least one reading over the device's own limit. */
  dust: z.object({ exceedances: KpiFigure, devicesOver: z.number().int(), devicesWithoutLimit: z.number().int() }),
  noise: z.object({ exceedances: KpiFigure, devicesOver: z.number().int() }),
  /** Workers whose last gate event today is `enter`, in total and per trade. */
  workers: z.object({ onSite: KpiFigure, byTrade: z.record(z.string(), z.number().int()) }),
});
export type Kpis = z.infer<typeof Kpis>;

/** Builds a figure from a value and the newest data time behind it. */
export function figure(value: number, newest: number | null, now: number, expectedIntervalMs: number): KpiFigure {
  const ageMs = newest === null ? null : Math.max(0, now - newest);
  return { value, ageMs, expectedIntervalMs, stale: ageMs === null || ageMs > expectedIntervalMs };
}
