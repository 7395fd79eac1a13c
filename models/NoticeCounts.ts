import { z } from 'zod';

/** Open (not closed) and overdue (past the deadline, still waiting for the project) rectification notices. */
export const NoticeTally = z.object({
  openNotices: z.number().int(),
  overdueNotices: z.number().int(),
});
export type NoticeTally = z.infer<typeof NoticeTally>;

/**
 * `GET /api/v1/notices/counts`: rectification notices on the wall (issue 16), over the projects the requester may
 * read (the scope of the REST list of topics): per readable project and per enterprise with readable projects (most
 * overdue first) and per district of the city (zeros where none), and the totals.
 */
export const NoticeCounts = z.object({
  at: z.number().int(),
  totals: NoticeTally,
  projects: z.array(
    NoticeTally.extend({
      projectId: z.string().uuid(),
      name: z.string(),
      enterpriseId: z.string().uuid(),
      regionCode: z.string(),
    }),
  ),
  enterprises: z.array(NoticeTally.extend({ enterpriseId: z.string().uuid(), name: z.string() })),
  districts: z.array(NoticeTally.extend({ code: z.string(), name: z.string() })),
});
export type NoticeCounts = z.infer<typeof NoticeCounts>;
