import { z } from 'zod';
import { personalDataIssues } from './Attendance.js';
import { Extra, nonNeg } from './units.js';

/** Static parameters of a real-name attendance gate. */
export const GateParams = z.object({
  lanes: z.number().int().min(1).max(50).default(1),
});
export type GateParams = z.infer<typeof GateParams>;

/**
 * One gate event. `workerId` is pseudonymous by contract: a gate adapter never sends a name or an ID-card number,
 * and nothing here can carry one to a wall display.
 */
export const GateValues = z
  .object({
    event: z.enum(['enter', 'leave']),
    workerId: z.string().min(1).max(64),
    trade: z.string().max(64).optional(),
    team: z.string().max(64).optional(),
    /** Head count on site after this event, when the gate keeps one. */
    onSite: nonNeg.max(100_000).optional(),
    extra: Extra.optional(),
  })
  .strict()
  // Names, ID-card and phone numbers are refused, not stored: see personalDataIssues.
  .superRefine((v, ctx) => {
    for (const i of personalDataIssues(v))
      ctx.addIssue({ code: 'custom', path: i.path.split('.'), message: i.message });
  });
export type GateValues = z.infer<typeof GateValues>;
