import type { ElementMesh } from './geometry.js';

/** What a tile's property table says about each feature (element). */
export interface FeatureInfo {
  globalId: string;
  ifcClass: string;
  name: string;
}

/** sRGB (IFC styles) to linear (glTF baseColorFactor). */
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

const encoder = new TextEncoder();

/** A STRING property column: UTF-8 bytes plus UINT32 offsets, as EXT_structural_metadata stores it. */
function stringColumn(values: string[]): { values: Uint8Array; offsets: Uint8Array } {
  // Only ASCII (GlobalIds, IFC classes, most names): a character is a byte, so the offsets are the lengths and the
  // bytes one latin-1 write of the joined text, instead of an encode and a copy per string.
  const joined = values.join('');
  if (!/[^\x00-\x7f]/.test(joined)) {
    const offsets = new Uint32Array(values.length + 1);
    let total = 0;
    for (let i = 0; i < values.length; i++) {
      offsets[i] = total;
      total += values[i]!.length;
    }
    offsets[values.length] = total;
    const out = new Uint8Array(total);
    Buffer.from(out.buffer, out.byteOffset, total).write(joined, 0, total, 'latin1');
    return { values: out, offsets: new Uint8Array(offsets.buffer) };
  }
  const parts = values.map((v) => encoder.encode(v));
  const offsets = new Uint32Array(parts.length + 1);
  let total = 0;
  parts.forEach((p, i) => {
    offsets[i] = total;
    total += p.length;
  });
  offsets[parts.length] = total;
  const out = new Uint8Array(total);
  parts.forEach((p, i) => out.set(p, offsets[i]!));
  return { values: out, offsets: new Uint8Array(offsets.buffer) };
}

/** glTF-Transform's MathUtils.eq: equal within 1e-5 per component (what decides a default value is left out). */
const near = (a: number[], b: number[]) => a.every((x, i) => !(Math.abs(x - b[i]!) > 1e-5));
const pad4 = (n: number) => (n + 3) & ~3;

const FLOAT = 5126;
const UNSIGNED_SHORT = 5123;
const UNSIGNED_INT = 5125;
const ARRAY_BUFFER = 34962;
const ELEMENT_ARRAY_BUFFER = 34963;
/** Interleaved vertex: POSITION (3 floats), NORMAL (3 floats), _FEATURE_ID_0 (1 float). */
const STRIDE_FLOATS = 7;

/**
 * Writes one tile's GLB: the elements' triangles merged per colour (one primitive per material, not a node per
 * element), each vertex tagged with its element's feature id (EXT_mesh_features) pointing into a property table of
 * GlobalId, IFC class and name (EXT_structural_metadata). Positions are written relative to `center` (Y-up, the same
 * frame as the elements), and the scene's one node is translated by `origin + center` (float64 in the JSON), so float32
 * only ever holds small offsets.
 *
 * The bytes are those glTF-Transform 4.5's NodeIO.writeBinary gives for the same document (interleaved vertex
 * attributes per primitive, the indices of all primitives in one buffer view after the first primitive's vertices, the
 * property table's columns last; the JSON in its key order): tests/server/ifc/glb.test.ts compares the two. Written here
 * directly because building the glTF-Transform document and its writer's per-component DataView interleaving were
 * most of the tiles stage.
 */
