import { azimuthDeg, modelToGeodetic, normalizeDeg180 } from '../../../models/geodesy.js';
import { crsDefinition, identifyCrs, projectedToWgs84 } from './crs.js';
import {
  axisPlacementMatrix,
  idsOfType,
  isIdentity,
  lengthUnitMetres,
  line,
  num,
  nums,
  placementWorldMatrix,
  str,
} from './ifcValues.js';
import { stepReader } from './ifcIndex.js';
import type { StepLines } from './stepLines.js';
import { type IfcAPI, WebIFC } from './webIfc.js';

/**
 * Each georeference source of an IFC file, read on its own. Every reader returns where the **world origin** stands
 * (or, for the site, where the site placement origin stands and where that is in the world), pushing to `warnings`
 * whatever made it doubt; georef.ts decides between them.
 */

export interface Placed {
  lon: number;
  lat: number;
  height: number;
  headingDeg: number;
}

/** The 3D 'Model' representation context: its TrueNorth as a heading, and whether its world system is the identity. */
export interface ModelContext {
  id?: number;
  /** Heading of +Y from TrueNorth (0 when the file gives none). */
  headingDeg: number;
  hasTrueNorth: boolean;
}

export function readModelContext(api: IfcAPI, modelID: number, warnings: string[]): ModelContext {
  const ids = idsOfType(api, modelID, WebIFC.IFCGEOMETRICREPRESENTATIONCONTEXT);
  const ctxs = ids.map((id) => ({ id, l: line(api, modelID, id) })).filter((c) => c.l);
  const pick =
    ctxs.find((c) => str(c.l.ContextType) === 'Model' && num(c.l.CoordinateSpaceDimension) === 3) ??
    ctxs.find((c) => num(c.l.CoordinateSpaceDimension) === 3) ??
    ctxs[0];
  if (!pick) return { headingDeg: 0, hasTrueNorth: false };
  const wcs = axisPlacementMatrix(api, modelID, line(api, modelID, pick.l.WorldCoordinateSystem));
  if (!isIdentity(wcs, 1e-6))
    warnings.push('the model context has a non-identity WorldCoordinateSystem; it was not applied to the georeference');
  const tn = nums(line(api, modelID, pick.l.TrueNorth)?.DirectionRatios);
  if (!tn || tn.length < 2 || Math.hypot(tn[0]!, tn[1]!) < 1e-12)
    return { id: pick.id, headingDeg: 0, hasTrueNorth: false };
  // TrueNorth is the direction of north in the model's XY plane; the heading of +Y is the angle that turns north onto +Y.
  return {
    id: pick.id,
    headingDeg: normalizeDeg180((Math.atan2(-tn[0]!, tn[1]!) * 180) / Math.PI),
    hasTrueNorth: true,
  };
}

/** IfcCompoundPlaneAngleMeasure (deg, min, sec, millionths of a second; all with the sign of the angle) to degrees. */
export function compoundToDeg(c: number[] | undefined): number | undefined {
  if (!c || c.length < 1) return undefined;
  const [d = 0, m = 0, s = 0, u = 0] = c;
  return d + m / 60 + s / 3600 + u / 3.6e9;
}

export interface SiteRef {
  /** WGS84 place of the site placement origin from RefLatitude/RefLongitude/RefElevation, if the file gives a usable one. */
  geo?: { lon: number; lat: number; height: number };
  /** Site placement origin in world metres. */
  offsetM: [number, number, number];
  /** Site placement origin in project units (for map conversion arithmetic). */
  offsetUnits: [number, number, number];
}

