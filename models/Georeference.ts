import { z } from 'zod';
import { LatDeg, LonDeg } from './geo.js';
import { enuToEcefMatrix, normalizeDeg180 } from './geodesy.js';

/**
 * Where a georeference came from, best first: an IFC4 IfcMapConversion (+ IfcProjectedCRS), an IFC4X3
 * IfcRigidOperation, the IfcSite's RefLatitude/RefLongitude (+ the context's TrueNorth), the project's own location
 * (the model carried none), or a person's override.
 */
export const GeoreferenceSource = z.enum(['map_conversion', 'rigid_operation', 'site', 'project', 'manual']);
export type GeoreferenceSource = z.infer<typeof GeoreferenceSource>;

/** Ellipsoid height of a model origin, metres (Dead Sea shore to above Everest, with room for bad-but-real files). */
const HeightM = z.number().finite().min(-1000).max(10_000);
/** Heading in degrees, clockwise from true north; any turn is accepted and stored normalised to (-180, 180]. */
const HeadingDeg = z.number().finite().min(-360).max(360);

/**
 * The WGS84 placement of an IFC model. `lon`/`lat`/`height` (degrees, metres above the WGS84 ellipsoid) locate the
 * **origin of the IFC model's world coordinate system**: the frame web-ifc's `StreamAllMeshes` flat transformations
 * produce when the model is opened with `COORDINATE_TO_ORIGIN: false`, in metres. `headingDeg` is the clockwise angle
 * from true north to the model's +Y axis: with 0, +X points east, +Y north, +Z up. {@link georeferenceMatrix} turns it
 * into the model -> ECEF matrix.
 *
 * Axes: this frame is IFC's own, Z up. web-ifc hands out Y-up coordinates (its coordination matrix maps IFC
 * (x, y, z) to (x, z, -y)), which is exactly the inverse of the fixed glTF y-up -> z-up rotation of 3D Tiles: glTF
 * written from web-ifc's vertices and flat transformations, under a tileset whose root `transform` is
 * {@link georeferenceMatrix}, stands right. Anything else that holds web-ifc coordinates first applies
 * `Y_UP_TO_Z_UP` (geodesy.ts). `epsg` names the projected CRS the file used, if any; `warnings` say what was odd
 * (a model georeferenced twice, a suspicious scale, a fallback) in words a person can act on.
 *
 * Heights from a map conversion are the file's orthometric heights, used as ellipsoid heights: there is no geoid
 * model here, so expect an offset of the local geoid undulation (tens of metres), which a manual patch can correct.
 */
export const Georeference = z.object({
  lon: LonDeg,
  lat: LatDeg,
  height: HeightM,
  headingDeg: HeadingDeg,
  source: GeoreferenceSource,
  epsg: z.number().int().positive().optional(),
  warnings: z.array(z.string()),
});
export type Georeference = z.infer<typeof Georeference>;

/** A person's override of a model's placement (PATCH body): any of the four numbers, at least one. */
export const GeoreferencePatch = z
  .object({ lon: LonDeg, lat: LatDeg, height: HeightM, headingDeg: HeadingDeg })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'a georeference patch needs at least one of lon, lat, height, headingDeg');
export type GeoreferencePatch = z.infer<typeof GeoreferencePatch>;

/**
 * Applies an override: the result's source is `manual`, the EPSG code of the file is kept for reference, and the
 * file's warnings are dropped because a person has now decided where the model stands.
 */
export function applyGeoreferencePatch(current: Georeference, patch: GeoreferencePatch): Georeference {
  return {
    lon: patch.lon ?? current.lon,
    lat: patch.lat ?? current.lat,
    height: patch.height ?? current.height,
    headingDeg: normalizeDeg180(patch.headingDeg ?? current.headingDeg),
    source: 'manual',
    ...(current.epsg !== undefined ? { epsg: current.epsg } : {}),
    warnings: [],
  };
}

/** The 4x4 column-major model -> ECEF matrix of a georeference (3D Tiles root `transform`, Cesium modelMatrix). */
export function georeferenceMatrix(g: Pick<Georeference, 'lon' | 'lat' | 'height' | 'headingDeg'>): number[] {
  return enuToEcefMatrix(g.lon, g.lat, g.height, g.headingDeg);
}