export async function writeTileGlb(
  elements: ElementMesh[],
  features: FeatureInfo[],
  center: [number, number, number],
  origin: [number, number, number],
): Promise<Uint8Array> {
  // Merge per colour across elements.
  const byColor = new Map<
    string,
    {
      color: [number, number, number, number];
      chunks: { featureId: number; p: Float32Array; n: Float32Array; i: Uint32Array }[];
      verts: number;
      idx: number;
    }
  >();
  elements.forEach((el, featureId) => {
    for (const part of el.parts) {
      const c = part.color;
      const key = `${Math.round(c[0] * 255)},${Math.round(c[1] * 255)},${Math.round(c[2] * 255)},${Math.round(c[3] * 255)}`;
      let g = byColor.get(key);
      if (!g) byColor.set(key, (g = { color: part.color, chunks: [], verts: 0, idx: 0 }));
      g.chunks.push({ featureId, p: part.positions, n: part.normals, i: part.indices });
      g.verts += part.positions.length / 3;
      g.idx += part.indices.length;
    }
  });

  const groups = [...byColor];
  const G = groups.length;
  // Buffer layout: [vertices of primitive 0][indices of every primitive][vertices of primitive 1]...[columns].
  const vertexBytes = groups.map(([, g]) => g.verts * STRIDE_FLOATS * 4);
  const indexBytes = groups.map(([, g]) => pad4(g.idx * (g.verts > 65535 ? 4 : 2)));
  const indexTotal = indexBytes.reduce((s, b) => s + b, 0);
  const columns: { key: 'globalId' | 'ifcClass' | 'name'; values: Uint8Array; offsets: Uint8Array }[] = [];
  for (const key of ['globalId', 'ifcClass', 'name'] as const) {
    const col = stringColumn(features.map((f) => f[key]));
    // A buffer view cannot be empty: a column of only empty strings (no element named) is left out, and readers fall
    // back to the class property's default, ''.
    if (col.values.length > 0) columns.push({ key, ...col });
  }
  let accessorBytes = indexTotal;
  for (const b of vertexBytes) accessorBytes += b;
  let binLength = accessorBytes;
  for (const c of columns) binLength += c.values.byteLength + c.offsets.byteLength;
  const bin = new Uint8Array(pad4(binLength));
  const binF32 = new Float32Array(bin.buffer, 0, accessorBytes >> 2);

  type Json = Record<string, unknown>;
  const accessors: Json[] = [];
  const bufferViews: Json[] = [];
  const materials: Json[] = [];
  const primitives: Json[] = [];
  const vertexAccessorAt: number[] = [];
  const indexAccessorAt: number[] = [];
  const attributeAccessors = (gi: number, count: number, min: number[], max: number[]) => {
    vertexAccessorAt[gi] = accessors.length;
    const view = bufferViews.length;
    accessors.push(
      { type: 'VEC3', componentType: FLOAT, count, max, min, bufferView: view, byteOffset: 0 },
      { type: 'VEC3', componentType: FLOAT, count, bufferView: view, byteOffset: 12 },
      { type: 'SCALAR', componentType: FLOAT, count, bufferView: view, byteOffset: 24 },
    );
  };

  let at = 0;
  const vertexViewAt: number[] = [];
  for (let gi = 0; gi < G; gi++) {
    const g = groups[gi]![1];
    // Interleaved vertices, straight into the binary chunk.
    const base = at >> 2;
    let minX = Infinity,
      minY = Infinity,
      minZ = Infinity,
      maxX = -Infinity,
      maxY = -Infinity,
      maxZ = -Infinity;
    let v = 0;
    for (const c of g.chunks) {
      const nv = c.p.length / 3;
      const p = c.p;
      const n = c.n;
      const fid = c.featureId;
      for (let j = 0, o = base + v * STRIDE_FLOATS; j < nv; j++, o += STRIDE_FLOATS) {
        binF32[o] = p[j * 3]! - center[0];
        binF32[o + 1] = p[j * 3 + 1]! - center[1];
        binF32[o + 2] = p[j * 3 + 2]! - center[2];
        // The float32 values as the accessor holds them (its min / max are of those).
        const x = binF32[o]!,
          y = binF32[o + 1]!,
          z = binF32[o + 2]!;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        if (z < minZ) minZ = z;
        if (z > maxZ) maxZ = z;
        binF32[o + 3] = n[j * 3]!;
        binF32[o + 4] = n[j * 3 + 1]!;
        binF32[o + 5] = n[j * 3 + 2]!;
        binF32[o + 6] = fid;
      }
      v += nv;
    }
    vertexViewAt[gi] = at;
    attributeAccessors(gi, g.verts, [minX, minY, minZ], [maxX, maxY, maxZ]);
    bufferViews.push({
      buffer: 0,
      byteOffset: at,
      byteLength: vertexBytes[gi]!,
      byteStride: STRIDE_FLOATS * 4,
      target: ARRAY_BUFFER,
    });
    at += vertexBytes[gi]!;
    if (gi === 0) {
      // Every primitive's indices, in one view.
      const view = bufferViews.length;
      let off = 0;
      for (let k = 0; k < G; k++) {
        const h = groups[k]![1];
        const wide = h.verts > 65535;
        const idx = wide ? new Uint32Array(bin.buffer, at + off, h.idx) : new Uint16Array(bin.buffer, at + off, h.idx);
        let w = 0;
        let vb = 0;
        for (const c of h.chunks) {
          const ci = c.i;
          for (let j = 0; j < ci.length; j++) idx[w + j] = ci[j]! + vb;
          vb += c.p.length / 3;
          w += ci.length;
        }
        indexAccessorAt[k] = accessors.length;
        accessors.push({
          type: 'SCALAR',
          componentType: wide ? UNSIGNED_INT : UNSIGNED_SHORT,
          count: h.idx,
          bufferView: view,
          byteOffset: off,
        });
        off += indexBytes[k]!;
      }
      bufferViews.push({ buffer: 0, byteOffset: at, byteLength: indexTotal, target: ELEMENT_ARRAY_BUFFER });
      at += indexTotal;
    }
  }
  // The property table's columns: values and offsets of each, unpadded.
  const columnViews: Record<string, { values: number; stringOffsets: number; stringOffsetType: 'UINT32' }> = {};
  for (const c of columns) {
    const values = bufferViews.length;
    bin.set(c.values, at);
    bufferViews.push({ buffer: 0, byteOffset: at, byteLength: c.values.byteLength });
    at += c.values.byteLength;
    bin.set(c.offsets, at);
    bufferViews.push({ buffer: 0, byteOffset: at, byteLength: c.offsets.byteLength });
    at += c.offsets.byteLength;
    columnViews[c.key] = { values, stringOffsets: values + 1, stringOffsetType: 'UINT32' };
  }

  for (let gi = 0; gi < G; gi++) {
    const [key, g] = groups[gi]!;
    const [r, gg, b, a] = g.color;
    const factor = [toLinear(r), toLinear(gg), toLinear(b), a];
    const pbr: Json = {};
    if (!near(factor, [1, 1, 1, 1])) pbr.baseColorFactor = factor;
    pbr.roughnessFactor = 0.9;
    pbr.metallicFactor = 0;
    materials.push({
      name: `c${key}`,
      ...(a < 0.999 ? { alphaMode: 'BLEND' } : {}),
      // IFC exporters do not agree on winding: draw both faces rather than lose walls.
      doubleSided: true,
      pbrMetallicRoughness: pbr,
    });
    const va = vertexAccessorAt[gi]!;
    primitives.push({
      attributes: { POSITION: va, NORMAL: va + 1, _FEATURE_ID_0: va + 2 },
      mode: 4,
      material: gi,
      indices: indexAccessorAt[gi]!,
      extensions: {
        EXT_mesh_features: { featureIds: [{ featureCount: features.length, attribute: 0, propertyTable: 0 }] },
      },
    });
  }
  const translation = [origin[0] + center[0], origin[1] + center[1], origin[2] + center[2]];
  const json = {
    asset: { generator: 'Site Twin IFC pipeline', version: '2.0' },
    ...(accessors.length ? { accessors } : {}),
    ...(bufferViews.length ? { bufferViews } : {}),
    buffers: [{ byteLength: binLength }],
    ...(materials.length ? { materials } : {}),
    meshes: [{ primitives }],
    nodes: [{ name: 'tile', ...(near(translation, [0, 0, 0]) ? {} : { translation }), mesh: 0 }],
    scenes: [{ name: 'tile', nodes: [0] }],
    scene: 0,
    extensionsUsed: ['EXT_mesh_features', 'EXT_structural_metadata'],
    extensions: {
      EXT_structural_metadata: {
        schema: {
          id: 'SiteTwinIfc',
          classes: {
            element: {
              properties: {
                globalId: { type: 'STRING', required: true, default: '' },
                ifcClass: { type: 'STRING', required: true, default: '' },
                name: { type: 'STRING', default: '' },
              },
            },
          },
        },
        propertyTables: [{ class: 'element', count: features.length, properties: columnViews }],
      },
    },
  };
  const text = encoder.encode(JSON.stringify(json));
  const jsonLength = pad4(text.byteLength);
  const out = new Uint8Array(12 + 8 + jsonLength + (binLength ? 8 + bin.byteLength : 0));
  const head = new DataView(out.buffer);
  head.setUint32(0, 0x46546c67, true); // glTF
  head.setUint32(4, 2, true);
  head.setUint32(8, out.byteLength, true);
  head.setUint32(12, jsonLength, true);
  head.setUint32(16, 0x4e4f534a, true); // JSON
  out.set(text, 20);
  out.fill(32, 20 + text.byteLength, 20 + jsonLength);
  if (binLength) {
    head.setUint32(20 + jsonLength, bin.byteLength, true);
    head.setUint32(24 + jsonLength, 0x004e4942, true); // BIN
    out.set(bin, 28 + jsonLength);
  }
  return out;
}
