import { Cartesian3, Matrix4, type Scene } from 'cesium';

/** Largest change of a unit vector (direction, up, right) per frame that is rounding, not a turn: 1e-12 rad. */
const TURN_NOISE = 1e-12;
/** Largest change of the camera position per frame that is rounding, not a move: a micrometre. */
const MOVE_NOISE_M = 1e-6;

/**
 * Holds a camera that nobody moved exactly still. Cesium reads the camera's heading and roll on every animation frame
 * (a data source's clustering listens to `camera.changed`), and each read passes the camera through its east-north-up
 * frame and back. At some poses that turns the direction by ~3e-16 a frame, always the same way; Cesium's scene counts
 * a camera as moved at a difference over 1e-15, so every few frames it "moved": `moveEnd` never fires, the map page is
 * never idle, and request-render mode renders frame after frame (CesiumGS/cesium#12546). bimWorkspace.test hung on it
 * once frames got fast enough for the drift to show inside Cesium's 500 ms wait.
 *
 * Before each frame's update (`scene.preUpdate`, after the frame's camera controls ran and before the scene compares
 * the camera with the last frame's) a change below TURN_NOISE / MOVE_NOISE_M is undone: the camera gets back the pose
 * of the last frame exactly. Anything larger (a flight, a drag, inertia, a setView) is a move and becomes that pose.
 */
export class CameraNoiseGuard {
  private readonly position = new Cartesian3();
  private readonly direction = new Cartesian3();
  private readonly up = new Cartesian3();
  private readonly right = new Cartesian3();
  private readonly transform = new Matrix4();
  private held = false;
  private readonly off: () => void;

  constructor(private readonly scene: Scene) {
    this.settle();
    this.off = scene.preUpdate.addEventListener(() => this.settle());
  }

  /** Undoes a rounding-sized change since the last call, or takes the camera's pose as the one to hold. */
  settle(): void {
    const c = this.scene.camera;
    if (
      this.held &&
      Matrix4.equals(c.transform, this.transform) &&
      Cartesian3.equalsEpsilon(c.position, this.position, 0, MOVE_NOISE_M) &&
      Cartesian3.equalsEpsilon(c.direction, this.direction, 0, TURN_NOISE) &&
      Cartesian3.equalsEpsilon(c.up, this.up, 0, TURN_NOISE) &&
      Cartesian3.equalsEpsilon(c.right, this.right, 0, TURN_NOISE)
    ) {
      Cartesian3.clone(this.position, c.position);
      Cartesian3.clone(this.direction, c.direction);
      Cartesian3.clone(this.up, c.up);
      Cartesian3.clone(this.right, c.right);
      return;
    }
    Cartesian3.clone(c.position, this.position);
    Cartesian3.clone(c.direction, this.direction);
    Cartesian3.clone(c.up, this.up);
    Cartesian3.clone(c.right, this.right);
    Matrix4.clone(c.transform, this.transform);
    this.held = true;
  }

  dispose(): void {
    this.off();
  }
}
