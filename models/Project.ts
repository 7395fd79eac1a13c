import { z } from 'zod';
import { safeText } from './text.js';
import { GeoJsonPolygon, GeoPoint, ringCentroid } from './geo.js';

/** Lifecycle of a construction project. */
export const ProjectStatus = z.enum(['planned', 'under_construction', 'suspended', 'completed']);
export type ProjectStatus = z.infer<typeof ProjectStatus>;

/** Six-digit administrative division code (GB/T 2260), e.g. 370212 for Laoshan District, Qingdao. */
export const RegionCode = z.string().regex(/^\d{6}$/, 'regionCode must be a 6-digit GB/T 2260 code');

/** The editable fields of a project, without defaults (so a patch never resets what it does not name). */
const ProjectFields = z.object({
  name: safeText().trim().min(1).max(200),
  enterpriseId: z.string().uuid(),
  address: safeText().trim().max(500),
  regionCode: RegionCode,
  /** Reference point of the site: where its local east-north-up frame has its origin. */
  location: GeoPoint,
  /** Site boundary (red line) in WGS84. */
  footprint: GeoJsonPolygon,
  status: ProjectStatus,
  /** Planned building height, used to extrude the footprint on the city overview. */
  heightM: z.number().finite().min(0).max(1000),
});

/** Fields a client sends to create a project. */
export const ProjectCreate = ProjectFields.extend({
  address: ProjectFields.shape.address.default(''),
  status: ProjectStatus.default('under_construction'),
  heightM: ProjectFields.shape.heightM.default(30),
});
export type ProjectCreate = z.infer<typeof ProjectCreate>;
export type ProjectCreateInput = z.input<typeof ProjectCreate>;

/** Fields a client may change; all optional, at least one. */
export const ProjectPatch = ProjectFields.partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'a patch needs at least one field');
export type ProjectPatch = z.infer<typeof ProjectPatch>;

/** A project as stored and served. */
export const Project = z.object({
  id: z.string().uuid(),
  name: z.string(),
  enterpriseId: z.string().uuid(),
  enterpriseName: z.string().optional(),
  address: z.string(),
  regionCode: RegionCode,
  location: GeoPoint,
  footprint: GeoJsonPolygon,
  status: ProjectStatus,
  heightM: z.number(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Project = z.infer<typeof Project>;

/** Query of the project list: free text and a WGS84 box, both optional. */
export interface ProjectQuery {
  q?: string;
  bbox?: { minLon: number; minLat: number; maxLon: number; maxLat: number };
}

/** A project as a GeoJSON Feature (footprint geometry, the rest as properties). */
export function projectToFeature(p: Project) {
  const { footprint, ...props } = p;
  return {
    type: 'Feature' as const,
    id: p.id,
    geometry: footprint,
    properties: { ...props, centroid: ringCentroid(footprint) },
  };
}
