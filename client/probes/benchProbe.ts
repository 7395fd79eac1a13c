import type { Viewer3D } from '../workspace/Viewer3D.js';

/** What `bench/client.ts` reads from a page (the workspace or the bare Fragments baseline), as `window.__siteTwinBench`. */
export interface BenchProbe {
  /** performance.now() of the first frame rendered with the model in the scene, or null. */
  firstFrameMs: number | null;
  /** Orbits the camera a full turn in `steps` frames; returns each frame's wall time (request -> rendered), ms. */
  orbit(steps: number): Promise<number[]>;
  /** three's renderer.info of the last frame. */
  info(): { calls: number; triangles: number };
}

declare global {
  interface Window {
    __siteTwinBench?: BenchProbe;
  }
}

/** Publishes the bench probe for a viewer once its model is in the scene. */
export function publishBenchProbe(viewer: Viewer3D): void {
  const probe: BenchProbe = {
    firstFrameMs: null,
    async orbit(steps) {
      const controls = viewer.world.camera.controls;
      const gl = viewer.world.renderer!.three.getContext();
      const times: number[] = [];
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        await controls.rotate((2 * Math.PI) / steps, 0, false);
        await new Promise<void>((resolve) => {
          const off = viewer.onFrame.add(() => {
            off();
            resolve();
          });
          viewer.requestRender();
        });
        // Software WebGL queues work: wait for it so the time is the frame's, not the submit's.
        gl.finish();
        times.push(performance.now() - t0);
      }
      return times;
    },
    info: () => viewer.renderInfo,
  };
  const off = viewer.onFrame.add(() => {
    if (viewer.fragments.list.size === 0) return;
    probe.firstFrameMs = performance.now();
    off();
  });
  window.__siteTwinBench = probe;
}
