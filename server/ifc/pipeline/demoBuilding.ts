import { azimuthDeg, normalizeDeg180 } from '../../../models/geodesy.js';
import { cgcs2000ThreeDegreeEpsg, crsDefinition, projectedToWgs84, wgs84ToProjected } from './crs.js';
import { writeStoreys, type DemoLayout } from './demoBuildingStoreys.js';
import { deterministicGuid, IfcWriter } from './ifcWriter.js';
import { createIfcApi, type IfcAPI } from './webIfc.js';

/** Parameters of a generated building. Lengths in metres, angles in degrees. */
export interface DemoBuildingOptions {
  name: string;
  /** WGS84 place of the building's centre at ground level (the model's world origin). */
  lon: number;
  lat: number;
  /** Ellipsoid height of the ground floor, metres (default 0). */
  height?: number;
  /** Clockwise from true north to the building's +Y (depth) axis (default 0). */
  headingDeg?: number;
  storeys: number;
  widthM: number;
  depthM: number;
  storeyHeightM?: number;
  /** Column bays along the width / depth (default: about one per 8 m). */
  baysX?: number;
  baysY?: number;
  /** Seed of the GlobalIds (default: the name): same seed, same ids. */
  seed?: string;
  /** Projected CRS of the IfcMapConversion (default: CGCS2000 3-degree GK zone in China, else WGS 84 UTM). */
  epsg?: number;
}

/** What was written: element counts by IFC class, and totals. */
export interface DemoBuildingStats {
  elements: number;
  byClass: Record<'IfcSlab' | 'IfcColumn' | 'IfcWall' | 'IfcWindow', number>;
  lines: number;
  bytes: number;
  epsg: number;
}

/** The GlobalId the generator gives the element with this key (see demoBuildingStoreys.ts for the keys). */
export function demoGlobalId(seed: string, key: string): string {
  return deterministicGuid(seed, key);
}

/** Decimal degrees to IFC's compound angle (deg, min, sec, millionths of a second, all with the angle's sign). */
export function toCompoundAngle(deg: number): [number, number, number, number] {
  const sign = deg < 0 ? -1 : 1;
  let micro = Math.round(Math.abs(deg) * 3.6e9);
  const d = Math.floor(micro / 3.6e9);
  micro -= d * 3.6e9;
  const m = Math.floor(micro / 6e7);
  micro -= m * 6e7;
  const s = Math.floor(micro / 1e6);
  micro -= s * 1e6;
  return [sign * d, sign * m, sign * s, sign * micro];
}

function defaultEpsg(lon: number, lat: number): number {
  if (lon >= 73.5 && lon < 136.5 && lat > 0) return cgcs2000ThreeDegreeEpsg(lon);
  const zone = Math.min(60, Math.floor((lon + 180) / 6) + 1);
  return (lat >= 0 ? 32600 : 32700) + zone;
}

function layoutOf(o: DemoBuildingOptions): DemoLayout {
  if (!(o.storeys >= 1 && o.storeys <= 500 && Number.isInteger(o.storeys)))
    throw new RangeError('storeys must be an integer 1..500');
  if (!(o.widthM >= 4 && o.depthM >= 4 && o.widthM <= 2000 && o.depthM <= 2000))
    throw new RangeError('widthM and depthM must be 4..2000 m');
  const baysX = o.baysX ?? Math.max(1, Math.round(o.widthM / 8));
  const baysY = o.baysY ?? Math.max(1, Math.round(o.depthM / 8));
  if (!(Number.isInteger(baysX) && Number.isInteger(baysY) && baysX >= 1 && baysY >= 1))
    throw new RangeError('baysX and baysY must be integers >= 1');
  if (o.widthM / baysX < 1.5 || o.depthM / baysY < 1.5)
    throw new RangeError('bays must be at least 1.5 m wide (fewer bays or a larger footprint)');
  return {
    storeys: o.storeys,
    widthM: o.widthM,
    depthM: o.depthM,
    storeyHeightM: o.storeyHeightM ?? 3.6,
    baysX,
    baysY,
    seed: o.seed ?? o.name,
  };
}

/**
 * Writes a georeferenced IFC4 building with web-ifc's writer API and streams the file to `sink` in chunks
 * (web-ifc's SaveModelToCallback), so the bytes are never held as one buffer on the JS side. Memory: the model lives
 * once inside web-ifc's wasm heap while it is built (about 1x the file size; wasm32 caps it at 4 GB), plus one
 * chunk; about 25 us of CPU per STEP line, ~12 lines per element.
 */
