/** How far below the horizon the top edge of a view stays, in degrees (see pitchClearOfHorizon). */
export const TOP_EDGE_CLEARANCE_DEG = 12;

/**
 * A pitch (degrees, negative looks down) steep enough that the top edge of a view with this vertical field of view
 * stays TOP_EDGE_CLEARANCE_DEG below the horizon: a portrait screen (Cesium's 60 degrees become the vertical field)
 * at the project view's -37 degrees showed, under the header, far-away map squashed into slivers. Steeper pitches
 * are kept as they are.
 */
export function pitchClearOfHorizon(pitchDeg: number, fovyDeg: number): number {
  return Math.min(pitchDeg, -(fovyDeg / 2 + TOP_EDGE_CLEARANCE_DEG));
}
