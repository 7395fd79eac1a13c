import type { FragmentsModel } from '@thatopen/fragments';
import * as THREE from 'three';
import type { BcfCamera } from '../../models/Topic.js';
import { fetchTopic } from '../api/topicsApi.js';
import type { Viewer3D } from '../workspace/Viewer3D.js';

/**
 * A topic's viewpoint in the BIM workspace. BCF cameras are in the IFC world frame (metres, Z up); the Fragments file
 * holds the model as web-ifc gave it with its "coordinate to origin" on: its coordination matrix is that frame ->
 * viewer (the Z-up -> Y-up turn and the shift that brought the model near the origin).
 */

/** IFC world frame -> viewer frame of a loaded Fragments model. */
export async function ifcToViewer(model: FragmentsModel): Promise<THREE.Matrix4> {
  return (await model.getCoordinationMatrix()).clone();
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
): Promise<{ maxCornerDistanceM: number } | null> {
  const [id] = await model.getLocalIdsByGuids([globalId]);
  if (id === null || id === undefined) return null;
  const drawn = await model.getMergedBox([id]);
  const m = await ifcToViewer(model);
  const carried = new THREE.Box3();
  for (const x of [ifcBox.min[0]!, ifcBox.max[0]!])
    for (const y of [ifcBox.min[1]!, ifcBox.max[1]!])
      for (const z of [ifcBox.min[2]!, ifcBox.max[2]!])
        carried.expandByPoint(new THREE.Vector3(x, y, z).applyMatrix4(m));
  return {
    maxCornerDistanceM: Math.max(carried.min.distanceTo(drawn.min), carried.max.distanceTo(drawn.max)),
  };
}
