import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { NodeIO } from '@gltf-transform/core';
import { EXTMeshFeatures, EXTStructuralMetadata } from '@gltf-transform/extensions';
import { WebIFC, type IfcAPI } from '../../../server/ifc/pipeline/webIfc.js';

/**
 * Independent expectations for converted models, computed straight from web-ifc and the IFC text rather than from the
 * pipeline's own code: the count of products with geometry, where the file says its origin or site is, and what the
 * GLBs hold.
 */

/** web-ifc's own count of products with geometry: products StreamAllMeshes yields with at least one triangle. */
export function rawProductsWithGeometry(api: IfcAPI, modelID: number): number {
  let n = 0;
  api.StreamAllMeshes(modelID, (mesh) => {
    let tris = 0;
    for (let i = 0; i < mesh.geometries.size(); i++) {
      const g = api.GetGeometry(modelID, mesh.geometries.get(i).geometryExpressID);
      tris += g.GetIndexDataSize() / 3;
      g.delete();
    }
    if (tris > 0) n++;
  });
  return n;
}

const v = (x: any) => (x && typeof x === 'object' && 'value' in x ? x.value : x);

type M = number[]; // column-major 4x4
const mul = (a: M, b: M): M => {
  const o = new Array(16).fill(0);
  for (let c = 0; c < 4; c++)
    for (let r = 0; r < 4; r++) for (let k = 0; k < 4; k++) o[c * 4 + r] += a[k * 4 + r]! * b[c * 4 + k]!;
  return o;
};
const unit = (d: number[]) => {
  const l = Math.hypot(d[0]!, d[1]!, d[2]!);
  return d.map((x) => x / l);
};

/** The world matrix of an IfcLocalPlacement chain, in file units (IfcAxis2Placement3D only, as the test files use). */
export function placementMatrix(api: IfcAPI, modelID: number, placementId: number | null, depth = 0): M {
  const I = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  if (placementId === null || depth > 50) return I;
  const lp = api.GetLine(modelID, placementId);
  const parent = lp.PlacementRelTo ? placementMatrix(api, modelID, v(lp.PlacementRelTo), depth + 1) : I;
  const ap = api.GetLine(modelID, v(lp.RelativePlacement));
  const loc = (api.GetLine(modelID, v(ap.Location)).Coordinates as any[]).map(v).map(Number);
  const z = ap.Axis ? unit((api.GetLine(modelID, v(ap.Axis)).DirectionRatios as any[]).map(v).map(Number)) : [0, 0, 1];
  let x = ap.RefDirection
    ? unit((api.GetLine(modelID, v(ap.RefDirection)).DirectionRatios as any[]).map(v).map(Number))
    : [1, 0, 0];
  const dot = x[0]! * z[0]! + x[1]! * z[1]! + x[2]! * z[2]!;
  x = unit([x[0]! - dot * z[0]!, x[1]! - dot * z[1]!, x[2]! - dot * z[2]!]);
  const y = [z[1]! * x[2]! - z[2]! * x[1]!, z[2]! * x[0]! - z[0]! * x[2]!, z[0]! * x[1]! - z[1]! * x[0]!];
  const local = [...x, 0, ...y, 0, ...z, 0, loc[0] ?? 0, loc[1] ?? 0, loc[2] ?? 0, 1];
  return mul(parent, local);
}

const dms = (raw: any) => {
  // IfcCompoundPlaneAngleMeasure arrives as a plain list or wrapped in { value: [...] }.
  const a: any[] | null = Array.isArray(raw) ? raw : Array.isArray(raw?.value) ? raw.value : null;
  if (!a || a.length < 3) return null;
  const p = a.map(v).map(Number);
  const sign = p.some((x) => x < 0) ? -1 : 1;
  return sign * (Math.abs(p[0]!) + Math.abs(p[1]!) / 60 + Math.abs(p[2]!) / 3600 + Math.abs(p[3] ?? 0) / 3.6e9);
};

