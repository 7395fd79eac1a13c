import type { Scene } from 'cesium';

/**
 * Renders the current view `n` times, one after the other, and returns each frame's wall time (request -> rendered,
 * with the GPU's queue drained), ms: what one frame of this page costs at this size (bench/pageReady.ts reads it).
 */
export async function frameTimes(scene: Scene, n: number): Promise<number[]> {
  const canvas = scene.canvas;
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const off = scene.postRender.addEventListener(() => {
        off();
        resolve();
      });
      scene.requestRender();
    });
    gl?.finish();
    out.push(performance.now() - t0);
  }
  return out;
}
