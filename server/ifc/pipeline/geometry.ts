import type { SkippedElement } from '../../../models/BimModel.js';
import type { FlatMesh } from 'web-ifc';
import type { KeptGeometry, MeshCache } from './meshCache.js';
import { WebIFC, type IfcAPI } from './webIfc.js';

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

/**
 * The products web-ifc's StreamAllMeshes streams, as their express ids: every IfcElement type of the schema except
 * openings and spaces, in the schema's type order (what web-ifc 0.0.77 does in C++). Streaming them through
 * StreamMeshes in slices gives the same meshes (tests/server/ifc/geometryStream.test.ts checks it on every shared file
 * and the demo tower) and lets the caller act between slices: the element rows of a slice go to the store while the
 * next slice is meshed, instead of all of them after the last mesh. `present` (the types the model holds, when the
 * caller knows them: TwinSession) spares asking web-ifc for the ids of every other type.
 */
export function streamedProductIds(api: IfcAPI, modelID: number, present?: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (const type of streamedTypes(api, modelID)) {
    if (present && !present.has(type)) continue;
    const ids = api.GetLineIDsWithType(modelID, type);
    for (let i = 0, n = ids.size(); i < n; i++) out.push(ids.get(i));
  }
  return out;
}

/**
 * The types {@link streamedProductIds} streams, by schema, in the schema's order: asked of web-ifc (IsIfcElement, one
 * embind call for each of the schema's ~900 types) once per schema and process instead of once per model.
 */
const streamedTypesBySchema = new Map<string, number[]>();
function streamedTypes(api: IfcAPI, modelID: number): number[] {
  const schema = api.GetModelSchema(modelID);
  let types = streamedTypesBySchema.get(schema);
  if (!types) {
    types = api.GetIfcEntityList(modelID).filter((t) => api.IsIfcElement(t) && !NOT_STREAMED.has(t));
    streamedTypesBySchema.set(schema, types);
  }
  return types;
}
const NOT_STREAMED = new Set([WebIFC.IFCOPENINGELEMENT, WebIFC.IFCOPENINGSTANDARDCASE, WebIFC.IFCSPACE]);

/** Products meshed per StreamMeshes call: small enough that a slice's rows leave early, large enough to cost nothing. */
export const GEOMETRY_SLICE = 300;

/**
 * Streams all meshes of an open model, in slices of {@link GEOMETRY_SLICE} products. After each slice, `onSlice` gets
 * the elements and skipped products it added and the origin (fixed from the first vertex on), and is awaited.
 * `onProgress` gets 0..1; `typeName` names a product for the report.
 */
