import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceM, normalizeDeg180 } from '../../../models/geodesy.js';
import { DEMO_PROJECTS } from '../../../server/demo/demoCity.js';
import {
  demoGlobalId,
  generateDemoBuilding,
  toCompoundAngle,
  type DemoBuildingOptions,
} from '../../../server/ifc/pipeline/demoBuilding.js';
import { DEMO_MODELS } from '../../../server/demo/demoModels.js';
import { readGeoreference } from '../../../server/ifc/pipeline/georef.js';
import { decodeIfcGuid } from '../../../server/ifc/pipeline/ifcWriter.js';
import { createIfcApi, openModel, WebIFC, type IfcAPI } from '../../../server/ifc/pipeline/webIfc.js';

let api: IfcAPI;
beforeAll(async () => {
  api = await createIfcApi();
});
afterAll(() => api?.Dispose());

/** Elements the layout must have, counted here from the rules in the generator's doc, not from its code. */
function expectedCount(o: { storeys: number; baysX: number; baysY: number; columnsInCore: number }) {
  const perimeter = 2 * (o.baysX + o.baysY);
  const columns = (o.baysX + 1) * (o.baysY + 1) - o.columnsInCore;
  return o.storeys * (1 + columns + perimeter /* walls */ + perimeter /* windows */ + 4); /* core walls */
}

function ids(modelID: number, type: number): number[] {
  const v = api.GetLineIDsWithType(modelID, type, true);
  return Array.from({ length: v.size() }, (_, i) => v.get(i));
}

function roundTrip(opts: DemoBuildingOptions) {
  const bytes = generateDemoBuilding(opts);
  const id = openModel(api, bytes);
  try {
    const elements = ids(id, WebIFC.IFCELEMENT);
    let withGeometry = 0;
    api.StreamAllMeshes(id, (m) => {
      if (m.geometries.size() > 0) withGeometry++;
    });
    const guids = elements.map((e) => api.GetLine(id, e).GlobalId.value as string);
    const georef = readGeoreference(api, id);
    const psetNames = ids(id, WebIFC.IFCPROPERTYSET).map((p) => api.GetLine(id, p).Name.value as string);
    const quantities = ids(id, WebIFC.IFCELEMENTQUANTITY).length;
    const text = new TextDecoder().decode(bytes.subarray(0, 2000));
    return {
      bytes,
      elements,
      withGeometry,
      guids,
      georef,
      psetNames,
      quantities,
      text,
      schema: api.GetModelSchema(id),
    };
  } finally {
    api.CloseModel(id);
  }
}