export function readSite(api: IfcAPI, modelID: number, unitM: number, warnings: string[]): SiteRef | undefined {
  const sites = idsOfType(api, modelID, WebIFC.IFCSITE)
    .map((id) => line(api, modelID, id))
    .filter(Boolean);
  if (sites.length === 0) return undefined;
  const withRef = sites.filter((s) => s.RefLatitude && s.RefLongitude);
  const site = withRef[0] ?? sites[0];
  const m = placementWorldMatrix(api, modelID, site.ObjectPlacement);
  const offsetUnits: [number, number, number] = m ? [m[12]!, m[13]!, m[14]!] : [0, 0, 0];
  if (!m) warnings.push('the IfcSite placement is not a local placement; its offset was taken as zero');
  const offsetM = offsetUnits.map((v) => v * unitM) as [number, number, number];
  const lat = compoundToDeg(nums(site.RefLatitude));
  const lon = compoundToDeg(nums(site.RefLongitude));
  if (lat === undefined || lon === undefined) return { offsetM, offsetUnits };
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
    warnings.push(`IfcSite RefLatitude/RefLongitude ${lat}, ${lon} are out of range; ignored`);
    return { offsetM, offsetUnits };
  }
  if (lat === 0 && lon === 0) {
    warnings.push('IfcSite RefLatitude/RefLongitude are 0, 0 (an exporter placeholder); ignored');
    return { offsetM, offsetUnits };
  }
  const others = withRef
    .slice(1)
    .filter((s) => compoundToDeg(nums(s.RefLatitude)) !== lat || compoundToDeg(nums(s.RefLongitude)) !== lon);
  if (others.length > 0)
    warnings.push(`the file has ${withRef.length} IfcSite with different RefLatitude/RefLongitude; the first was used`);
  const elevUnits = num(site.RefElevation) ?? 0;
  return { geo: { lon, lat, height: elevUnits * unitM }, offsetM, offsetUnits };
}

/** World origin from the site's reference point: step back from the site placement origin along the headed frame. */
export function worldOriginFromSite(
  site: SiteRef & { geo: NonNullable<SiteRef['geo']> },
  headingDeg: number,
  warnings: string[],
): Placed {
  const [x, y, z] = site.offsetM;
  const horizontal = Math.hypot(x, y);
  if (horizontal > 1000) {
    warnings.push(
      `the IfcSite is placed ${(horizontal / 1000).toFixed(1)} km from the world origin; RefLatitude/RefLongitude were taken as the position of the site placement, and the world origin derived from it`,
    );
  }
  const o = modelToGeodetic({ ...site.geo, headingDeg }, -x, -y, -z);
  return { lon: o.lon, lat: o.lat, height: o.height, headingDeg };
}

/** A map conversion as read: enough to place the world origin and any world point. */
export interface MapConversion {
  epsg: number;
  origin: Placed;
  /** WGS84 place of a point given in project units of the world frame (uses the conversion's scale and rotation). */
  at(x: number, y: number, z: number): { lon: number; lat: number; height: number };
  /** Grid distance in metres from the CRS false origin to the world origin (to spot a doubly applied offset). */
  offsetM: number;
}

interface MapFields {
  eastings?: number;
  northings?: number;
  height?: number;
  abscissa?: number;
  ordinate?: number;
  scale?: number;
  crs: { name?: string; geodeticDatum?: string; mapProjection?: string; mapZone?: string };
  mapUnitM: number;
  label: string;
}

/** IfcMapConversion (IFC4+) lines, best first: the one whose source is the 3D model context. */
function mapConversionFields(api: IfcAPI, modelID: number, ctx: ModelContext): MapFields[] {
  const out: MapFields[] = [];
  const ids = idsOfType(api, modelID, WebIFC.IFCMAPCONVERSION, true);
  const rows = ids.map((id) => line(api, modelID, id)).filter(Boolean);
  rows.sort((a, b) => Number(b.SourceCRS?.value === ctx.id) - Number(a.SourceCRS?.value === ctx.id));
  for (const mc of rows) {
    const crs = line(api, modelID, mc.TargetCRS);
    out.push({
      eastings: num(mc.Eastings),
      northings: num(mc.Northings),
      height: num(mc.OrthogonalHeight),
      abscissa: num(mc.XAxisAbscissa),
      ordinate: num(mc.XAxisOrdinate),
      scale: num(mc.Scale),
      crs: {
        name: str(crs?.Name),
        geodeticDatum: str(crs?.GeodeticDatum),
        mapProjection: str(crs?.MapProjection),
        mapZone: str(crs?.MapZone),
      },
      mapUnitM: lengthUnitMetres(api, modelID, line(api, modelID, crs?.MapUnit)) ?? 1,
      label: 'IfcMapConversion',
    });
  }
  return out;
}

const MAP_SETS = new Set(['ePSet_MapConversion', 'ePSet_ProjectedCRS']);
const PROPERTY_SET = new Set(['IFCPROPERTYSET']);

