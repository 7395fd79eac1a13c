import type { BimModel } from '../../models/BimModel.js';
import { georeferenceMatrix } from '../../models/Georeference.js';
import type { BcfCamera, Vec3 } from '../../models/Topic.js';

/**
 * The frame a topic's viewpoint camera is written in. BCF cameras are in the IFC model's world coordinates (metres, Z
 * up), so a viewpoint is written in the frame of the project's model, the one the workspace opens (its first ready
 * one): the map and the workspace then restore the same camera. A project without a model gets the east-north-up
 * frame at its location (X east, Y north), which a model added later does not change for the viewpoints kept.
 */
export interface ViewFrame {
  /** The model whose IFC world this is, or null for the project's east-north-up frame. */
  modelId: string | null;
  /** Frame -> ECEF, 4x4 column-major (rigid: a rotation and a translation). */
  toEcef: readonly number[];
}

/** The viewpoint frame of a project: its first ready, placed model (as the workspace picks it), else its location. */
export function viewFrameOf(
  models: readonly Pick<BimModel, 'id' | 'status' | 'fragmentsUrl' | 'georeference'>[],
  location: { lon: number; lat: number; height: number },
): ViewFrame {
  const m = models.find((x) => x.status === 'ready' && x.fragmentsUrl && x.georeference);
  if (m?.georeference) return { modelId: m.id, toEcef: georeferenceMatrix(m.georeference) };
  return { modelId: null, toEcef: georeferenceMatrix({ ...location, headingDeg: 0 }) };
}

const col = (m: readonly number[], c: number): Vec3 => [m[c * 4]!, m[c * 4 + 1]!, m[c * 4 + 2]!];
const dot = (a: readonly number[], b: readonly number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;

/** A point of the frame to ECEF. */
export function pointToEcef(f: ViewFrame, p: readonly number[]): Vec3 {
  const m = f.toEcef;
  return [0, 1, 2].map((i) => m[i]! * p[0]! + m[4 + i]! * p[1]! + m[8 + i]! * p[2]! + m[12 + i]!) as Vec3;
}

/** A direction of the frame to ECEF. */
export function dirToEcef(f: ViewFrame, d: readonly number[]): Vec3 {
  const m = f.toEcef;
  return [0, 1, 2].map((i) => m[i]! * d[0]! + m[4 + i]! * d[1]! + m[8 + i]! * d[2]!) as Vec3;
}

/** An ECEF point into the frame (the inverse of a rigid matrix: the transposed rotation). */
export function pointFromEcef(f: ViewFrame, p: readonly number[]): Vec3 {
  const t = col(f.toEcef, 3);
  const r: Vec3 = [p[0]! - t[0], p[1]! - t[1], p[2]! - t[2]];
  return dirFromEcef(f, r);
}

/** An ECEF direction into the frame. */
export function dirFromEcef(f: ViewFrame, d: readonly number[]): Vec3 {
  return [dot(col(f.toEcef, 0), d), dot(col(f.toEcef, 1), d), dot(col(f.toEcef, 2), d)];
}

/** A perspective BCF camera from an ECEF pose (unit direction and up) and the vertical field of view. */
export function bcfCameraFromEcef(
  f: ViewFrame,
  pose: { position: readonly number[]; direction: readonly number[]; up: readonly number[] },
  fovDeg: number,
  aspectRatio?: number,
): Extract<BcfCamera, { kind: 'perspective' }> {
  return {
    kind: 'perspective',
    position: pointFromEcef(f, pose.position),
    direction: dirFromEcef(f, pose.direction),
    up: dirFromEcef(f, pose.up),
    fov: fovDeg,
    ...(aspectRatio ? { aspectRatio } : {}),
  };
}

/** A BCF camera's pose in ECEF (direction and up normalised). */
export function ecefPoseOf(f: ViewFrame, c: BcfCamera): { position: Vec3; direction: Vec3; up: Vec3 } {
  const unit = (v: Vec3): Vec3 => {
    const n = Math.hypot(...v) || 1;
    return [v[0] / n, v[1] / n, v[2] / n];
  };
  return {
    position: pointToEcef(f, c.position),
    direction: unit(dirToEcef(f, c.direction)),
    up: unit(dirToEcef(f, c.up)),
  };
}
