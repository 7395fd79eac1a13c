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
