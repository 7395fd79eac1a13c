import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { load } from '@loaders.gl/core';
import { Tiles3DLoader } from '@loaders.gl/3d-tiles';
import { Tileset3D } from '@loaders.gl/tiles';
import { validateBytes } from 'gltf-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceM, ecefToGeodetic, transformPoint } from '../../../models/geodesy.js';
import { georeferenceMatrix } from '../../../models/Georeference.js';
import { convertIfc, type ConversionResult } from '../../../server/ifc/pipeline/convert.js';
import { projectedToWgs84, parseEpsg } from '../../../server/ifc/pipeline/crs.js';
import { sniffFile } from '../../../server/ifc/pipeline/sniff.js';
import { unzipEntryToFile } from '../../../server/ifc/pipeline/unzip.js';
import { createIfcApi, openModel, WebIFC, type IfcAPI } from '../../../server/ifc/pipeline/webIfc.js';
import type { ElementInput } from '../../../models/BimModel.js';
import type { TreeNode } from '../../../models/BimModel.js';
import { filePlacement, rawProductsWithGeometry, readTileGlb, staticServer } from './ifcExpect.js';
import { expectedPropertySets, productGlobalIds, scanInstances } from './stepScan.js';

const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'ifc');
const present = existsSync(SHARED);
if (!present) console.warn(`convertAll: ${SHARED} is absent; the real-file conversion tests are skipped`);

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? listFiles(join(dir, f)) : [join(dir, f)]))
    .filter((f) => /\.ifc(zip)?$/i.test(f))
    .sort();
}

let api: IfcAPI;
let out: string;
let files: { url: string; close(): Promise<void> };

