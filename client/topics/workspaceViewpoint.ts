import type { FragmentsModel } from '@thatopen/fragments';
import * as THREE from 'three';
import type { BcfCamera } from '../../models/Topic.js';
import { fetchTopic } from '../api/topicsApi.js';
import { fetchElements } from '../bim/bimApi.js';
import type { Viewer3D } from '../workspace/Viewer3D.js';

/**
 * A topic's viewpoint in the BIM workspace. BCF cameras are in the IFC world frame (metres, Z up); the Fragments file
 * holds the model as web-ifc gave it with "coordinate to origin" on: turned Z up -> Y up ((x, y, z) -> (x, z, -y)) and
 * shifted near the origin. The shift is measured, not read from the file's coordination matrix (its translation did not
 * match the geometry: 30 m off on the demo building): the box the server indexed for an element (IFC world frame) and
 * the box the viewer draws it with differ by exactly that shift.
 */
const Z_UP_TO_Y_UP = new THREE.Matrix4().set(1, 0, 0, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1);
const frames = new WeakMap<FragmentsModel, Promise<THREE.Matrix4>>();

/** The box of an IFC-frame box once turned Y up. */
function turned(b: { min: readonly number[]; max: readonly number[] }, m: THREE.Matrix4): THREE.Box3 {
  const out = new THREE.Box3();
  for (const x of [b.min[0]!, b.max[0]!])
    for (const y of [b.min[1]!, b.max[1]!])
      for (const z of [b.min[2]!, b.max[2]!]) out.expandByPoint(new THREE.Vector3(x, y, z).applyMatrix4(m));
  return out;
}

async function measureFrame(model: FragmentsModel, modelId: string): Promise<THREE.Matrix4> {
  const page = await fetchElements(modelId, { limit: 50 });
  for (const e of page.items) {
    if (!e.hasGeometry || !e.bbox) continue;
    const [id] = await model.getLocalIdsByGuids([e.globalId]);
    if (id === null || id === undefined) continue;
    const drawn = await model.getMergedBox([id]);
    if (drawn.isEmpty()) continue;
    const shift = drawn.getCenter(new THREE.Vector3()).sub(turned(e.bbox, Z_UP_TO_Y_UP).getCenter(new THREE.Vector3()));
    return new THREE.Matrix4().makeTranslation(shift.x, shift.y, shift.z).multiply(Z_UP_TO_Y_UP);
  }
  throw new Error('no element with geometry to place the IFC world frame in the viewer');
}

/** IFC world frame -> viewer frame of a loaded Fragments model (measured once per model). */
export function ifcToViewer(model: FragmentsModel): Promise<THREE.Matrix4> {
  let m = frames.get(model);
  if (!m) {
    m = measureFrame(model, model.modelId);
    frames.set(model, m);
    m.catch(() => frames.delete(model));
  }
  return m.then((x) => x.clone());
}

/** The camera of the workspace in the IFC world frame (position; unit direction and up). */
export async function workspaceCameraInIfc(
  viewer: Viewer3D,
  model: FragmentsModel,
): Promise<{ position: number[]; direction: number[]; up: number[] }> {
  const toIfc = (await ifcToViewer(model)).invert();
  const cam = viewer.world.camera.three;
  cam.updateMatrixWorld();
  const p = cam.getWorldPosition(new THREE.Vector3()).applyMatrix4(toIfc);
  const rot = new THREE.Matrix3().setFromMatrix4(toIfc);
  const d = cam.getWorldDirection(new THREE.Vector3()).applyMatrix3(rot).normalize();
  const u = new THREE.Vector3(0, 1, 0).applyQuaternion(cam.quaternion).applyMatrix3(rot).normalize();
  return { position: p.toArray(), direction: d.toArray(), up: u.toArray() };
}

/**
 * Puts the workspace camera where a BCF camera stands and looks (no transition), with its field of view. The orbit
 * target is put along the view, as far as the model's centre is, so orbiting afterwards turns around the model.
 */
export async function applyBcfCamera(viewer: Viewer3D, model: FragmentsModel, c: BcfCamera): Promise<void> {
  const m = await ifcToViewer(model);
  const rot = new THREE.Matrix3().setFromMatrix4(m);
  const pos = new THREE.Vector3(...c.position).applyMatrix4(m);
  const dir = new THREE.Vector3(...c.direction).applyMatrix3(rot).normalize();
  const centre = model.box.isEmpty() ? pos.clone().add(dir) : model.box.getCenter(new THREE.Vector3());
  const range = Math.max(10, centre.clone().sub(pos).dot(dir));
  const target = pos.clone().addScaledVector(dir, range);
  const cam = viewer.world.camera.three;
  if (c.kind === 'perspective' && cam instanceof THREE.PerspectiveCamera) {
    cam.fov = c.fov;
    cam.updateProjectionMatrix();
  }
  await viewer.world.camera.controls.setLookAt(pos.x, pos.y, pos.z, target.x, target.y, target.z, false);
  await viewer.updateFragments();
}

/** Opens the workspace at a topic's first viewpoint camera (`?topic=<id>`). Resolves false when it has none. */
export async function applyTopicViewpoint(viewer: Viewer3D, model: FragmentsModel, topicId: string): Promise<boolean> {
  const topic = await fetchTopic(topicId);
  const cam = topic.viewpoints.find((v) => v.camera)?.camera;
  if (!cam) return false;
  await applyBcfCamera(viewer, model, cam);
  return true;
}

/** How far (metres) an IFC-frame box, carried into the viewer frame, lies from the box the viewer draws an element with. */
export async function ifcBoxMismatch(
  model: FragmentsModel,
  globalId: string,
  ifcBox: { min: number[]; max: number[] },
): Promise<{ maxCornerDistanceM: number; carried: number[][]; drawn: number[][] } | null> {
  const [id] = await model.getLocalIdsByGuids([globalId]);
  if (id === null || id === undefined) return null;
  const drawn = await model.getMergedBox([id]);
  const carried = turned(ifcBox, await ifcToViewer(model));
  return {
    maxCornerDistanceM: Math.max(carried.min.distanceTo(drawn.min), carried.max.distanceTo(drawn.max)),
    carried: [carried.min.toArray(), carried.max.toArray()],
    drawn: [drawn.min.toArray(), drawn.max.toArray()],
  };
}
