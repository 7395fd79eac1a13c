import { z } from 'zod';
import { safeText } from './text.js';

const Vec3 = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);

/** A section plane of the BIM workspace: its normal and a point on it, in the Fragments model frame (metres, Y up). */
export const SectionPlaneProps = z.object({ normal: Vec3, point: Vec3 }).strict();
export type SectionPlaneProps = z.infer<typeof SectionPlaneProps>;

/**
 * A saved view of a project's model in the BIM workspace: the camera (position and the point it orbits), the section
 * planes, and which elements were hidden. Kept per project on the server so a team shares them. Hidden elements are
 * Fragments local ids of `modelId`: a converted model's outputs never change, so they stay valid while the model lives.
 * (City tours use models/Tour.ts: geographic camera poses for Cesium, a different thing.)
 */
export const WorkspaceViewpointCreate = z
  .object({
    name: safeText().trim().min(1).max(200),
    modelId: z.string().uuid(),
    camera: z.object({ position: Vec3, target: Vec3 }).strict(),
    sections: z.array(SectionPlaneProps).max(16).default([]),
    hiddenLocalIds: z.array(z.number().int().nonnegative()).max(200_000).default([]),
    /** The element selected when saved, if any. */
    elementGlobalId: safeText().min(1).max(64).optional(),
  })
  .strict();
export type WorkspaceViewpointCreate = z.infer<typeof WorkspaceViewpointCreate>;
export type WorkspaceViewpointInput = z.input<typeof WorkspaceViewpointCreate>;

/** A saved workspace viewpoint as served. */
export const WorkspaceViewpoint = WorkspaceViewpointCreate.extend({
  id: z.string().uuid(),
  projectId: z.string().uuid(),
  createdAt: z.number().int(),
});
export type WorkspaceViewpoint = z.infer<typeof WorkspaceViewpoint>;
