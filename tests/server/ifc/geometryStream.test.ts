import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlatMesh } from 'web-ifc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversionStage } from '../../../models/BimModel.js';
import { convertIfc } from '../../../server/ifc/pipeline/convert.js';
import { generateDemoBuilding } from '../../../server/ifc/pipeline/demoBuilding.js';
import { GEOMETRY_SLICE, streamedProductIds } from '../../../server/ifc/pipeline/geometry.js';
import { createIfcApi, openModel, type IfcAPI } from '../../../server/ifc/pipeline/webIfc.js';

// The pipeline meshes products through StreamMeshes in slices (so element rows leave while later slices are meshed).
// That must give exactly the meshes web-ifc's own StreamAllMeshes gives: the same products, each with the same
// geometries.
const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'ifc');
const present = existsSync(SHARED);
if (!present) console.warn(`geometryStream: ${SHARED} is absent; only the generated building is checked`);
const listFiles = (dir: string): string[] =>
  readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? listFiles(join(dir, f)) : [join(dir, f)]))
    .filter((f) => /\.ifc$/i.test(f))
    .sort();

let api: IfcAPI;
let tmp: string;
let tower: string;
beforeAll(async () => {
  api = await createIfcApi();
  tmp = mkdtempSync(join(tmpdir(), 'sitetwin-geomstream-'));
  tower = join(tmp, 'tower.ifc');
  writeFileSync(
    tower,
    generateDemoBuilding({ name: 'Slices', lon: 120.4, lat: 36.07, storeys: 14, widthM: 40, depthM: 30 }),
  );
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** expressID:geometry ids of every mesh, sorted. */
function meshes(stream: (cb: (m: FlatMesh) => void) => void): string[] {
  const out: string[] = [];
  stream((m) => {
    const n = m.geometries.size();
    if (n === 0) return;
    const g: number[] = [];
    for (let i = 0; i < n; i++) g.push(m.geometries.get(i).geometryExpressID);
    out.push(`${m.expressID}:${g.join(',')}`);
  });
  return out.sort();
}

describe('geometry slices', () => {
  const files = () => [tower, ...(present ? listFiles(SHARED) : [])];

  it('stream the same products and geometries as StreamAllMeshes, on every shared file and a generated building', () => {
    let checked = 0;
    for (const f of files()) {
      const bytes = readFileSync(f);
      const a = openModel(api, bytes);
      const all = meshes((cb) => api.StreamAllMeshes(a, cb));
      api.CloseModel(a);
      const b = openModel(api, bytes);
      const ids = streamedProductIds(api, b);
      const sliced = meshes((cb) => {
        for (let i = 0; i < ids.length; i += GEOMETRY_SLICE) api.StreamMeshes(b, ids.slice(i, i + GEOMETRY_SLICE), cb);
      });
      api.CloseModel(b);
      expect(sliced, f).toEqual(all);
      checked += all.length;
    }
    expect(checked).toBeGreaterThan(GEOMETRY_SLICE * 2);
  });

  it('let element rows leave before the geometry stage ends', async () => {
    const events: string[] = [];
    let rows = 0;
    const r = await convertIfc(
      { ifcPath: tower, outDir: join(tmp, 'out'), api, skipFragments: true, elementBatch: 100 },
      {
        progress: (stage: ConversionStage, pct: number) => void events.push(`${stage}:${Math.round(pct)}`),
        elements: (b) => {
          rows += b.length;
          events.push(`rows:${b.length}`);
        },
      },
    );
    expect(r.report.elementCount).toBeGreaterThan(GEOMETRY_SLICE * 2);
    expect(rows).toBe(r.report.indexedCount);
    const firstRows = events.findIndex((e) => e.startsWith('rows:'));
    const geometryDone = events.indexOf('geometry:100');
    expect(firstRows).toBeGreaterThan(events.indexOf('geometry:0'));
    // Rows, then more meshing: the first batch went out while products were still being meshed.
    expect(firstRows).toBeLessThan(geometryDone);
    expect(events.slice(firstRows, geometryDone).some((e) => /^geometry:([1-9]|[1-9]\d)$/.test(e))).toBe(true);
  });
});
