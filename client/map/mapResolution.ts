import { MAP_MAX_PIXELS_DEFAULT } from '../../models/ClientConfig.js';

/**
 * Cesium's resolution scale that keeps the map at most `maxPixels` device pixels. The map is drawn at the device pixel
 * ratio (MapView turns off Cesium's browser-recommended resolution, which draws at CSS pixels and upscales) so labels
 * and lines are sharp on a 4K wall and a phone; the cap, one
 * full 4K frame, only bites on a 4K screen at DPR 2 and above, where the map is the only part whose cost grows with
 * the pixel count. A server without a GPU lowers it (`MAP_MAX_PIXELS`, e.g. 500 000 for software WebGL): the browser
 * scales the smaller drawing up, and Cesium keeps labels, lines, tile detail and picking in CSS pixels.
 */
export function mapResolutionScale(
  cssWidth: number,
  cssHeight: number,
  devicePixelRatio: number,
  maxPixels = MAP_MAX_PIXELS_DEFAULT,
): number {
  const px = cssWidth * cssHeight * devicePixelRatio * devicePixelRatio;
  if (px <= maxPixels) return 1;
  return Math.round(Math.sqrt(maxPixels / px) * 100) / 100;
}
