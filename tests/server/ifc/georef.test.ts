import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import proj4 from 'proj4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceM, modelToGeodetic } from '../../../models/geodesy.js';
import { readGeoreference } from '../../../server/ifc/pipeline/georef.js';
import { StepLines } from '../../../server/ifc/pipeline/stepLines.js';
import { createIfcApi, openModel, type IfcAPI } from '../../../server/ifc/pipeline/webIfc.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SHARED = join(ROOT, '..', 'shared', 'ifc');
const PROJECT = { lon: 120.38, lat: 36.13, height: 0 };

/** Every .ifc under the shared folder (recursively). */
function ifcFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? ifcFiles(p) : f.toLowerCase().endsWith('.ifc') ? [p] : [];
  });
}

/**
 * What the file text says, read with regular expressions and converted with proj strings written here (not the
 * server's CRS table), so the test does not grade the reader with its own arithmetic.
 */
const TEST_PROJ: Record<string, string> = {
  'EPSG:25832': '+proj=utm +zone=32 +ellps=GRS80 +units=m +no_defs',
  'EPSG:3065': '+proj=utm +zone=33 +ellps=GRS80 +units=m +no_defs',
  'EPSG:4549': '+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs',
};
function expectedFromText(text: string): { source: string; lon: number; lat: number } | undefined {
  const mc = /IFCMAPCONVERSION\(\s*#\d+\s*,\s*#(\d+)\s*,\s*([-\d.E+]+)\s*,\s*([-\d.E+]+)/i.exec(text);
  if (mc) {
    const crs = new RegExp(`#${mc[1]}\\s*=\\s*IFCPROJECTEDCRS\\(\\s*'([^']+)'`, 'i').exec(text)!;
    const [lon, lat] = proj4(TEST_PROJ[crs[1]!]!, 'WGS84', [Number(mc[2]), Number(mc[3])]) as [number, number];
    return { source: 'map_conversion', lon, lat };
  }
  const ro =
    /IFCRIGIDOPERATION\([^,]+,[^,]+,\s*IFCPLANEANGLEMEASURE\(([-\d.]+)\)\s*,\s*IFCPLANEANGLEMEASURE\(([-\d.]+)\)/i.exec(
      text,
    );
  if (ro) return { source: 'rigid_operation', lon: Number(ro[1]), lat: Number(ro[2]) };
  const site = siteArgs(text);
  // IfcSite attributes 10 and 11 (0-based 9, 10) are RefLatitude, RefLongitude: '(d,m,s,millionths)' or '$'.
  if (site && site[9]?.startsWith('(') && site[10]?.startsWith('(')) {
    const deg = (s: string) => {
      const [d = 0, m = 0, sec = 0, u = 0] = s
        .replace(/[()\s]/g, '')
        .split(',')
        .map(Number);
      return d + m / 60 + sec / 3600 + u / 3.6e9;
    };
    const lat = deg(site[9]);
    const lon = deg(site[10]);
    if (lat !== 0 || lon !== 0) return { source: 'site', lon, lat };
  }
  return undefined;
}

/** The top-level arguments of the first IFCSITE line, split on commas outside parentheses and quotes. */
function siteArgs(text: string): string[] | undefined {
  const at = text.search(/IFCSITE\s*\(/i);
  if (at < 0) return undefined;
  const args: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = text.indexOf('(', at) + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") quoted = !quoted;
    if (!quoted && c === '(') depth++;
    if (!quoted && c === ')' && depth-- === 0) break;
    if (!quoted && c === ',' && depth === 0) {
      args.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  args.push(cur.trim());
  return args;
}

let api: IfcAPI;
beforeAll(async () => {
  api = await createIfcApi();
});
afterAll(() => api?.Dispose());

function georefOf(text: string | Uint8Array) {
  const id = openModel(api, typeof text === 'string' ? new TextEncoder().encode(text) : text);
  try {
    return readGeoreference(api, id, PROJECT);
  } finally {
    api.CloseModel(id);
  }
}

describe.runIf(existsSync(SHARED))('the shared sample files', () => {
  const files = existsSync(SHARED) ? ifcFiles(SHARED) : [];
  const placed = files.filter((f) =>
    /IFCSITE\(|IFCMAPCONVERSION\(|IFCRIGIDOPERATION\(/i.test(readFileSync(f, 'latin1')),
  );

  it('has the georeferenced samples the README lists', () => {
    expect(placed.length).toBeGreaterThanOrEqual(15);
    for (const name of [
      'geographic-referencing-utm.ifc',
      'geographic-referencing-rigid-operation.ifc',
      'linear-placement-of-signal.ifc',
      'AC20-FZK-Haus.ifc',
    ]) {
      expect(
        placed.some((f) => f.endsWith(name)),
        name,
      ).toBe(true);
    }
  });

  it.each(placed.map((f) => [f.slice(SHARED.length + 1), f]))(
    '%s stands where its text says (0.5 m)',
    (_name, file) => {
      const text = readFileSync(file, 'latin1');
      const g = georefOf(readFileSync(file));
      const want = expectedFromText(text);
      if (!want) {
        expect(g.source).toBe('project');
        expect(g.warnings.join(' ')).toMatch(/no georeference/);
        expect({ lon: g.lon, lat: g.lat }).toEqual({ lon: PROJECT.lon, lat: PROJECT.lat });
        return;
      }
      expect(g.source).toBe(want.source);
      expect(distanceM({ lon: g.lon, lat: g.lat }, want)).toBeLessThan(0.5);
    },
  );

  it.each(files.map((f) => [f.slice(SHARED.length + 1), f]))(
    '%s: the same georeference with the file text (StepLines) as with web-ifc alone',
    (_name, file) => {
      const bytes = readFileSync(file);
      const id = openModel(api, bytes);
      try {
        const step = new StepLines(bytes, api.GetMaxExpressID(id));
        expect(readGeoreference(api, id, PROJECT, step)).toEqual(readGeoreference(api, id, PROJECT));
      } finally {
        api.CloseModel(id);
      }
    },
  );

  it('the UTM sample: map conversion with EPSG, and its IfcSite (49°5\'43.9837", 8°26\'1.2473") agrees, so no "twice" warning', () => {
    const g = georefOf(readFileSync(join(SHARED, 'ifc4x3-samples', 'geographic-referencing-utm.ifc')));
    expect(g.epsg).toBe(25832);
    expect(
      distanceM({ lon: g.lon, lat: g.lat }, { lat: 49 + 5 / 60 + 43.9837 / 3600, lon: 8 + 26 / 60 + 1.2473 / 3600 }),
    ).toBeLessThan(0.5);
    expect(g.warnings.join(' ')).not.toMatch(/twice/);
    // XAxisAbscissa/Ordinate 0.2706/0.9627: +X points 74.3° counter-clockwise from grid east; plus the UTM convergence.
    expect(g.headingDeg).toBeGreaterThan(-76);
    expect(g.headingDeg).toBeLessThan(-73);
  });
});

describe('IFC2X3 ePSet_MapConversion with the file text (StepLines)', () => {
  /**
   * ePSet_MapConversion and ePSet_ProjectedCRS among many other property sets: the projected CRS named through an
   * \X2\ escape (the text reader decodes it), and one set whose name the text reader leaves to web-ifc (\S\).
   */
  function ifc2x3(): { text: string; decoys: number[] } {
    const [e, n] = toGrid(QD.lon, QD.lat);
    const lines = [
      "#1=IFCPROJECT('0YvctVUKr0kugbFTf53O9L',$,'mini',$,$,$,$,(#10),#2);",
      '#2=IFCUNITASSIGNMENT((#3));',
      '#3=IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.);',
      '#4=IFCCARTESIANPOINT((0.,0.,0.));',
      '#5=IFCAXIS2PLACEMENT3D(#4,$,$);',
      "#10=IFCGEOMETRICREPRESENTATIONCONTEXT($,'Model',3,1.E-05,#5,$);",
      `#40=IFCPROPERTYSINGLEVALUE('Eastings',$,IFCLENGTHMEASURE(${e.toFixed(3)}),$);`,
      `#41=IFCPROPERTYSINGLEVALUE('Northings',$,IFCLENGTHMEASURE(${n.toFixed(3)}),$);`,
      "#42=IFCPROPERTYSINGLEVALUE('OrthogonalHeight',$,IFCLENGTHMEASURE(7.5),$);",
      "#43=IFCPROPERTYSINGLEVALUE('Scale',$,IFCREAL(1.),$);",
      "#44=IFCPROPERTYSET('3YvctVUKr0kugbFTf53O9L',$,'ePSet_MapConversion',$,(#40,#41,#42,#43));",
      "#45=IFCPROPERTYSINGLEVALUE('Name',$,IFCLABEL('EPSG:4549'),$);",
      "#46=IFCPROPERTYSET('4YvctVUKr0kugbFTf53O9L',$,'ePSet\\X2\\005F\\X0\\ProjectedCRS',$,(#45));",
      "#47=IFCPROPERTYSINGLEVALUE('Note',$,IFCLABEL('x'),$);",
      "#48=IFCPROPERTYSET('5YvctVUKr0kugbFTf53O9L',$,'Pset_\\S\\D',$,(#47));",
    ];
    const decoys: number[] = [];
    for (let k = 0; k < 50; k++) {
      const id = 100 + k;
      decoys.push(id);
      lines.push(`#${id}=IFCPROPERTYSET('${k}ZvctVUKr0kugbFTf53O9L',$,'Pset_Decoy${k}',$,(#47));`);
    }
    const text = `ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION((''),'2;1');\nFILE_NAME('mini.ifc','2026-01-01T00:00:00',(''),(''),'','','');\nFILE_SCHEMA(('IFC2X3'));\nENDSEC;\nDATA;\n${lines.join('\n')}\nENDSEC;\nEND-ISO-10303-21;\n`;
    return { text, decoys };
  }

  it('reads what web-ifc alone reads, and asks web-ifc only for the sets the text does not rule out', () => {
    const { text, decoys } = ifc2x3();
    const bytes = new TextEncoder().encode(text);
    const id = openModel(api, bytes);
    const asked: number[] = [];
    const getLine = api.GetLine;
    try {
      const alone = readGeoreference(api, id, PROJECT);
      expect(alone.source).toBe('map_conversion');
      expect(alone.epsg).toBe(4549);
      expect(distanceM({ lon: alone.lon, lat: alone.lat }, QD)).toBeLessThan(0.5);
      api.GetLine = function (this: IfcAPI, ...args: Parameters<IfcAPI['GetLine']>) {
        asked.push(args[1]);
        return getLine.apply(this, args);
      };
      const withText = readGeoreference(api, id, PROJECT, new StepLines(bytes, api.GetMaxExpressID(id)));
      expect(withText).toEqual(alone);
      // The two sets it uses, and the one the text reader leaves to web-ifc, are read through web-ifc; no decoy is.
      expect(asked).toEqual(expect.arrayContaining([44, 46, 48]));
      expect(asked.filter((x) => decoys.includes(x))).toEqual([]);
    } finally {
      api.GetLine = getLine;
      api.CloseModel(id);
    }
  });
});

/** A minimal IFC4 file: metres or millimetres, optional map conversion (EPSG:4549), a site at `siteAt` with RefLat/Lon. */
function miniIfc(o: {
  unit: 'METRE' | 'MILLI';
  map?: { e: number; n: number; h: number };
  siteAt: [number, number, number];
  ref?: { lat: string; lon: string };
  trueNorth?: [number, number];
}): string {
  const unit = o.unit === 'METRE' ? 'IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.)' : 'IFCSIUNIT(*,.LENGTHUNIT.,.MILLI.,.METRE.)';
  const lines = [
    "#1=IFCPROJECT('0YvctVUKr0kugbFTf53O9L',$,'mini',$,$,$,$,(#10),#2);",
    '#2=IFCUNITASSIGNMENT((#3));',
    `#3=${unit};`,
    '#4=IFCCARTESIANPOINT((0.,0.,0.));',
    '#5=IFCAXIS2PLACEMENT3D(#4,$,$);',
    `#6=IFCDIRECTION((${(o.trueNorth ?? [0, 1]).map((v) => v.toFixed(12)).join(',')}));`,
    "#10=IFCGEOMETRICREPRESENTATIONCONTEXT($,'Model',3,1.E-05,#5,#6);",
    `#20=IFCCARTESIANPOINT((${o.siteAt.map((v) => v.toFixed(3)).join(',')}));`,
    '#21=IFCAXIS2PLACEMENT3D(#20,$,$);',
    '#22=IFCLOCALPLACEMENT($,#21);',
    `#23=IFCSITE('1YvctVUKr0kugbFTf53O9L',$,'Site',$,$,#22,$,$,.ELEMENT.,${o.ref ? `(${o.ref.lat}),(${o.ref.lon})` : '$,$'},0.,$,$);`,
    "#24=IFCRELAGGREGATES('2YvctVUKr0kugbFTf53O9L',$,$,$,#1,(#23));",
    '#30=IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.);',
    "#31=IFCPROJECTEDCRS('EPSG:4549','CGCS2000 / 3-degree Gauss-Kruger CM 120E','CGCS2000',$,$,$,#30);",
  ];
  if (o.map)
    lines.push(
      `#32=IFCMAPCONVERSION(#10,#31,${o.map.e.toFixed(3)},${o.map.n.toFixed(3)},${o.map.h.toFixed(3)},1.,0.,${o.unit === 'MILLI' ? '0.001' : '1.'});`,
    );
  return `ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION((''),'2;1');\nFILE_NAME('mini.ifc','2026-01-01T00:00:00',(''),(''),'','','');\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n${lines.join('\n')}\nENDSEC;\nEND-ISO-10303-21;\n`;
}

const toGrid = (lon: number, lat: number) => proj4('WGS84', TEST_PROJ['EPSG:4549']!, [lon, lat]) as [number, number];
const QD = { lon: 120.4012, lat: 36.0675 };
const dmsText = (deg: number) => {
  const micro = Math.round(deg * 3.6e9);
  return [
    Math.floor(micro / 3.6e9),
    Math.floor((micro % 3.6e9) / 6e7),
    Math.floor((micro % 6e7) / 1e6),
    micro % 1e6,
  ].join(',');
};

describe('sources, units and doubled georeferences (hand-written files)', () => {
  it('a site placed 10 m east (in millimetres): RefLat/Lon is the site origin, the world origin lies 10 m west of it', () => {
    const g = georefOf(
      miniIfc({ unit: 'MILLI', siteAt: [10_000, 0, 0], ref: { lat: dmsText(QD.lat), lon: dmsText(QD.lon) } }),
    );
    expect(g.source).toBe('site');
    const siteOrigin = modelToGeodetic(g, 10, 0, 0);
    expect(distanceM({ lon: siteOrigin.lon, lat: siteOrigin.lat }, QD)).toBeLessThan(0.01);
    expect(distanceM({ lon: g.lon, lat: g.lat }, QD)).toBeCloseTo(10, 2);
  });

  it('the site heading comes from the context TrueNorth', () => {
    // North turned 30° counter-clockwise from +Y means +Y is 30° clockwise from north.
    const a = (30 * Math.PI) / 180;
    const g = georefOf(
      miniIfc({
        unit: 'METRE',
        siteAt: [0, 0, 0],
        ref: { lat: dmsText(QD.lat), lon: dmsText(QD.lon) },
        trueNorth: [-Math.sin(a), Math.cos(a)],
      }),
    );
    expect(g.headingDeg).toBeCloseTo(30, 6);
  });

  it('a map conversion and a site RefLat/Lon 1 km apart: warns "twice" and uses the map conversion', () => {
    const [e, n] = toGrid(QD.lon, QD.lat);
    const g = georefOf(
      miniIfc({
        unit: 'METRE',
        map: { e, n, h: 12 },
        siteAt: [0, 0, 0],
        ref: { lat: dmsText(QD.lat + 0.009), lon: dmsText(QD.lon) },
      }),
    );
    expect(g.source).toBe('map_conversion');
    expect(g.epsg).toBe(4549);
    expect(distanceM({ lon: g.lon, lat: g.lat }, QD)).toBeLessThan(0.5);
    expect(g.height).toBeCloseTo(12, 6);
    expect(g.warnings.join(' ')).toMatch(
      /georeferenced twice: IfcMapConversion .* \((99\d|10\d\d) m apart\); using IfcMapConversion/,
    );
  });

  it('an absolute site placement (grid coordinates) on top of a map conversion offset: warns "twice"', () => {
    const [e, n] = toGrid(QD.lon, QD.lat);
    const g = georefOf(miniIfc({ unit: 'METRE', map: { e, n, h: 0 }, siteAt: [e, n, 0] }));
    expect(g.source).toBe('map_conversion');
    expect(g.warnings.join(' ')).toMatch(/georeferenced twice: the IfcSite is placed \d+\.\d km from the world origin/);
  });

  it('a site with 0,0 and no other source: project fallback with warnings', () => {
    const g = georefOf(miniIfc({ unit: 'METRE', siteAt: [0, 0, 0], ref: { lat: '0,0,0', lon: '0,0,0' } }));
    expect(g).toMatchObject({ source: 'project', lon: PROJECT.lon, lat: PROJECT.lat, headingDeg: 0 });
    expect(g.warnings).toHaveLength(2);
  });

  it('no georeference and no fallback: 0,0 with a warning, never a throw', () => {
    const id = openModel(api, new TextEncoder().encode(miniIfc({ unit: 'METRE', siteAt: [0, 0, 0] })));
    try {
      const g = readGeoreference(api, id);
      expect(g).toMatchObject({ source: 'project', lon: 0, lat: 0 });
      expect(g.warnings[0]).toMatch(/set the georeference by hand/);
    } finally {
      api.CloseModel(id);
    }
  });
});