export async function collectGeometry(
  api: IfcAPI,
  modelID: number,
  opts: {
    onProgress?: (f: number) => void;
    typeName: (expressId: number) => string;
    /**
     * A translation web-ifc added to every mesh (a model opened with COORDINATE_TO_ORIGIN: see TwinSession), taken
     * off in float64 so that the meshes are in the file's frame as with the coordinates kept.
     */
    shift?: [number, number, number];
    /** Keep the meshes here, as web-ifc gives them, for the Fragments importer's pass (see TwinSession). */
    keep?: MeshCache;
    /** The types the model holds (TwinSession.presentTypes), when known: see streamedProductIds. */
    present?: ReadonlySet<number>;
    onSlice?: (
      elements: ElementMesh[],
      skipped: SkippedElement[],
      origin: [number, number, number],
    ) => void | Promise<void>;
  },
): Promise<GeometryCollection> {
  let origin: [number, number, number] | null = null;
  const elements: ElementMesh[] = [];
  const skipped: SkippedElement[] = [];
  let streamed = 0;
  let lastTick = 0;
  const ids = streamedProductIds(api, modelID, opts.present);
  const total = ids.length;
  let index = -1;
  const [s0, s1, s2] = opts.shift ?? [0, 0, 0];

  const onMesh = (mesh: FlatMesh) => {
    index++;
    // StreamAllMeshes leaves out products without geometry; StreamMeshes hands them over empty.
    if (mesh.geometries.size() === 0) return;
    streamed++;
    const expressId = mesh.expressID;
    const kept: KeptGeometry[] | null = opts.keep?.wants(expressId) ? [] : null;
    try {
      // Typed arrays all the way: one Float32Array per geometry for positions and normals, a filtered Uint32Array of
      // indices, concatenated per colour at the end (no arrays of numbers, no flat(), no per-index closures).
      const groups = new Map<
        string,
        {
          color: [number, number, number, number];
          chunks: { pos: Float32Array; nrm: Float32Array; idx: Uint32Array }[];
          verts: number;
          idx: number;
        }
      >();
      const min: [number, number, number] = [Infinity, Infinity, Infinity];
      const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
      let minX = Infinity,
        minY = Infinity,
        minZ = Infinity,
        maxX = -Infinity,
        maxY = -Infinity,
        maxZ = -Infinity;
      let triangles = 0;
      let nonFinite = false;
      const geoms = mesh.geometries;
      const ng = geoms.size();
      for (let g = 0; g < ng; g++) {
        const placed = geoms.get(g);
        const geo = api.GetGeometry(modelID, placed.geometryExpressID);
        try {
          const v = api.GetVertexArray(geo.GetVertexData(), geo.GetVertexDataSize());
          const ix = api.GetIndexArray(geo.GetIndexData(), geo.GetIndexDataSize());
          if (kept) {
            const c = placed.color;
            kept.push({
              placed: {
                geometryExpressID: placed.geometryExpressID,
                color: { x: c.x, y: c.y, z: c.z, w: c.w },
                flatTransformation: placed.flatTransformation,
              },
              vertices: v,
              indices: ix,
            });
          }
          if (v.length < 9 || ix.length < 3) continue;
          const m = placed.flatTransformation;
          const m0 = m[0]!,
            m1 = m[1]!,
            m2 = m[2]!,
            m4 = m[4]!,
            m5 = m[5]!,
            m6 = m[6]!,
            m8 = m[8]!,
            m9 = m[9]!,
            m10 = m[10]!,
            m12 = m[12]! - s0,
            m13 = m[13]! - s1,
            m14 = m[14]! - s2;
          if (!origin)
            origin = [
              Math.round(m0 * v[0]! + m4 * v[1]! + m8 * v[2]! + m12),
              Math.round(m1 * v[0]! + m5 * v[1]! + m9 * v[2]! + m13),
              Math.round(m2 * v[0]! + m6 * v[1]! + m10 * v[2]! + m14),
            ];
          // Translation relative to the origin in float64, before anything is stored as float32.
          const tx = m12 - origin[0],
            ty = m13 - origin[1],
            tz = m14 - origin[2];
          const nv = (v.length / 6) | 0;
          const pos = new Float32Array(nv * 3);
          const nrm = new Float32Array(nv * 3);
          for (let k = 0, s = 0, d = 0; k < nv; k++, s += 6, d += 3) {
            const x = v[s]!,
              y = v[s + 1]!,
              z = v[s + 2]!;
            const wx = m0 * x + m4 * y + m8 * z + tx;
            const wy = m1 * x + m5 * y + m9 * z + ty;
            const wz = m2 * x + m6 * y + m10 * z + tz;
            pos[d] = wx;
            pos[d + 1] = wy;
            pos[d + 2] = wz;
            if (wx < minX) minX = wx;
            if (wx > maxX) maxX = wx;
            if (wy < minY) minY = wy;
            if (wy > maxY) maxY = wy;
            if (wz < minZ) minZ = wz;
            if (wz > maxZ) maxZ = wz;
            const a = v[s + 3]!,
              b = v[s + 4]!,
              c = v[s + 5]!;
            let nx = m0 * a + m4 * b + m8 * c;
            let ny = m1 * a + m5 * b + m9 * c;
            let nz = m2 * a + m6 * b + m10 * c;
            const len = Math.sqrt(nx * nx + ny * ny + nz * nz);
            // Degenerate normals fail glTF validation (they must be unit length): point them up instead.
            if (!(len > 1e-9)) ((nx = 0), (ny = 1), (nz = 0));
            else ((nx /= len), (ny /= len), (nz /= len));
            nrm[d] = nx;
            nrm[d + 1] = ny;
            nrm[d + 2] = nz;
          }
          // A NaN never wins a comparison above, so a non-finite coordinate shows in the box (or the box stays empty).
          if (!Number.isFinite(minX + maxX + minY + maxY + minZ + maxZ)) nonFinite = true;
          else
            for (let d = 0; d < pos.length; d++)
              if (pos[d] !== pos[d]) {
                nonFinite = true;
                break;
              }
          // An index that points past the vertices would make the GLB invalid: drop the triangle.
          const idx = new Uint32Array(ix.length - (ix.length % 3));
          let ni = 0;
          for (let t = 0; t + 2 < ix.length; t += 3) {
            const a = ix[t]!,
              b = ix[t + 1]!,
              c = ix[t + 2]!;
            if (a < nv && b < nv && c < nv && a !== b && b !== c && a !== c)
              ((idx[ni] = a), (idx[ni + 1] = b), (idx[ni + 2] = c), (ni += 3));
          }
          if (ni === 0) continue;
          const col = placed.color;
          const key = colorKey(col);
          let grp = groups.get(key);
          if (!grp) groups.set(key, (grp = { color: [col.x, col.y, col.z, col.w], chunks: [], verts: 0, idx: 0 }));
          grp.chunks.push({ pos, nrm, idx: ni === idx.length ? idx : idx.subarray(0, ni) });
          grp.verts += nv;
          grp.idx += ni;
          triangles += ni / 3;
        } finally {
          geo.delete();
        }
      }
      // Every geometry read (a throw above leaves the product to web-ifc in the importer's pass).
      if (kept) opts.keep!.keep(expressId, kept);
      if (nonFinite) throw new Error('non-finite coordinates');
      if (triangles === 0) {
        skipped.push({
          expressId,
          ifcClass: opts.typeName(expressId),
          reason: 'no usable triangles (empty or failed geometry)',
        });
      } else {
        ((min[0] = minX), (min[1] = minY), (min[2] = minZ));
        ((max[0] = maxX), (max[1] = maxY), (max[2] = maxZ));
        const parts: ElementPart[] = [];
        for (const g of groups.values()) {
          if (g.chunks.length === 1) {
            const c = g.chunks[0]!;
            parts.push({ color: g.color, positions: c.pos, normals: c.nrm, indices: c.idx });
            continue;
          }
          const positions = new Float32Array(g.verts * 3);
          const normals = new Float32Array(g.verts * 3);
          const indices = new Uint32Array(g.idx);
          let vb = 0;
          let ib = 0;
          for (const c of g.chunks) {
            positions.set(c.pos, vb * 3);
            normals.set(c.nrm, vb * 3);
            for (let j = 0; j < c.idx.length; j++) indices[ib + j] = c.idx[j]! + vb;
            vb += c.pos.length / 3;
            ib += c.idx.length;
          }
          parts.push({ color: g.color, positions, normals, indices });
        }
        elements.push({ expressId, parts, min, max, triangles });
      }
    } catch (err) {
      skipped.push({
        expressId,
        ifcClass: opts.typeName(expressId),
        reason: `geometry error: ${(err as Error).message ?? String(err)}`,
      });
    }
    if (opts.onProgress && (index - lastTick > 50 || index + 1 === total)) {
      lastTick = index;
      opts.onProgress((index + 1) / Math.max(1, total));
    }
  };
  for (let i = 0; i < total; i += GEOMETRY_SLICE) {
    const e0 = elements.length;
    const s0 = skipped.length;
    api.StreamMeshes(modelID, ids.slice(i, i + GEOMETRY_SLICE), onMesh);
    if (opts.onSlice && (elements.length > e0 || skipped.length > s0))
      await opts.onSlice(elements.slice(e0), skipped.slice(s0), origin ?? [0, 0, 0]);
    // A real turn of the event loop (awaiting a resolved promise is not one): what onSlice sent is written to the
    // channel now, and acknowledgements are read, instead of all of it after the last slice.
    await new Promise<void>((r) => setImmediate(r));
  }
  opts.onProgress?.(1);
  return { origin: origin ?? [0, 0, 0], elements, skipped, streamed };
}