/** What an IFC says about its place, read directly from its entities. */
export interface FilePlacement {
  map: { eastings: number; northings: number; height: number; crsName: string } | null;
  site: { lon: number; lat: number; elevation: number; originWorld: [number, number, number] } | null;
}

export function filePlacement(api: IfcAPI, modelID: number, lengthUnitM: number): FilePlacement {
  let map: FilePlacement['map'] = null;
  const mc = api.GetLineIDsWithType(modelID, WebIFC.IFCMAPCONVERSION);
  if (mc.size() > 0) {
    const m = api.GetLine(modelID, mc.get(0));
    const crs = api.GetLine(modelID, v(m.TargetCRS));
    map = {
      eastings: Number(v(m.Eastings)),
      northings: Number(v(m.Northings)),
      height: Number(v(m.OrthogonalHeight)),
      crsName: String(v(crs.Name)),
    };
  }
  let site: FilePlacement['site'] = null;
  const sites = api.GetLineIDsWithType(modelID, WebIFC.IFCSITE);
  if (sites.size() > 0) {
    const s = api.GetLine(modelID, sites.get(0));
    const lat = dms(s.RefLatitude);
    const lon = dms(s.RefLongitude);
    if (lat !== null && lon !== null) {
      const w = placementMatrix(api, modelID, s.ObjectPlacement ? v(s.ObjectPlacement) : null);
      site = {
        lon,
        lat,
        elevation: Number(v(s.RefElevation) ?? 0) * lengthUnitM,
        originWorld: [w[12]! * lengthUnitM, w[13]! * lengthUnitM, w[14]! * lengthUnitM],
      };
    }
  }
  return { map, site };
}

const io = new NodeIO().registerExtensions([EXTMeshFeatures, EXTStructuralMetadata]);

/** Reads a tile GLB: its vertices in the tileset frame (Z up), and its property table's GlobalIds. */
export async function readTileGlb(
  bytes: Uint8Array,
): Promise<{ points: Float64Array; globalIds: string[]; primitives: number; nodes: number }> {
  const doc = await io.readBinary(bytes);
  const out: number[] = [];
  let primitives = 0;
  const nodes = doc.getRoot().listNodes();
  for (const node of nodes) {
    const mesh = node.getMesh();
    if (!mesh) continue;
    const t = node.getTranslation();
    for (const prim of mesh.listPrimitives()) {
      primitives++;
      const p = prim.getAttribute('POSITION')!.getArray()!;
      // glTF Y-up to tileset Z-up: (x, y, z) -> (x, -z, y).
      for (let i = 0; i < p.length; i += 3) out.push(p[i]! + t[0], -(p[i + 2]! + t[2]), p[i + 1]! + t[1]);
    }
  }
  const meta = doc.getRoot().getExtension<any>('EXT_structural_metadata');
  const table = meta?.listPropertyTables()[0];
  const prop = table?.getProperty('globalId');
  const globalIds: string[] = [];
  if (prop) {
    const values: Uint8Array = prop.getValues();
    const offs = new Uint32Array(prop.getStringOffsets().slice().buffer);
    const dec = new TextDecoder();
    for (let i = 0; i + 1 < offs.length; i++) globalIds.push(dec.decode(values.subarray(offs[i], offs[i + 1])));
  }
  return { points: Float64Array.from(out), globalIds, primitives, nodes: nodes.length };
}

/** A static file server over `root` for loaders.gl (which loads by URL). */
export async function staticServer(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const p = normalize(join(root, decodeURIComponent(new URL(req.url!, 'http://x').pathname)));
    if (!p.startsWith(root)) return res.writeHead(403).end();
    try {
      const body = readFileSync(p);
      // No keep-alive: a socket the server times out while undici reuses it would reset a later load.
      res
        .writeHead(200, {
          'content-type': p.endsWith('.json') ? 'application/json' : 'model/gltf-binary',
          connection: 'close',
        })
        .end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
