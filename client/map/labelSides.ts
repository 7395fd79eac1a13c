import { HorizontalOrigin, VerticalOrigin } from 'cesium';
import type { LabelSide } from './labelPlacement.js';

/**
 * How a Cesium label stands on each side of its anchor, as the placer (labelPlacement.ts) measures it: the origin of
 * the label's box and the direction of its pixel offset (times the gap between anchor and box).
 */
export const SIDE_STYLE: Record<LabelSide, { h: HorizontalOrigin; v: VerticalOrigin; dx: number; dy: number }> = {
  above: { h: HorizontalOrigin.CENTER, v: VerticalOrigin.BOTTOM, dx: 0, dy: -1 },
  'above-right': { h: HorizontalOrigin.LEFT, v: VerticalOrigin.BOTTOM, dx: 1, dy: -1 },
  'above-left': { h: HorizontalOrigin.RIGHT, v: VerticalOrigin.BOTTOM, dx: -1, dy: -1 },
  right: { h: HorizontalOrigin.LEFT, v: VerticalOrigin.CENTER, dx: 1, dy: 0 },
  left: { h: HorizontalOrigin.RIGHT, v: VerticalOrigin.CENTER, dx: -1, dy: 0 },
  'below-right': { h: HorizontalOrigin.LEFT, v: VerticalOrigin.TOP, dx: 1, dy: 1 },
  'below-left': { h: HorizontalOrigin.RIGHT, v: VerticalOrigin.TOP, dx: -1, dy: 1 },
  below: { h: HorizontalOrigin.CENTER, v: VerticalOrigin.TOP, dx: 0, dy: 1 },
};
