import { Georeference } from '../../../models/Georeference.js';
import { distanceM, normalizeDeg180 } from '../../../models/geodesy.js';
import {
  readMapConversion,
  readModelContext,
  readRigidOperation,
  readSite,
  worldOriginFromSite,
  type Placed,
} from './georefSources.js';
import { projectLengthUnitMetres } from './ifcValues.js';
import type { StepLines } from './stepLines.js';
import type { IfcAPI } from './webIfc.js';

/** Two sources of one model that disagree by more than this many metres mean the model is georeferenced twice. */
export const TWICE_TOLERANCE_M = 5;

/**
 * Where an open IFC model stands on the globe (see {@link Georeference} for the frame). Sources, best first:
 * IfcMapConversion + IfcProjectedCRS (or IFC2X3's ePSet_MapConversion), IfcRigidOperation, IfcSite
 * RefLatitude/RefLongitude with the context's TrueNorth, and last `fallback` (the project's location). Never throws
 * for odd files: what it doubted or skipped is in `warnings`.
 *
 * A model georeferenced twice (a map conversion and a site reference point that disagree, or an absolute site
 * placement on top of a map conversion offset) is placed by one source, and the warning names both and the one used.
 * `step` (the file's text, scanned) spares web-ifc's reading of property sets that cannot be a map conversion.
 */
export function readGeoreference(
  api: IfcAPI,
  modelID: number,
  fallback?: { lon: number; lat: number; height: number },
  step?: StepLines | null,
): Georeference {
  const warnings: string[] = [];
  const unitM = projectLengthUnitMetres(api, modelID);
  const ctx = readModelContext(api, modelID, warnings);
  const site = readSite(api, modelID, unitM, warnings);
  const siteGeo = site?.geo ? { ...site, geo: site.geo } : undefined;

  const beforeMap = warnings.length;
  const map = readMapConversion(api, modelID, unitM, ctx, warnings, step);
  // A map conversion the reader had to set aside has said why already: later words must not deny that it exists.
  const mapSetAside = !map && warnings.length > beforeMap;
  if (map) {
    if (siteGeo) {
      const bySite = map.at(...siteGeo.offsetUnits);
      // Horizontal only: RefElevation is often written in metres under millimetre units, heights would cry wolf.
      const apart = distanceM({ lon: bySite.lon, lat: bySite.lat }, { lon: siteGeo.geo.lon, lat: siteGeo.geo.lat });
      if (apart > TWICE_TOLERANCE_M) {
        warnings.push(
          `georeferenced twice: IfcMapConversion (EPSG:${map.epsg}) puts the site at ${fmt(bySite)}, IfcSite RefLatitude/RefLongitude at ${fmt(siteGeo.geo)} ` +
            `(${Math.round(apart)} m apart); using IfcMapConversion`,
        );
      }
    }
    const placedKm = Math.hypot(site?.offsetM[0] ?? 0, site?.offsetM[1] ?? 0) / 1000;
    if (placedKm > 10 && map.offsetM > 10_000) {
      warnings.push(
        `georeferenced twice: the IfcSite is placed ${placedKm.toFixed(1)} km from the world origin (absolute coordinates) and IfcMapConversion adds ` +
          `${(map.offsetM / 1000).toFixed(1)} km more; using IfcMapConversion as the file states, so the model may stand that far off`,
      );
    }
    return done({ ...map.origin, source: 'map_conversion', epsg: map.epsg }, warnings);
  }

  const rigid = readRigidOperation(api, modelID, ctx, warnings);
  if (rigid) {
    if (siteGeo) {
      const fromSite = worldOriginFromSite(siteGeo, rigid.headingDeg, []);
      const apart = distanceM({ lon: fromSite.lon, lat: fromSite.lat }, { lon: rigid.lon, lat: rigid.lat });
      if (apart > TWICE_TOLERANCE_M) {
        warnings.push(
          `georeferenced twice: IfcRigidOperation and IfcSite RefLatitude/RefLongitude disagree by ${Math.round(apart)} m; using IfcRigidOperation`,
        );
      }
    }
    const { epsg, ...placed } = rigid;
    return done({ ...placed, source: 'rigid_operation', ...(epsg !== undefined ? { epsg } : {}) }, warnings);
  }

  if (siteGeo) {
    return done({ ...worldOriginFromSite(siteGeo, ctx.headingDeg, warnings), source: 'site' }, warnings);
  }

  if (fallback) {
    warnings.push(
      mapSetAside
        ? 'its map conversion could not be used (see above), and it has no IfcRigidOperation or IfcSite RefLatitude/RefLongitude; placed at the project location, facing north'
        : 'the model carries no georeference (no IfcMapConversion, IfcRigidOperation or IfcSite RefLatitude/RefLongitude); placed at the project location, facing north',
    );
    return done({ ...fallback, headingDeg: 0, source: 'project' }, warnings);
  }
  warnings.push(
    'the model carries no georeference and no project location was given; placed at 0, 0: set the georeference by hand',
  );
  return done({ lon: 0, lat: 0, height: 0, headingDeg: 0, source: 'project' }, warnings);
}

function done(g: Placed & { source: Georeference['source']; epsg?: number }, warnings: string[]): Georeference {
  return Georeference.parse({
    lon: g.lon,
    lat: g.lat,
    height: clampHeight(g.height, warnings),
    headingDeg: normalizeDeg180(g.headingDeg),
    source: g.source,
    ...(g.epsg !== undefined ? { epsg: g.epsg } : {}),
    warnings,
  });
}

function clampHeight(h: number, warnings: string[]): number {
  if (h >= -1000 && h <= 10_000) return h;
  warnings.push(
    `the file's height ${h.toFixed(1)} m is not plausible for a site; clamped (check the length unit of the elevation)`,
  );
  return Math.min(10_000, Math.max(-1000, h));
}

function fmt(p: { lon: number; lat: number }): string {
  return `${p.lat.toFixed(6)}, ${p.lon.toFixed(6)}`;
}