export function writeDemoBuilding(
  api: IfcAPI,
  opts: DemoBuildingOptions,
  sink: (chunk: Uint8Array) => void,
): DemoBuildingStats {
  const layout = layoutOf(opts);
  const epsg = opts.epsg ?? defaultEpsg(opts.lon, opts.lat);
  if (!crsDefinition(epsg)) throw new RangeError(`EPSG:${epsg} is not supported for the map conversion`);
  const headingDeg = normalizeDeg180(opts.headingDeg ?? 0);
  const height = opts.height ?? 0;
  const modelID = api.CreateModel({
    schema: 'IFC4',
    name: `${opts.name}.ifc`,
    description: ['ViewDefinition [ReferenceView_V1.2]'],
    authors: ['Site Twin demo generator'],
    organizations: ['Site Twin'],
  });
  try {
    const w = new IfcWriter(api, modelID);
    const { I } = w;
    const g = (key: string) => w.guid(deterministicGuid(layout.seed, key));

    // Units: metres, radians (angles inside the file), square/cubic metres.
    const metre = w.write(new I.IfcSIUnit(I.IfcUnitEnum.LENGTHUNIT, null, I.IfcSIUnitName.METRE));
    const units = w.write(
      new I.IfcUnitAssignment([
        metre,
        w.write(new I.IfcSIUnit(I.IfcUnitEnum.AREAUNIT, null, I.IfcSIUnitName.SQUARE_METRE)),
        w.write(new I.IfcSIUnit(I.IfcUnitEnum.VOLUMEUNIT, null, I.IfcSIUnitName.CUBIC_METRE)),
        w.write(new I.IfcSIUnit(I.IfcUnitEnum.PLANEANGLEUNIT, null, I.IfcSIUnitName.RADIAN)),
      ]),
    );
    // TrueNorth: the direction of north in model XY, i.e. +Y turned back by the heading.
    const h = (headingDeg * Math.PI) / 180;
    const trueNorth = w.dir(-Math.sin(h), Math.cos(h));
    const context = w.write(
      new I.IfcGeometricRepresentationContext(
        null,
        w.label('Model'),
        new I.IfcDimensionCount(3),
        w.real(1e-5),
        w.axis3(),
        trueNorth,
      ),
    );
    const body = w.write(
      new I.IfcGeometricRepresentationSubContext(
        w.label('Body'),
        w.label('Model'),
        context,
        null,
        I.IfcGeometricProjectionEnum.MODEL_VIEW,
        null,
      ),
    );
    const project = w.write(
      new I.IfcProject(g('project'), null, w.label(opts.name), null, null, null, null, [context], units),
    );

    // Map conversion: origin's grid coordinates, and the grid direction of +X (true azimuth heading+90 less the
    // meridian convergence, measured through the projection so the reader's inverse agrees exactly).
    const { easting, northing } = wgs84ToProjected(epsg, opts.lon, opts.lat);
    const north = projectedToWgs84(epsg, easting, northing + 100);
    const convergence = azimuthDeg({ lon: opts.lon, lat: opts.lat }, north);
    const theta = ((convergence - headingDeg) * Math.PI) / 180; // +X angle from grid east, counter-clockwise
    const def = crsDefinition(epsg)!;
    const crs = w.write(
      new I.IfcProjectedCRS(
        w.label(`EPSG:${epsg}`),
        w.text(def.name),
        w.id(def.name.split(' / ')[0]!),
        null,
        null,
        null,
        metre,
      ),
    );
    w.write(
      new I.IfcMapConversion(
        context,
        crs,
        w.len(easting),
        w.len(northing),
        w.len(height),
        w.real(Math.cos(theta)),
        w.real(Math.sin(theta)),
        w.real(1),
      ),
    );

    // Spatial structure. The site's placement is the world origin, so RefLatitude/RefLongitude describe the same
    // point as the map conversion: one place, said twice, consistently.
    const sitePlacement = w.placement(null);
    const site = w.write(
      new I.IfcSite(
        g('site'),
        null,
        w.label(`${opts.name} site`),
        null,
        null,
        sitePlacement,
        null,
        null,
        I.IfcElementCompositionEnum.ELEMENT,
        new I.IfcCompoundPlaneAngleMeasure(toCompoundAngle(opts.lat)),
        new I.IfcCompoundPlaneAngleMeasure(toCompoundAngle(opts.lon)),
        w.len(height),
        null,
        null,
      ),
    );
    const buildingPlacement = w.placement(sitePlacement);
    const building = w.write(
      new I.IfcBuilding(
        g('building'),
        null,
        w.label(opts.name),
        null,
        null,
        buildingPlacement,
        null,
        null,
        I.IfcElementCompositionEnum.ELEMENT,
        null,
        null,
        null,
      ),
    );
    w.write(new I.IfcRelAggregates(g('rel/project-site'), null, null, null, project, [site]));
    w.write(new I.IfcRelAggregates(g('rel/site-building'), null, null, null, site, [building]));

    const byClass = writeStoreys(w, layout, { building, buildingPlacement, body, guid: g });
    let bytes = 0;
    api.SaveModelToCallback(modelID, (chunk) => {
      bytes += chunk.length;
      sink(chunk);
    });
    const elements = byClass.IfcSlab + byClass.IfcColumn + byClass.IfcWall + byClass.IfcWindow;
    return { elements, byClass, lines: w.lines, bytes, epsg };
  } finally {
    api.CloseModel(modelID);
  }
}

// One web-ifc instance for the synchronous generator below; created at import (ESM top-level await, ~50 ms).
const sharedApi: IfcAPI = await createIfcApi();

/**
 * A real georeferenced IFC4 file as bytes (see {@link writeDemoBuilding} for what it holds). Holds the model in
 * web-ifc plus the whole output once: for models past a few hundred MB stream with writeDemoBuilding instead.
 */
export function generateDemoBuilding(opts: DemoBuildingOptions, api: IfcAPI = sharedApi): Uint8Array {
  const chunks: Uint8Array[] = [];
  const stats = writeDemoBuilding(api, opts, (c) => chunks.push(c.slice()));
  const out = new Uint8Array(stats.bytes);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
