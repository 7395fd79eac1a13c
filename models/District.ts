import { z } from 'zod';

/** What a district is coloured by on the city tier's map (the district layer's figure switch). */
export const DistrictFigureKey = z.enum(['underConstruction', 'openAlarms', 'dustExceedances', 'workersOnSite']);
export type DistrictFigureKey = z.infer<typeof DistrictFigureKey>;

/** The figures of one district (GB/T 2260 code), over the projects the requester may read in it. */
export const DistrictFigures = z.object({
  code: z.string().regex(/^\d{6}$/),
  name: z.string(),
  /** Projects the requester reads in the district. */
  projects: z.number().int(),
  underConstruction: z.number().int(),
  /** Alarms and pre-warnings not cleared. */
  openAlarms: z.number().int(),
  /** Device-hours today with dust over the device's limit (as the wall's KPI). */
  dustExceedances: z.number().int(),
  workersOnSite: z.number().int(),
});
export type DistrictFigures = z.infer<typeof DistrictFigures>;

/**
 * `GET /api/v1/districts/figures`: every district of the demo city with its figures, computed over the projects the
 * requester may read (zeros where it reads none); `regionPrefix` is the region an authority account is bound to, which
 * the map draws as its boundary (null for accounts not bound to a region).
 */
export const DistrictFiguresResponse = z.object({
  at: z.number().int(),
  regionPrefix: z.string().nullable(),
  districts: z.array(DistrictFigures),
});
export type DistrictFiguresResponse = z.infer<typeof DistrictFiguresResponse>;

/** Does a project's region code fall in a district (or region) code? `370212` is in `370212` and in `370200`. */
export function inRegion(regionCode: string, code: string): boolean {
  let c = code;
  while (c.length > 2 && c.endsWith('00')) c = c.slice(0, -2);
  return regionCode.startsWith(c);
}

/** The value of a figure for colouring. */
export function figureOf(d: DistrictFigures, key: DistrictFigureKey): number {
  return d[key];
}