/**
 * IFC2X3 files may carry the same numbers as property sets ePSet_MapConversion / ePSet_ProjectedCRS. With `step` (the
 * file's text, scanned), a set whose name the text reads as web-ifc would (StepLines, checked as the element index
 * checks it) and that is neither is passed over without web-ifc's GetLine: a model has thousands of property sets.
 */
function mapConversionPsets(api: IfcAPI, modelID: number, step?: StepLines | null): MapFields[] {
  const sets = new Map<string, Map<string, unknown>>();
  const fast = step ? stepReader(api, modelID, step) : null;
  for (const id of idsOfType(api, modelID, WebIFC.IFCPROPERTYSET)) {
    const named = fast?.(id, PROPERTY_SET)?.args[2];
    if ((typeof named === 'string' || named === null) && !MAP_SETS.has(named ?? '')) continue;
    const ps = line(api, modelID, id);
    const name = str(ps?.Name);
    if (name !== 'ePSet_MapConversion' && name !== 'ePSet_ProjectedCRS') continue;
    const props = new Map<string, unknown>();
    for (const p of ps.HasProperties ?? []) {
      const prop = line(api, modelID, p);
      const key = str(prop?.Name);
      if (key) props.set(key, prop.NominalValue);
    }
    sets.set(name, props);
  }
  const mc = sets.get('ePSet_MapConversion');
  if (!mc) return [];
  const crs = sets.get('ePSet_ProjectedCRS') ?? new Map<string, unknown>();
  return [
    {
      eastings: num(mc.get('Eastings')),
      northings: num(mc.get('Northings')),
      height: num(mc.get('OrthogonalHeight')),
      abscissa: num(mc.get('XAxisAbscissa')),
      ordinate: num(mc.get('XAxisOrdinate')),
      scale: num(mc.get('Scale')),
      crs: {
        name: str(crs.get('Name')),
        geodeticDatum: str(crs.get('GeodeticDatum')),
        mapProjection: str(crs.get('MapProjection')),
        mapZone: str(crs.get('MapZone')),
      },
      mapUnitM: 1,
      label: 'ePSet_MapConversion',
    },
  ];
}

/**
 * Project-units -> map-units factor. IFC4.3 says Scale converts project units to map units (0.001 for millimetres to
 * metres), but many files write 1 and leave the unit change implicit, and buildingSMART's own samples write 1000.
 * A grid scale factor is always within a few per mille of 1, which tells the three readings apart.
 */
function effectiveScale(fileScale: number | undefined, unitRatio: number, label: string, warnings: string[]): number {
  const s = fileScale ?? 1;
  const near = (a: number, b: number) => Math.abs(a / b - 1) < 0.05;
  if (near(s, unitRatio)) return s;
  if (near(s, 1)) return s * unitRatio;
  if (near(s * unitRatio, 1)) {
    warnings.push(
      `${label}.Scale = ${s} is the inverse of the unit change (project unit = ${unitRatio} map unit); read as ${unitRatio}`,
    );
    return unitRatio;
  }
  warnings.push(`${label}.Scale = ${s} is unusual for project unit = ${unitRatio} map unit; used as given`);
  return s;
}

