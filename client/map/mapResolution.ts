/**
 * Cesium's resolution scale that keeps the map at most `maxPixels` device pixels. The map is drawn at the device pixel
 * ratio (MapView turns off Cesium's browser-recommended resolution, which draws at CSS pixels and upscales) so labels
 * and lines are sharp on a 4K wall and a phone; the cap, one
 * full 4K frame, only bites on a 4K screen at DPR 2 and above, where the map is the only part whose cost grows with
 * the pixel count.
 */
export function mapResolutionScale(
  cssWidth: number,
  cssHeight: number,
  devicePixelRatio: number,
  maxPixels = 8_300_000,
): number {
  const px = cssWidth * cssHeight * devicePixelRatio * devicePixelRatio;
  if (px <= maxPixels) return 1;
  return Math.round(Math.sqrt(maxPixels / px) * 100) / 100;
}

/** Cesium's own budget for loading globe tiles in a frame (QuadtreePrimitive._loadQueueTimeSlice), ms. */
export const CESIUM_TILE_SLICE_MS = 5;

/**
 * The time a frame may spend loading globe tiles, given how long frames take (ms between the last two drawn): Cesium's
 * 5 ms on a GPU's 16 ms frames, a quarter of the frame when frames are slow (software WebGL at 4K: seconds a frame,
 * and 5 ms of tile work in each made a view's tiles take hundreds of frames), at most 250 ms.
 */
export function tileLoadSliceMs(frameIntervalMs: number): number {
  if (!Number.isFinite(frameIntervalMs) || frameIntervalMs <= 0) return CESIUM_TILE_SLICE_MS;
  return Math.min(250, Math.max(CESIUM_TILE_SLICE_MS, frameIntervalMs / 4));
}
