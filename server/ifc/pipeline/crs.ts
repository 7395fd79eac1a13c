import proj4 from 'proj4';

/**
 * Projected coordinate systems that IFC files of this project's users name in IfcProjectedCRS, as proj4 strings built
 * in code (no EPSG database download). Families with a zone number are generated from their formulas, one-off grids
 * are listed. Parameters follow the EPSG registry; where a datum shift is needed the 7-parameter `towgs84` EPSG gives
 * for the country-wide transformation is used (metre-level, which is what a site placement needs).
 */
export interface CrsDefinition {
  epsg: number;
  /** EPSG's name, e.g. `CGCS2000 / 3-degree Gauss-Kruger CM 120E`. */
  name: string;
  proj4: string;
  /** Central meridian of a transverse Mercator zone, degrees; for checking a result falls where the zone is valid. */
  centralMeridian?: number;
}

/** CGCS2000 uses the GRS80 ellipsoid and is, at metre level, the same frame as WGS84 (ITRF-based). */
const CGCS2000 = '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs';
const ETRS89 = CGCS2000;
const DHDN = '+ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs';

function tmerc(lon0: number, x0: number, ellps: string, k = 1, lat0 = 0, y0 = 0): string {
  return `+proj=tmerc +lat_0=${lat0} +lon_0=${lon0} +k=${k} +x_0=${x0} +y_0=${y0} ${ellps}`;
}

/** Builds the table once; ~240 entries, each a short string. */
function buildTable(): Map<number, CrsDefinition> {
  const t = new Map<number, CrsDefinition>();
  const add = (d: CrsDefinition) => t.set(d.epsg, d);
  // CGCS2000 3-degree Gauss-Kruger: zones 25..45 (central meridian 3 x zone, 75E..135E).
  for (let zone = 25; zone <= 45; zone++) {
    const cm = zone * 3;
    add({
      epsg: 4513 + zone - 25,
      name: `CGCS2000 / 3-degree Gauss-Kruger zone ${zone}`,
      proj4: tmerc(cm, zone * 1e6 + 500_000, CGCS2000),
      centralMeridian: cm,
    });
    add({
      epsg: 4534 + zone - 25,
      name: `CGCS2000 / 3-degree Gauss-Kruger CM ${cm}E`,
      proj4: tmerc(cm, 500_000, CGCS2000),
      centralMeridian: cm,
    });
  }
  // CGCS2000 6-degree Gauss-Kruger: zones 13..23 (central meridian 6 x zone - 3, 75E..135E).
  for (let zone = 13; zone <= 23; zone++) {
    const cm = zone * 6 - 3;
    add({
      epsg: 4491 + zone - 13,
      name: `CGCS2000 / Gauss-Kruger zone ${zone}`,
      proj4: tmerc(cm, zone * 1e6 + 500_000, CGCS2000),
      centralMeridian: cm,
    });
    add({
      epsg: 4502 + zone - 13,
      name: `CGCS2000 / Gauss-Kruger CM ${cm}E`,
      proj4: tmerc(cm, 500_000, CGCS2000),
      centralMeridian: cm,
    });
  }
  // WGS 84 / UTM north and south.
  for (let zone = 1; zone <= 60; zone++) {
    const cm = zone * 6 - 183;
    add({
      epsg: 32600 + zone,
      name: `WGS 84 / UTM zone ${zone}N`,
      proj4: `+proj=utm +zone=${zone} +datum=WGS84 +units=m +no_defs`,
      centralMeridian: cm,
    });
    add({
      epsg: 32700 + zone,
      name: `WGS 84 / UTM zone ${zone}S`,
      proj4: `+proj=utm +zone=${zone} +south +datum=WGS84 +units=m +no_defs`,
      centralMeridian: cm,
    });
  }
  // ETRS89 / UTM zones 28N..38N (Europe).
  for (let zone = 28; zone <= 38; zone++) {
    add({
      epsg: 25800 + zone,
      name: `ETRS89 / UTM zone ${zone}N`,
      proj4: `+proj=utm +zone=${zone} ${ETRS89}`,
      centralMeridian: zone * 6 - 183,
    });
  }
  // DHDN / 3-degree Gauss-Kruger zones 2..5 (Germany).
  for (let zone = 2; zone <= 5; zone++) {
    add({
      epsg: 31464 + zone,
      name: `DHDN / 3-degree Gauss-Kruger zone ${zone}`,
      proj4: tmerc(zone * 3, zone * 1e6 + 500_000, DHDN),
      centralMeridian: zone * 3,
    });
  }
  // IGM95 / UTM zone 33N (Italy; buildingSMART's linear-placement-of-signal sample). IGM95 is ETRS89-aligned.
  add({ epsg: 3065, name: 'IGM95 / UTM zone 33N', proj4: `+proj=utm +zone=33 ${ETRS89}`, centralMeridian: 15 });
  add({ epsg: 3064, name: 'IGM95 / UTM zone 32N', proj4: `+proj=utm +zone=32 ${ETRS89}`, centralMeridian: 9 });
  add({
    epsg: 27700,
    name: 'OSGB36 / British National Grid',
    proj4: tmerc(
      -2,
      400_000,
      '+ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs',
      0.9996012717,
      49,
      -100_000,
    ),
  });
  add({
    epsg: 2056,
    name: 'CH1903+ / LV95',
    proj4:
      '+proj=somerc +lat_0=46.9524055555556 +lon_0=7.43958333333333 +k_0=1 +x_0=2600000 +y_0=1200000 +ellps=bessel +towgs84=674.374,15.056,405.346,0,0,0,0 +units=m +no_defs',
  });
  add({
    epsg: 28992,
    name: 'Amersfoort / RD New',
    proj4:
      '+proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +towgs84=565.417,50.3319,465.552,-0.398957,0.343988,-1.8774,4.0725 +units=m +no_defs',
  });
  add({
    epsg: 3857,
    name: 'WGS 84 / Pseudo-Mercator',
    proj4: '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs',
  });
  return t;
}

