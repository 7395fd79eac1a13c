import { Cartesian2, IntersectionTests, SceneMode, type Camera, type Ellipsoid, type Scene } from 'cesium';

const scratchCorner = new Cartesian2();

/**
 * The parts of the scene SkyCulling reads and switches. A Cesium Scene has them all (SkyBox has `show` at run time
 * and in Cesium's documentation; its type declaration omits it).
 */
export type SkyScene = Pick<Scene, 'camera' | 'canvas' | 'mode' | 'preUpdate'> & {
  globe: { show: boolean; ellipsoid: Ellipsoid; translucency: { enabled: boolean } };
  skyBox?: { show: boolean } | undefined;
  skyAtmosphere?: { show: boolean } | undefined;
};

/**
 * True when the globe's ellipsoid covers every pixel of the view: the rays through the four corners of the canvas
 * all hit it (the ellipsoid is convex, so the rays through every pixel between them do too), and no sky can show.
 * Terrain only rises above the ellipsoid, so it covers at least as much.
 */
export function globeFillsView(scene: Pick<SkyScene, 'camera' | 'canvas' | 'globe'>): boolean {
  const camera: Camera = scene.camera;
  const { clientWidth: w, clientHeight: h } = scene.canvas;
  if (!(w > 0 && h > 0)) return false;
  for (const [x, y] of [
    [0, 0],
    [w, 0],
    [0, h],
    [w, h],
  ] as const) {
    const ray = camera.getPickRay(Cartesian2.fromElements(x, y, scratchCorner));
    if (!ray || !IntersectionTests.rayEllipsoid(ray, scene.globe.ellipsoid)) return false;
  }
  return true;
}

/**
 * Switches the sky box (stars) and the sky atmosphere off while the globe fills the whole view, as it does on the
 * map page's views looking down on the city: Cesium draws both every frame behind the globe, where no pixel of them
 * is seen. On software WebGL (SwiftShader: headless tests, PCs and walls without a GPU) they were a third of a frame:
 * the 1600x900 map page at 0.5 MP took 401-452 ms of GPU-process CPU a frame without them, 619-679 ms with
 * (bench/mapLoadProfile.ts, PROFILE_TOGGLES, load 7-8). Decided before each frame (preUpdate), so the frame that
 * shows the horizon draws the sky.
 */
export class SkyCulling {
  private readonly off: () => void;
  private culled = false;

  constructor(private readonly scene: SkyScene) {
    this.off = scene.preUpdate.addEventListener(() => this.update());
  }

  private update(): void {
    const { scene } = this;
    const cull =
      scene.mode === SceneMode.SCENE3D &&
      scene.globe.show &&
      !scene.globe.translucency.enabled &&
      globeFillsView(scene);
    if (cull === this.culled) return;
    this.culled = cull;
    if (scene.skyBox) scene.skyBox.show = !cull;
    if (scene.skyAtmosphere) scene.skyAtmosphere.show = !cull;
  }

  /** Stops switching and leaves the sky shown. */
  dispose(): void {
    this.off();
    if (this.culled) {
      if (this.scene.skyBox) this.scene.skyBox.show = true;
      if (this.scene.skyAtmosphere) this.scene.skyAtmosphere.show = true;
      this.culled = false;
    }
  }
}
