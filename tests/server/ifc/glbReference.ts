import { Document, NodeIO, type Material } from '@gltf-transform/core';
import { EXTMeshFeatures, EXTStructuralMetadata } from '@gltf-transform/extensions';
import type { ElementMesh } from '../../../server/ifc/pipeline/geometry.js';

import type { FeatureInfo } from '../../../server/ifc/pipeline/glb.js';

/** sRGB (IFC styles) to linear (glTF baseColorFactor). */
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

const encoder = new TextEncoder();

/** A STRING property column: UTF-8 bytes plus UINT32 offsets, as EXT_structural_metadata stores it. */
function stringColumn(values: string[]): { values: Uint8Array; offsets: Uint8Array } {
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

const io = new NodeIO().registerExtensions([EXTMeshFeatures, EXTStructuralMetadata]);

/**
 * The tile GLB writer as it was up to 2026-12-07, through a glTF-Transform document and NodeIO.writeBinary: the
 * reference server/ifc/pipeline/glb.ts must give the same bytes as (tests/server/ifc/glb.test.ts).
 *
 * Writes one tile's GLB: the elements' triangles merged per colour (one primitive per material, not a node per
 * element), each vertex tagged with its element's feature id (EXT_mesh_features) pointing into a property table of
 * GlobalId, IFC class and name (EXT_structural_metadata). Positions are written relative to `center` (Y-up, the same
 * frame as the elements), and the scene's one node is translated by `origin + center` (float64 in the JSON), so float32
 * only ever holds small offsets.
 */
export async function referenceTileGlb(
  elements: ElementMesh[],
  features: FeatureInfo[],
  center: [number, number, number],
  origin: [number, number, number],
): Promise<Uint8Array> {
  const doc = new Document();
  doc.getRoot().getAsset().generator = 'Site Twin IFC pipeline';
  const buffer = doc.createBuffer();
  const meshFeatures = doc.createExtension(EXTMeshFeatures);
  const metadataExt = doc.createExtension(EXTStructuralMetadata);

  // Metadata schema and the tile's property table.
  const schema = metadataExt.createSchema().setId('SiteTwinIfc');
  const cls = metadataExt.createClass();
  for (const key of ['globalId', 'ifcClass', 'name'] as const)
    cls.setProperty(
      key,
      metadataExt
        .createClassProperty()
        .setType('STRING')
        .setRequired(key !== 'name')
        .setDefault(''),
    );
  schema.setClass('element', cls);
  const table = metadataExt.createPropertyTable().setClass('element').setCount(features.length);
  for (const key of ['globalId', 'ifcClass', 'name'] as const) {
    const col = stringColumn(features.map((f) => f[key]));
    // A buffer view cannot be empty: a column of only empty strings (no element named) is left out, and readers fall
    // back to the class property's default, ''.
    if (col.values.length === 0) continue;
    table.setProperty(
      key,
      metadataExt
        .createPropertyTableProperty()
        .setValues(col.values)
        .setStringOffsets(col.offsets)
        .setStringOffsetType('UINT32'),
    );
  }
  doc
    .getRoot()
    .setExtension(
      'EXT_structural_metadata',
      metadataExt.createStructuralMetadata().setSchema(schema).addPropertyTable(table),
    );

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
      const key = part.color.map((c) => Math.round(c * 255)).join(',');
      let g = byColor.get(key);
      if (!g) byColor.set(key, (g = { color: part.color, chunks: [], verts: 0, idx: 0 }));
      g.chunks.push({ featureId, p: part.positions, n: part.normals, i: part.indices });
      g.verts += part.positions.length / 3;
      g.idx += part.indices.length;
    }
  });

  const mesh = doc.createMesh();
  const materials = new Map<string, Material>();
  for (const [key, g] of byColor) {
    const pos = new Float32Array(g.verts * 3);
    const nrm = new Float32Array(g.verts * 3);
    const fid = new Float32Array(g.verts);
    const idx = g.verts > 65535 ? new Uint32Array(g.idx) : new Uint16Array(g.idx);
    let v = 0;
    let k = 0;
    for (const c of g.chunks) {
      const nv = c.p.length / 3;
      for (let j = 0; j < nv; j++) {
        pos[(v + j) * 3] = c.p[j * 3]! - center[0];
        pos[(v + j) * 3 + 1] = c.p[j * 3 + 1]! - center[1];
        pos[(v + j) * 3 + 2] = c.p[j * 3 + 2]! - center[2];
      }
      nrm.set(c.n, v * 3);
      fid.fill(c.featureId, v, v + nv);
      for (let j = 0; j < c.i.length; j++) idx[k + j] = c.i[j]! + v;
      v += nv;
      k += c.i.length;
    }
    let mat = materials.get(key);
    if (!mat) {
      const [r, gg, b, a] = g.color;
      mat = doc
        .createMaterial(`c${key}`)
        .setBaseColorFactor([toLinear(r), toLinear(gg), toLinear(b), a])
        .setMetallicFactor(0)
        .setRoughnessFactor(0.9)
        // IFC exporters do not agree on winding: draw both faces rather than lose walls.
        .setDoubleSided(true)
        .setAlphaMode(a < 0.999 ? 'BLEND' : 'OPAQUE');
      materials.set(key, mat);
    }
    const featureId = meshFeatures
      .createFeatureID()
      .setFeatureCount(features.length)
      .setAttribute(0)
      .setPropertyTable(table);
    const prim = doc
      .createPrimitive()
      .setMaterial(mat)
      .setAttribute('POSITION', doc.createAccessor().setBuffer(buffer).setType('VEC3').setArray(pos))
      .setAttribute('NORMAL', doc.createAccessor().setBuffer(buffer).setType('VEC3').setArray(nrm))
      .setAttribute('_FEATURE_ID_0', doc.createAccessor().setBuffer(buffer).setType('SCALAR').setArray(fid))
      .setIndices(doc.createAccessor().setBuffer(buffer).setType('SCALAR').setArray(idx))
      .setExtension('EXT_mesh_features', meshFeatures.createFeatures().addFeatureID(featureId));
    mesh.addPrimitive(prim);
  }
  const node = doc
    .createNode('tile')
    .setMesh(mesh)
    .setTranslation([origin[0] + center[0], origin[1] + center[1], origin[2] + center[2]]);
  doc.createScene('tile').addChild(node);
  doc.getRoot().setDefaultScene(doc.getRoot().listScenes()[0]!);
  return io.writeBinary(doc);
}