describe('generateDemoBuilding', () => {
  // 24 x 16 m, 3 x 2 bays: grid x = -12,-4,4,12 and y = -8,0,8; core 8 x 5.33 m holds no grid node (|x| < 4 fails).
  const house: DemoBuildingOptions = {
    name: 'Demo house',
    lon: 120.4012,
    lat: 36.0675,
    height: 4.5,
    headingDeg: 12,
    storeys: 3,
    widthM: 24,
    depthM: 16,
    baysX: 3,
    baysY: 2,
  };
  let r: ReturnType<typeof roundTrip>;
  beforeAll(() => {
    r = roundTrip(house);
  });

  it('writes IFC4 that reopens with every element, each with geometry', () => {
    expect(r.schema).toBe('IFC4');
    expect(r.text).toMatch(/FILE_SCHEMA\(\('IFC4'\)\)/);
    expect(r.elements.length).toBe(expectedCount({ storeys: 3, baysX: 3, baysY: 2, columnsInCore: 0 }));
    expect(r.withGeometry).toBe(r.elements.length);
  });

  it('is georeferenced: map conversion in CGCS2000 GK CM 120E gives back the place within 0.5 m and the heading within 0.1°', () => {
    expect(r.georef.source).toBe('map_conversion');
    expect(r.georef.epsg).toBe(4549);
    expect(distanceM({ lon: r.georef.lon, lat: r.georef.lat }, { lon: house.lon, lat: house.lat })).toBeLessThan(0.5);
    expect(Math.abs(normalizeDeg180(r.georef.headingDeg - 12))).toBeLessThan(0.1);
    expect(r.georef.height).toBeCloseTo(4.5, 6);
    // The IfcSite RefLatitude/RefLongitude say the same place, so no "twice" warning.
    expect(r.georef.warnings).toEqual([]);
  });

  it('gives unique, well-formed GlobalIds that depend only on the seed and the element key', () => {
    expect(new Set(r.guids).size).toBe(r.guids.length);
    for (const g of r.guids) expect(decodeIfcGuid(g)).toHaveLength(16);
    expect(r.guids).toContain(demoGlobalId('Demo house', 'column/2/1/1'));
    expect(r.guids).toContain(demoGlobalId('Demo house', 'window/0/E/1'));
    expect(r.guids).toContain(demoGlobalId('Demo house', 'core/1/3'));
    expect(r.guids).not.toContain(demoGlobalId('Demo house', 'column/3/0/0')); // only storeys 0..2
    const again = roundTrip(house);
    expect(again.guids.slice().sort()).toEqual(r.guids.slice().sort());
    expect(roundTrip({ ...house, seed: 'other' }).guids.some((g) => r.guids.includes(g))).toBe(false);
  });

  it('carries property sets and one quantity set per element', () => {
    for (const name of ['Pset_WallCommon', 'Pset_ColumnCommon', 'Pset_SlabCommon', 'Pset_WindowCommon'])
      expect(r.psetNames).toContain(name);
    expect(r.quantities).toBe(r.elements.length);
  });

  it('places other headings and a UTM zone outside China just as well', () => {
    for (const [lon, lat, headingDeg] of [
      [120.3781, 36.1715, -20],
      [120.2152, 35.9655, 35],
      [8.4337, 49.0956, 170],
    ] as const) {
      const g = roundTrip({ name: `h${headingDeg}`, lon, lat, headingDeg, storeys: 1, widthM: 12, depthM: 10 }).georef;
      expect(distanceM({ lon: g.lon, lat: g.lat }, { lon, lat })).toBeLessThan(0.5);
      expect(Math.abs(normalizeDeg180(g.headingDeg - headingDeg))).toBeLessThan(0.1);
      expect(g.epsg).toBe(lon < 70 ? 32632 : 4549);
    }
  });

  it('leaves columns out of the core', () => {
    // 40 x 30 m, 5 x 5 bays: nodes at x = -20,-12,-4,4,12,20 and y = -15,-9,-3,3,9,15; core 8 x 6 m: none inside
    // (|x| < 4 and |y| < 3 both fail). With 4 x 4 bays (x = -20,-10,0,10,20; y = -15,-7.5,0,7.5,15) one node, (0,0), is.
    const a = roundTrip({ name: 'a', lon: 120.4, lat: 36.1, storeys: 1, widthM: 40, depthM: 30, baysX: 4, baysY: 4 });
    expect(a.elements.length).toBe(expectedCount({ storeys: 1, baysX: 4, baysY: 4, columnsInCore: 1 }));
  });

  it('refuses impossible sizes with a RangeError that names the parameter', () => {
    expect(() => generateDemoBuilding({ ...house, storeys: 0 })).toThrow(/storeys/);
    expect(() => generateDemoBuilding({ ...house, widthM: 2 })).toThrow(/widthM/);
    expect(() => generateDemoBuilding({ ...house, baysX: 40 })).toThrow(/bays/);
  });

  it('writes compound angles IFC readers sum back to the degree', () => {
    for (const d of [36.0675, -87.6394, 120.4012, 0.5, -0.0001]) {
      const [a, b, c, u] = toCompoundAngle(d);
      expect(a + b / 60 + c / 3600 + u / 3.6e9).toBeCloseTo(d, 9);
      expect([a, b, c, u].every((v) => v === 0 || Math.sign(v) === Math.sign(d))).toBe(true);
    }
  });
});

describe('DEMO_MODELS', () => {
  it('gives every demo project a building inside its red line, as tall as planned', () => {
    expect(DEMO_MODELS).toHaveLength(DEMO_PROJECTS.length);
    DEMO_MODELS.forEach((m, i) => {
      const p = DEMO_PROJECTS[i]!;
      expect(m).toMatchObject({ name: p.name, lon: p.lon, lat: p.lat, headingDeg: p.headingDeg });
      expect(m.widthM).toBeLessThan(p.widthM);
      expect(m.depthM).toBeLessThan(p.depthM);
      expect(Math.abs(m.storeys * (m.storeyHeightM ?? 3.6) - p.heightM)).toBeLessThanOrEqual(1.8 + 1e-9); // half a storey
    });
  });

  it('the smallest demo model round-trips with its place and heading', () => {
    const m = DEMO_MODELS.reduce((a, b) => (a.storeys * a.widthM < b.storeys * b.widthM ? a : b));
    const r = roundTrip(m);
    expect(r.withGeometry).toBe(r.elements.length);
    expect(distanceM({ lon: r.georef.lon, lat: r.georef.lat }, { lon: m.lon, lat: m.lat })).toBeLessThan(0.5);
    expect(Math.abs(normalizeDeg180(r.georef.headingDeg - (m.headingDeg ?? 0)))).toBeLessThan(0.1);
  });
});
