import type { SkippedElement } from '../../models/BimModel.js';
import type { IfcAPI } from './webIfc.js';

/**
 * Collects the triangles of every product web-ifc streams, per element and colour, in the model's world frame as
 * web-ifc outputs it (Y up, metres). Positions are kept relative to `origin` (picked from the first vertex) so that
 * Float32 storage never holds large values even for files with absolute (UTM-like) coordinates: the float64 transform
 * happens here, once, and tiles re-centre on their own box later.
 */

/** One colour's triangles of one element. */
export interface ElementPart {
  /** RGBA, sRGB 0..1 as IFC styles give it. */
  color: [number, number, number, number];
  /** xyz per vertex, relative to `GeometryCollection.origin`, Y up. */
  positions: Float32Array;
  normals: Float32Array;
  indices: Uint32Array;
}

/** An element with geometry. */
export interface ElementMesh {
  expressId: number;
  parts: ElementPart[];
  /** Box in the Y-up frame relative to the origin. */
  min: [number, number, number];
  max: [number, number, number];
  triangles: number;
}

export interface GeometryCollection {
  /** Float64 offset (Y-up world) that positions are relative to. */
  origin: [number, number, number];
  elements: ElementMesh[];
  skipped: SkippedElement[];
  /** Distinct products web-ifc streamed (with or without usable triangles). */
  streamed: number;
}

const colorKey = (c: { x: number; y: number; z: number; w: number }) =>
  `${Math.round(c.x * 255)},${Math.round(c.y * 255)},${Math.round(c.z * 255)},${Math.round(c.w * 255)}`;

/** Streams all meshes of an open model. `onMesh` can note progress; `typeName` names a product for the report. */
export function collectGeometry(
  api: IfcAPI,
  modelID: number,
  opts: { onProgress?: (f: number) => void; typeName: (expressId: number) => string },
): GeometryCollection {
  let origin: [number, number, number] | null = null;
  const elements: ElementMesh[] = [];
  const skipped: SkippedElement[] = [];
  let streamed = 0;
  let lastTick = 0;

  api.StreamAllMeshes(modelID, (mesh, index, total) => {
    streamed++;
    const expressId = mesh.expressID;
    try {
      const groups = new Map<string, { color: [number, number, number, number]; pos: number[][]; nrm: number[][]; idx: number[][]; count: number }>();
      const min: [number, number, number] = [Infinity, Infinity, Infinity];
      const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
      let triangles = 0;
      let nonFinite = false;
      const geoms = mesh.geometries;
      for (let g = 0; g < geoms.size(); g++) {
        const placed = geoms.get(g);
        const geo = api.GetGeometry(modelID, placed.geometryExpressID);
        try {
          const v = api.GetVertexArray(geo.GetVertexData(), geo.GetVertexDataSize());
          const ix = api.GetIndexArray(geo.GetIndexData(), geo.GetIndexDataSize());
          if (v.length < 9 || ix.length < 3) continue;
          const m = placed.flatTransformation;
          if (!origin) origin = [Math.round(m[0]! * v[0]! + m[4]! * v[1]! + m[8]! * v[2]! + m[12]!), Math.round(m[1]! * v[0]! + m[5]! * v[1]! + m[9]! * v[2]! + m[13]!), Math.round(m[2]! * v[0]! + m[6]! * v[1]! + m[10]! * v[2]! + m[14]!)];
          const [ox, oy, oz] = origin;
          const nv = v.length / 6;
          const pos = new Array<number>(nv * 3);
          const nrm = new Array<number>(nv * 3);
          for (let k = 0; k < nv; k++) {
            const x = v[k * 6]!, y = v[k * 6 + 1]!, z = v[k * 6 + 2]!;
            const wx = m[0]! * x + m[4]! * y + m[8]! * z + m[12]! - ox;
            const wy = m[1]! * x + m[5]! * y + m[9]! * z + m[13]! - oy;
            const wz = m[2]! * x + m[6]! * y + m[10]! * z + m[14]! - oz;
            if (!Number.isFinite(wx) || !Number.isFinite(wy) || !Number.isFinite(wz)) nonFinite = true;
            pos[k * 3] = wx;
            pos[k * 3 + 1] = wy;
            pos[k * 3 + 2] = wz;
            if (wx < min[0]) min[0] = wx;
            if (wy < min[1]) min[1] = wy;
            if (wz < min[2]) min[2] = wz;
            if (wx > max[0]) max[0] = wx;
            if (wy > max[1]) max[1] = wy;
            if (wz > max[2]) max[2] = wz;
            const a = v[k * 6 + 3]!, b = v[k * 6 + 4]!, c = v[k * 6 + 5]!;
            let nx = m[0]! * a + m[4]! * b + m[8]! * c;
            let ny = m[1]! * a + m[5]! * b + m[9]! * c;
            let nz = m[2]! * a + m[6]! * b + m[10]! * c;
            const len = Math.hypot(nx, ny, nz);
            // Degenerate normals fail glTF validation (they must be unit length): point them up instead.
            if (!(len > 1e-9)) (nx = 0), (ny = 1), (nz = 0);
            else (nx /= len), (ny /= len), (nz /= len);
            nrm[k * 3] = nx;
            nrm[k * 3 + 1] = ny;
            nrm[k * 3 + 2] = nz;
          }
          // An index that points past the vertices would make the GLB invalid: drop the triangle.
          const idx: number[] = [];
          for (let t = 0; t + 2 < ix.length; t += 3) {
            const a = ix[t]!, b = ix[t + 1]!, c = ix[t + 2]!;
            if (a < nv && b < nv && c < nv && a !== b && b !== c && a !== c) idx.push(a, b, c);
          }
          if (idx.length === 0) continue;
          const key = colorKey(placed.color);
          let grp = groups.get(key);
          if (!grp) groups.set(key, (grp = { color: [placed.color.x, placed.color.y, placed.color.z, placed.color.w], pos: [], nrm: [], idx: [], count: 0 }));
          grp.pos.push(pos);
          grp.nrm.push(nrm);
          grp.idx.push(idx.map((i) => i + grp!.count));
          grp.count += nv;
          triangles += idx.length / 3;
        } finally {
          geo.delete();
        }
      }
      if (nonFinite) throw new Error('non-finite coordinates');
      if (triangles === 0) {
        skipped.push({ expressId, ifcClass: opts.typeName(expressId), reason: 'no usable triangles (empty or failed geometry)' });
      } else {
        const parts: ElementPart[] = [...groups.values()].map((g) => ({
          color: g.color,
          positions: Float32Array.from(g.pos.flat()),
          normals: Float32Array.from(g.nrm.flat()),
          indices: Uint32Array.from(g.idx.flat()),
        }));
        elements.push({ expressId, parts, min, max, triangles });
      }
    } catch (err) {
      skipped.push({ expressId, ifcClass: opts.typeName(expressId), reason: `geometry error: ${(err as Error).message ?? String(err)}` });
    }
    if (opts.onProgress && (index - lastTick > 50 || index + 1 === total)) {
      lastTick = index;
      opts.onProgress((index + 1) / Math.max(1, total));
    }
  });
  return { origin: origin ?? [0, 0, 0], elements, skipped, streamed };
}