const TABLE = buildTable();
const BY_NAME = new Map([...TABLE.values()].map((d) => [normalizeName(d.name), d.epsg]));

function normalizeName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\s_/-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The definition of an EPSG code this project supports, or undefined. */
export function crsDefinition(epsg: number): CrsDefinition | undefined {
  return TABLE.get(epsg);
}

/** All supported EPSG codes, ascending. */
export function supportedEpsgCodes(): number[] {
  return [...TABLE.keys()].sort((a, b) => a - b);
}

/** Reads an EPSG code out of the usual spellings: `EPSG:4549`, `EPSG 4549`, `urn:ogc:def:crs:EPSG::4549`, `4549`. */
export function parseEpsg(text: string | undefined | null): number | undefined {
  if (!text) return undefined;
  const m = /epsg\D{0,8}?(\d{4,5})\b/i.exec(text) ?? /^\s*(\d{4,5})\s*$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** What an IfcProjectedCRS says about itself. */
export interface ProjectedCrsFields {
  name?: string | null;
  geodeticDatum?: string | null;
  mapProjection?: string | null;
  mapZone?: string | null;
}

/**
 * Finds the EPSG code an IfcProjectedCRS means: its Name as an EPSG code or an EPSG name; else UTM described by
 * datum + projection + zone (`UTM` / `32N`, a common exporter spelling). Returns undefined when the CRS cannot be
 * identified: the caller then falls back to the next georeference source and says why.
 */
export function identifyCrs(f: ProjectedCrsFields): number | undefined {
  const fromName = parseEpsg(f.name);
  if (fromName !== undefined) return fromName;
  for (const text of [f.name, f.geodeticDatum]) {
    const hit = text ? BY_NAME.get(normalizeName(text)) : undefined;
    if (hit !== undefined) return hit;
  }
  const proj = (f.mapProjection ?? '').toUpperCase();
  const zoneMatch = /(\d{1,2})\s*([NS])?/i.exec(f.mapZone ?? '');
  if (proj.includes('UTM') && zoneMatch) {
    const zone = Number(zoneMatch[1]);
    const south = zoneMatch[2]?.toUpperCase() === 'S';
    const datum = (f.geodeticDatum ?? '').toUpperCase();
    if (/ETRS|EUREF|4258|6258/.test(datum) && !south && zone >= 28 && zone <= 38) return 25800 + zone;
    if (zone >= 1 && zone <= 60 && (datum === '' || /WGS|4326|6326/.test(datum))) return (south ? 32700 : 32600) + zone;
  }
  return undefined;
}

const toWgs84 = new Map<number, proj4.Converter>();

function converter(epsg: number): proj4.Converter {
  let c = toWgs84.get(epsg);
  if (!c) {
    const def = TABLE.get(epsg);
    if (!def) throw new RangeError(`EPSG:${epsg} is not a supported projected CRS (see supportedEpsgCodes())`);
    c = proj4(def.proj4, 'WGS84');
    toWgs84.set(epsg, c);
  }
  return c;
}

/** Projected easting/northing (metres) of a supported CRS to WGS84 degrees. Throws RangeError for an unknown code. */
export function projectedToWgs84(epsg: number, easting: number, northing: number): { lon: number; lat: number } {
  const [lon, lat] = converter(epsg).forward([easting, northing]) as [number, number];
  return { lon, lat };
}

/** WGS84 degrees to projected easting/northing (metres) of a supported CRS. Throws RangeError for an unknown code. */
export function wgs84ToProjected(epsg: number, lon: number, lat: number): { easting: number; northing: number } {
  const [easting, northing] = converter(epsg).inverse([lon, lat]) as [number, number];
  return { easting, northing };
}

/** The CGCS2000 3-degree Gauss-Kruger code (without zone prefix, EPSG:4534-4554) whose zone holds a longitude. */
export function cgcs2000ThreeDegreeEpsg(lon: number): number {
  const zone = Math.round(lon / 3);
  if (zone < 25 || zone > 45)
    throw new RangeError(`longitude ${lon} is outside China's 3-degree zones 25..45 (73.5E..136.5E)`);
  return 4534 + zone - 25;
}