beforeAll(async () => {
  api = await createIfcApi();
  out = mkdtempSync(join(tmpdir(), 'sitetwin-ifc-'));
  files = await staticServer(out);
});
/** Per file: element rows, the tree's counts added up, products and products given property sets (by the text scan), those found with them. */
const figures: string[] = [];
afterAll(async () => {
  if (figures.length)
    console.info(
      `convertAll: rows / tree sum / products (text) / products with property sets (text) / found with them\n${figures.join('\n')}`,
    );
  await files?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

/** A set key that is a name the file gave (not a definition's class, which the scanner writes in upper case). */
const SETS_BY_NAME = /[a-z]/;

/** Converts a shared file (unpacking a zip first, as the worker does) and returns everything the checks need. */
async function convert(path: string, slug: string) {
  const dir = join(out, slug);
  let ifcPath = path;
  if (/\.ifczip$/i.test(path)) {
    const s = sniffFile(path);
    if (!s.ok || s.kind !== 'ifczip') throw new Error(`not a zip with an IFC: ${JSON.stringify(s)}`);
    ifcPath = join(out, `${slug}.ifc`);
    await unzipEntryToFile(path, s.entry, ifcPath);
  }
  const rows: ElementInput[] = [];
  const stages: string[] = [];
  const result: ConversionResult = await convertIfc(
    { ifcPath, outDir: dir, api, skipFragments: !/AC20|ifczip/i.test(path) },
    {
      progress: (stage) => {
        if (stages.at(-1) !== stage) stages.push(stage);
      },
      elements: (b) => void rows.push(...b),
    },
  );
  return { dir, ifcPath, rows, stages, result };
}

describe.skipIf(!present)('every shared IFC file converts', () => {
  const all = present ? listFiles(SHARED) : [];

  it('finds the shared corpus, including an .ifczip and every schema family', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.some((f) => f.endsWith('.ifczip'))).toBe(true);
  });

  for (const path of all) {
    const name = basename(path);
    it(`${name}: counts, valid GLBs, loadable tileset, placement`, async () => {
      const slug = name.replace(/[^\w.-]/g, '_');
      const { dir, ifcPath, rows, stages, result } = await convert(path, slug);
      const { report, georeference } = result;

      // Element count = web-ifc's own count of products with geometry, on the same file.
      const raw = openModel(api, readFileSync(ifcPath));
      let place;
      // IfcRigidOperation (IFC4X3, geographic target CRS): read straight from the file's line, not through our reader.
      let rigid: { lon: number; lat: number; height: number } | null = null;
      try {
        expect(report.elementCount, name).toBe(rawProductsWithGeometry(api, raw));
        place = filePlacement(api, raw, report.lengthUnitM);
        const ids = api.GetLineIDsWithType(raw, WebIFC.IFCRIGIDOPERATION);
        if (ids.size() > 0) {
          const l = api.GetLine(raw, ids.get(0));
          const num = (v: any) => Number(v?.value ?? v);
          rigid = { lon: num(l.FirstCoordinate), lat: num(l.SecondCoordinate), height: num(l.Height) };
        }
      } finally {
        api.CloseModel(raw);
      }
      expect(rows.length).toBe(report.indexedCount);

      // The tree's counts add up to the element rows (what the element API lists), and each node's count is the number
      // of rows the API gives for `?storey=<its GlobalId>`.
      const nodes: TreeNode[] = [];
      const walk = (n: TreeNode) => (nodes.push(n), n.children.forEach(walk));
      walk(result.tree!);
      const treeSum = nodes.reduce((s, n) => s + n.elementCount, 0);
      expect(treeSum, name).toBe(rows.length);
      const onNode = new Map<string | null, number>();
      for (const r of rows) onNode.set(r.storeyId, (onNode.get(r.storeyId) ?? 0) + 1);
      for (const n of nodes)
        expect(onNode.get(n.globalId) ?? 0, `${name}: ${n.ifcClass} ${n.globalId}`).toBe(n.elementCount);
      expect(new Set(rows.map((r) => r.globalId)).size).toBe(rows.length);

      // Every product the file gives property sets (IfcRelDefinesByProperties, read by an independent text scanner) has
      // a row holding each of those sets with the properties the file names.
      const instances = scanInstances(readFileSync(ifcPath, 'utf8'));
      const expected = expectedPropertySets(instances);
      const byGid = new Map(rows.map((r) => [r.globalId, r]));
      // Every instance the text shows to be a product (a placement or a product shape) is in the index.
      const products = productGlobalIds(instances);
      for (const gid of products)
        expect(byGid.has(gid), `${name}: product ${gid} is not in the element index`).toBe(true);
      let found = 0;
      for (const [gid, e] of expected) {
        const row = byGid.get(gid);
        expect(row, `${name}: ${e.type} ${gid} is not in the element index`).toBeDefined();
        const keys = Object.keys(row!.psets);
        for (const set of e.sets) {
          const key = keys.find((k) =>
            set.key.startsWith('IFC') && !SETS_BY_NAME.test(set.key) ? k.toUpperCase() === set.key : k === set.key,
          );
          expect(key, `${name}: ${e.type} ${gid} lacks ${set.key} (has ${keys.join(', ')})`).toBeDefined();
          if (e.sets.filter((x) => x.key === set.key).length === 1)
            for (const p of set.names) expect(row!.psets[key!], `${name}: ${gid} ${set.key}.${p}`).toHaveProperty([p]);
        }
        found++;
      }
      figures.push(`${name}: ${rows.length} / ${treeSum} / ${products.size} / ${expected.size} / ${found}`);
      expect(rows.filter((r) => r.hasGeometry)).toHaveLength(report.elementCount);
      expect(stages.slice(0, 4)).toEqual(['parse', 'index', 'geometry', 'tiles']);

      // Every GLB passes the Khronos validator with no errors, and carries one feature per element of its tile.
      const tiles = readdirSync(join(dir, 'tiles')).filter((f) => f.endsWith('.glb'));
      expect(tiles.length).toBe(report.tileCount);
      const seen = new Set<string>();
      const box = report.bbox;
      for (const t of tiles) {
        const bytes = new Uint8Array(readFileSync(join(dir, 'tiles', t)));
        const v = await validateBytes(bytes, { maxIssues: 20 });
        expect(v.issues.numErrors, `${name}/${t}: ${JSON.stringify(v.issues.messages.slice(0, 3))}`).toBe(0);
        const glb = await readTileGlb(bytes);
        glb.globalIds.forEach((g) => seen.add(g));
        // The content, once Y-up is turned to Z-up and the node translation added, lies in the model's IFC box (every
        // coordinate checked in a plain loop, one expect per tile: an expect per coordinate cost seconds per file).
        const outside: string[] = [];
        for (let i = 0; i < glb.points.length; i += 3)
          for (let k = 0; k < 3; k++) {
            const v = glb.points[i + k]!;
            if (!(v >= box!.min[k]! - 0.01 && v <= box!.max[k]! + 0.01) && outside.length < 5)
              outside.push(`point ${i / 3} axis ${k}: ${v} outside [${box!.min[k]}, ${box!.max[k]}]`);
          }
        expect(outside, `${name}/${t}: content outside the IFC box`).toEqual([]);
      }
      expect(seen.size).toBeGreaterThanOrEqual(
        Math.min(report.elementCount, new Set(rows.filter((r) => r.hasGeometry).map((r) => r.globalId)).size),
      );

      // The tileset loads with loaders.gl, and so does every tile content.
      const tileset = await load(`${files.url}/${slug}/tiles/tileset.json`, Tiles3DLoader);
      // (+ 0 turns the -0 that JSON drops into 0 on both sides.)
      expect(tileset.root.transform.map((x: number) => x + 0)).toEqual(
        georeferenceMatrix(georeference).map((x) => x + 0),
      );
      const ts = new Tileset3D(tileset, {});
      const stack = [ts.root!];
      let contents = 0;
      while (stack.length) {
        const tile = stack.pop()!;
        if (tile.contentUrl) {
          const c = await load(tile.contentUrl, Tiles3DLoader);
          expect(c.type).toBe('glTF');
          contents++;
        }
        stack.push(...tile.children);
      }
      expect(contents).toBe(report.tileCount);

      // Placement: the IFC origin (map conversion) or the site origin (IfcSite) lands where the file says.
      const m = georeferenceMatrix(georeference);
      const land = (x: number, y: number, z: number) => ecefToGeodetic(...transformPoint(m, x, y, z));
      if (georeference.source === 'map_conversion') {
        expect(place.map).not.toBeNull();
        const epsg = parseEpsg(place.map!.crsName)!;
        const ll = projectedToWgs84(epsg, place.map!.eastings, place.map!.northings);
        const at = land(0, 0, 0);
        expect(distanceM(at, { ...ll, height: place.map!.height }), name).toBeLessThan(0.5);
      } else if (georeference.source === 'rigid_operation') {
        // The file's origin lands on the rigid operation's coordinates (ETRS89 taken as WGS84: they differ by < 1 m).
        expect(rigid, name).not.toBeNull();
        expect(distanceM(land(0, 0, 0), rigid!), name).toBeLessThan(0.5);
      } else if (georeference.source === 'site') {
        expect(place.site).not.toBeNull();
        const s = place.site!;
        const at = land(...s.originWorld);
        expect(distanceM(at, { lon: s.lon, lat: s.lat, height: s.elevation }), name).toBeLessThan(0.5);
      }
      if (/rigid-operation/.test(name)) expect(georeference.source).toBe('rigid_operation');
      if (/AC20/.test(name)) {
        expect(georeference.source).toBe('site');
        expect(report.fragmentsBytes).toBeGreaterThan(1000);
      }
      // AC20 with its Fragments file takes about a minute on a machine shared with other test runs.
    }, 300_000);
  }
});