export function readMapConversion(
  api: IfcAPI,
  modelID: number,
  unitM: number,
  ctx: ModelContext,
  warnings: string[],
  step?: StepLines | null,
): MapConversion | undefined {
  const candidates = [...mapConversionFields(api, modelID, ctx), ...mapConversionPsets(api, modelID, step)];
  for (const f of candidates) {
    const epsg = identifyCrs(f.crs);
    if (epsg === undefined || !crsDefinition(epsg)) {
      warnings.push(
        `${f.label} names a CRS this server cannot convert (${f.crs.name ?? 'no name'}); supported: CGCS2000 Gauss-Kruger, UTM, ETRS89 UTM, DHDN GK, BNG, LV95, RD, IGM95, Web Mercator`,
      );
      continue;
    }
    if (f.eastings === undefined || f.northings === undefined) {
      warnings.push(`${f.label} lacks Eastings/Northings; ignored`);
      continue;
    }
    const mu = f.mapUnitM;
    const s = effectiveScale(f.scale, unitM / mu, f.label, warnings);
    const a0 = f.abscissa ?? 1;
    const b0 = f.ordinate ?? 0;
    const len = Math.hypot(a0, b0) || 1;
    const [a, b] = [a0 / len, b0 / len];
    const e0 = f.eastings;
    const n0 = f.northings;
    const h0 = f.height ?? 0;
    const at = (x: number, y: number, z: number) => {
      const e = e0 + s * (a * x - b * y);
      const n = n0 + s * (b * x + a * y);
      const g = projectedToWgs84(epsg, e * mu, n * mu);
      return { lon: g.lon, lat: g.lat, height: (h0 + s * z) * mu };
    };
    const o = at(0, 0, 0);
    if (!Number.isFinite(o.lon) || !Number.isFinite(o.lat)) {
      warnings.push(
        `${f.label} (EPSG:${epsg}) Eastings/Northings ${e0}, ${n0} do not convert to a place on earth; ignored`,
      );
      continue;
    }
    const cm = crsDefinition(epsg)!.centralMeridian;
    if (cm !== undefined && Math.abs(normalizeDeg180(o.lon - cm)) > 6) {
      warnings.push(
        `${f.label} puts the world origin at longitude ${o.lon.toFixed(4)}, far outside the EPSG:${epsg} zone (central meridian ${cm}); check Eastings/Northings`,
      );
    }
    // Heading: the azimuth of the model's +X axis, carried through the projection (includes meridian convergence).
    const step = 100 / (s * mu); // 100 m along +X in project units
    const px = at(step, 0, 0);
    const headingDeg = normalizeDeg180(azimuthDeg(o, px) - 90);
    return {
      epsg,
      origin: { lon: o.lon, lat: o.lat, height: o.height, headingDeg },
      at,
      offsetM: Math.hypot(e0, n0) * mu,
    };
  }
  return undefined;
}

/** IfcRigidOperation (IFC4X3): the world origin given directly in a geographic (lon, lat) or projected (E, N) CRS. */
export function readRigidOperation(
  api: IfcAPI,
  modelID: number,
  ctx: ModelContext,
  warnings: string[],
): (Placed & { epsg?: number }) | undefined {
  const type = (WebIFC as unknown as Record<string, number>).IFCRIGIDOPERATION;
  if (type === undefined) return undefined;
  for (const id of idsOfType(api, modelID, type)) {
    const ro = line(api, modelID, id);
    const crs = line(api, modelID, ro?.TargetCRS);
    const first = num(ro?.FirstCoordinate);
    const second = num(ro?.SecondCoordinate);
    const height = (num(ro?.Height) ?? 0) * (lengthUnitMetres(api, modelID, line(api, modelID, crs?.HeightUnit)) ?? 1);
    if (first === undefined || second === undefined || !crs) continue;
    if (crs.type === WebIFC.IFCPROJECTEDCRS) {
      const epsg = identifyCrs({
        name: str(crs.Name),
        geodeticDatum: str(crs.GeodeticDatum),
        mapProjection: str(crs.MapProjection),
        mapZone: str(crs.MapZone),
      });
      if (epsg === undefined || !crsDefinition(epsg)) {
        warnings.push(
          `IfcRigidOperation targets a CRS this server cannot convert (${str(crs.Name) ?? 'no name'}); ignored`,
        );
        continue;
      }
      const mu = lengthUnitMetres(api, modelID, line(api, modelID, crs.MapUnit)) ?? 1;
      const o = projectedToWgs84(epsg, first * mu, second * mu);
      // A rigid operation does not rotate: +Y is grid north, which differs from true north by the meridian convergence.
      const north = projectedToWgs84(epsg, first * mu, second * mu + 100);
      return { lon: o.lon, lat: o.lat, height, headingDeg: normalizeDeg180(azimuthDeg(o, north)), epsg };
    }
    // Geographic CRS: FirstCoordinate is the longitude (buildingSMART's sample places Lake Bled so), in the CRS's angle unit.
    const angle = line(api, modelID, crs.AngleUnit);
    const factor = angle?.type === WebIFC.IFCSIUNIT && str(angle.Name) === 'RADIAN' ? 180 / Math.PI : 1;
    const lon = first * factor;
    const lat = second * factor;
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      warnings.push(`IfcRigidOperation coordinates ${first}, ${second} are not a longitude/latitude; ignored`);
      continue;
    }
    return { lon, lat, height, headingDeg: ctx.headingDeg };
  }
  return undefined;
}
