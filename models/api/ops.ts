import { z } from 'zod';
import { CityAttendance, ProjectAttendance } from '../Attendance.js';
import { KpiQuery, Kpis } from '../Kpis.js';
import { ItemScore, ProjectReadiness, ReadinessGrade } from '../Readiness.js';
import { endpoint } from './contract.js';

/** `?region=` (a GB/T 2260 code) narrowing a city figure. */
export const RegionQuery = z
  .object({
    region: z
      .string()
      .regex(/^\d{2,6}$/, 'region is a GB/T 2260 code (2-6 digits)')
      .optional(),
  })
  .strict();

/** `GET /readiness`: the city table, built from the readiness schemas of models/. */
export const CityReadiness = z.object({
  at: z.number().int(),
  grades: z.record(ReadinessGrade, z.number().int()),
  items: z.array(ItemScore.pick({ id: true, label: true, points: true, veto: true })),
  projects: z.array(ProjectReadiness.extend({ name: z.string() })),
});
export type CityReadiness = z.infer<typeof CityReadiness>;

/** Command-center figures: wall KPIs, attendance (counts only), smart-site readiness. */
export const ops = {
  kpis: endpoint({
    method: 'get',
    path: '/api/v1/kpis',
    summary: "A wall's KPIs for a tier (city, enterprise, project) and scope",
    query: KpiQuery,
    response: Kpis,
  }),
  attendanceOfProject: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/attendance',
    summary: 'On-site counts of a project (no worker ids)',
    response: ProjectAttendance,
  }),
  attendance: endpoint({
    method: 'get',
    path: '/api/v1/attendance',
    summary: 'On-site counts of the city or a region',
    query: RegionQuery,
    response: CityAttendance,
  }),
  readinessOfProject: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/readiness',
    summary: "A project's smart-site readiness score",
    response: ProjectReadiness,
  }),
  readiness: endpoint({
    method: 'get',
    path: '/api/v1/readiness',
    summary: 'The readiness table of the city or a region',
    query: RegionQuery,
    response: CityReadiness,
  }),
};
