import { Camera, Cartesian3, Event, GeographicProjection, Math as CesiumMath, type Scene } from 'cesium';
import { describe, expect, it } from 'vitest';
import { CameraNoiseGuard } from '../../../client/map/CameraNoiseGuard.js';

// The map page's camera after bimWorkspace.test's flight to 青岛北站东广场综合体 (960x600 page), where CI's run hung:
// reading Cesium's camera.heading and camera.roll passes the camera through its east-north-up frame and back, and at
// this pose each pass turns the direction by ~3e-16. Cesium reads both on every animation frame (a data source's
// clustering listens to camera.changed); its scene counts a camera as moved at a difference over 1e-15, so a few
// frames drift it that far, the camera never stops "moving": moveEnd never fires, the page is never idle, and the
// scene renders frame after frame.
const POSE = {
  position: new Cartesian3(-2606829.64593057, 4447312.49731553, 3743531.3536581197),
  direction: new Cartesian3(0.09504848302683203, -0.9687685495512053, 0.22902681780689377),
  up: new Cartesian3(-0.43301684340704844, 0.16692646643479617, 0.885794540584547),
};

/** A camera at POSE on a scene with just what Camera and the guard read. */
function cameraAtPose(): { scene: Scene; camera: Camera; preUpdate: Event } {
  const preUpdate = new Event();
  const scene = {
    drawingBufferWidth: 960,
    drawingBufferHeight: 717,
    mapProjection: new GeographicProjection(),
    preUpdate,
  } as unknown as Scene & { camera: Camera };
  const camera = new Camera(scene);
  scene.camera = camera;
  camera.position = Cartesian3.clone(POSE.position);
  camera.direction = Cartesian3.clone(POSE.direction);
  camera.up = Cartesian3.clone(POSE.up);
  camera.right = Cartesian3.cross(POSE.direction, POSE.up, new Cartesian3());
  return { scene, camera, preUpdate };
}

/** What Cesium does to the camera on every animation frame, then its scene's update starts. */
function frame(camera: Camera, preUpdate: Event): void {
  void camera.heading;
  void camera.roll;
  preUpdate.raiseEvent();
}

const same = (a: Cartesian3, b: Cartesian3) => Cartesian3.equalsEpsilon(a, b, CesiumMath.EPSILON15);

describe('CameraNoiseGuard', () => {
  it("at this pose Cesium's own heading and roll reads move the camera past its 1e-15 (what the guard is for)", () => {
    const { camera, preUpdate } = cameraAtPose();
    for (let i = 0; i < 20; i++) frame(camera, preUpdate);
    expect(same(camera.direction, POSE.direction)).toBe(false);
  });

  it('keeps a camera that only rounding moved exactly where it was, frame after frame', () => {
    const { scene, camera, preUpdate } = cameraAtPose();
    const guard = new CameraNoiseGuard(scene);
    for (let i = 0; i < 200; i++) frame(camera, preUpdate);
    expect(Cartesian3.equals(camera.direction, POSE.direction)).toBe(true);
    expect(Cartesian3.equals(camera.up, POSE.up)).toBe(true);
    expect(Cartesian3.equals(camera.position, POSE.position)).toBe(true);
    guard.dispose();
    for (let i = 0; i < 20; i++) frame(camera, preUpdate);
    expect(same(camera.direction, POSE.direction), 'disposed: no longer listening').toBe(false);
  });

  it('leaves real moves alone: a turn of a microradian and a step of a millimetre stay', () => {
    const { scene, camera, preUpdate } = cameraAtPose();
    const guard = new CameraNoiseGuard(scene);
    frame(camera, preUpdate);
    camera.lookRight(1e-6);
    frame(camera, preUpdate);
    const turned = Cartesian3.clone(camera.direction);
    expect(Cartesian3.angleBetween(turned, POSE.direction)).toBeCloseTo(1e-6, 9);
    camera.moveForward(0.001);
    frame(camera, preUpdate);
    expect(Cartesian3.distance(camera.position, POSE.position)).toBeCloseTo(0.001, 6);
    // And after a move the new pose is the one held.
    const [at, towards] = [Cartesian3.clone(camera.position), Cartesian3.clone(camera.direction)];
    for (let i = 0; i < 50; i++) frame(camera, preUpdate);
    expect(Cartesian3.equals(camera.position, at)).toBe(true);
    expect(Cartesian3.equals(camera.direction, towards)).toBe(true);
    guard.dispose();
  });
});
