import { Camera, Cartesian3, Ellipsoid, Event, GeographicProjection, Math as CesiumMath, type Scene } from 'cesium';
import { describe, expect, it } from 'vitest';
import { globeFillsView, SkyCulling, type SkyScene } from '../../../client/map/SkyCulling.js';

/** A 1600x900 scene with a camera over Qingdao, and the sky parts SkyCulling switches. */
function sceneAt(heightM: number, pitchDeg: number) {
  const preUpdate = new Event();
  const scene = {
    drawingBufferWidth: 1600,
    drawingBufferHeight: 900,
    canvas: { clientWidth: 1600, clientHeight: 900 },
    mapProjection: new GeographicProjection(),
    mode: 3, // SceneMode.SCENE3D
    preUpdate,
    globe: { show: true, ellipsoid: Ellipsoid.WGS84, translucency: { enabled: false } },
    skyBox: { show: true },
    skyAtmosphere: { show: true },
  } as unknown as Omit<Scene, 'skyBox' | 'skyAtmosphere' | 'globe'> &
    SkyScene & { skyBox: { show: boolean }; skyAtmosphere: { show: boolean }; camera: Camera };
  const camera = new Camera(scene as unknown as Scene);
  scene.camera = camera;
  camera.setView({
    destination: Cartesian3.fromDegrees(120.38, 36.13, heightM),
    orientation: { heading: 0, pitch: CesiumMath.toRadians(pitchDeg), roll: 0 },
  });
  return { scene, camera, frame: () => preUpdate.raiseEvent(scene, undefined) };
}

describe('globeFillsView', () => {
  it('is true looking down on the city, false when the horizon is on screen or the globe is far', () => {
    expect(globeFillsView(sceneAt(15_000, -60).scene)).toBe(true);
    expect(globeFillsView(sceneAt(15_000, -90).scene)).toBe(true);
    expect(globeFillsView(sceneAt(15_000, -10).scene)).toBe(false); // the horizon is in view
    expect(globeFillsView(sceneAt(30_000_000, -90).scene)).toBe(false); // the whole Earth, space around it
  });
});

describe('SkyCulling', () => {
  it('switches the sky box and atmosphere off while the globe covers the view, back on when the sky shows', () => {
    const { scene, camera, frame } = sceneAt(15_000, -60);
    const culling = new SkyCulling(scene);
    frame();
    expect(scene.skyBox.show).toBe(false);
    expect(scene.skyAtmosphere.show).toBe(false);
    camera.setView({ orientation: { heading: 0, pitch: CesiumMath.toRadians(-5), roll: 0 } });
    frame();
    expect(scene.skyBox.show).toBe(true);
    expect(scene.skyAtmosphere.show).toBe(true);
    camera.setView({ orientation: { heading: 0, pitch: CesiumMath.toRadians(-60), roll: 0 } });
    frame();
    culling.dispose();
    // Disposed: the sky as it was, and no longer switched.
    expect(scene.skyBox.show).toBe(true);
    frame();
    expect(scene.skyBox.show).toBe(true);
  });

  it('leaves the sky on when the globe is hidden or see-through', () => {
    const { scene, frame } = sceneAt(15_000, -60);
    new SkyCulling(scene);
    scene.globe.translucency.enabled = true;
    frame();
    expect(scene.skyAtmosphere.show).toBe(true);
    scene.globe.translucency.enabled = false;
    scene.globe.show = false;
    frame();
    expect(scene.skyBox.show).toBe(true);
  });
});
