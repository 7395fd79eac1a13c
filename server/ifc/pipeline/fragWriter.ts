import {
  BigShellProfile,
  GeomsFbUtils,
  Material,
  Meshes,
  RenderedFaces,
  RepresentationClass,
  Shell,
  ShellType,
  Transform,
} from '@thatopen/fragments';
import type { Builder } from 'flatbuffers';
import type { FlatMesh } from 'web-ifc';
import type { MeshCache } from './meshCache.js';
import {
  offsetsVector,
  pointsVector,
  putTransform,
  smallProfiles,
  smallShell,
  structVector,
  vtableOf,
  zerosInt16Vector,
} from './flatbufferWrites.js';
import { weldCorners } from './pointWelder.js';
import { WebIFC, type IfcAPI } from './webIfc.js';

/**
 * Our own writer of a Fragments file's geometry (its `Meshes` table), from the meshes the map job streamed once
 * (TwinSession.meshes) instead of the IfcImporter's mesh pass (issue 18, "one parse for the whole twin"). The importer
 * still writes the rest of the file (items, GlobalIds, classes, attributes, relations, spatial structure: see
 * fragments.ts); only its geometry pass is replaced.
 *
 * What it writes is what the importer writes with raw shells (brepThreshold 0), made the importer's way
 * (IfcFileReader.load / loadShellGeometry, IfcGeometryProcessor.process, fragments 3.4): an item per product with
 * geometry, placed by its first geometry's transformation without scale (rounded as the importer rounds it), a sample
 * per geometry with the geometry's transformation relative to the item's, and a raw triangle shell per geometry in its
 * own frame with the transformation's scale applied. Differences, none of which the workspace reads: geometries are
 * shared between samples by web-ifc's geometry id and scale and by equal content, bit for bit (the importer compares
 * a hash of the triangles' areas, volume and centre, so it may share a little more), rebars are shells (the importer writes a swept disk when web-ifc has one), and the items' order in
 * `localIds` is the attribute pass's (the importer lists the items with geometry first).
 */

/** One geometry of a product as web-ifc streams it: vertices are xyz + normal per vertex, in the geometry's frame. */
export interface WriterGeometry {
  geometryExpressID: number;
  color: [number, number, number, number];
  /** Column-major 4x4 (web-ifc's flatTransformation). */
  transform: number[];
  vertices: Float32Array;
  indices: Uint32Array;
}

export interface WriterItem {
  expressID: number;
  type: number;
  geometries: WriterGeometry[];
}

/** IfcImporter.geometryProcessSettings.precision: points and boxes are rounded to a micrometre. */
const PRECISION = 1e6;
/** IfcImporter.distanceThreshold: a product placed farther than this (m) from the origin is left out. */
const DISTANCE_THRESHOLD = 1e5;

/**
 * The products the importer streams (`classes`, its order), each meshed once: taken from `cache` (the map job's
 * meshes) where it kept them, meshed by web-ifc otherwise (spaces, openings, annotations: what the map does not draw).
 */
export function collectWriterItems(api: IfcAPI, modelID: number, classes: number[], cache: MeshCache): WriterItem[] {
  const items: WriterItem[] = [];
  const onMesh = (mesh: FlatMesh) => {
    const list = mesh.geometries;
    const n = list.size();
    if (n === 0) return;
    const geometries: WriterGeometry[] = [];
    for (let i = 0; i < n; i++) {
      const p = list.get(i);
      const kept = cache.geometry(p.geometryExpressID);
      let vertices: Float32Array;
      let indices: Uint32Array;
      if (kept) {
        vertices = kept.GetVertexData();
        indices = kept.GetIndexData();
      } else {
        const g = api.GetGeometry(modelID, p.geometryExpressID);
        try {
          vertices = api.GetVertexArray(g.GetVertexData(), g.GetVertexDataSize());
          indices = api.GetIndexArray(g.GetIndexData(), g.GetIndexDataSize());
        } finally {
          g.delete();
        }
      }
      const c = p.color;
      geometries.push({
        geometryExpressID: p.geometryExpressID,
        color: [c.x, c.y, c.z, c.w],
        transform: Array.from(p.flatTransformation),
        vertices,
        indices,
      });
    }
    items.push({ expressID: mesh.expressID, type: api.GetLineType(modelID, mesh.expressID), geometries });
  };
  for (const type of classes) {
    const v = api.GetLineIDsWithType(modelID, type);
    const ids: number[] = [];
    for (let i = 0, n = v.size(); i < n; i++) ids.push(v.get(i));
    if (ids.length) cache.stream(ids, onMesh, (run, cb) => api.StreamMeshes(modelID, run, cb));
  }
  return items;
}

const round = (x: number, p: number) => Math.round(x * p) / p;

/**
 * IfcFileReader.removeScale: the scale of a column-major 4x4 (negative x scale for a mirroring one, as three.js's
 * Matrix4.decompose gives it) and the matrix without it.
 */
function removeScale(e: ArrayLike<number>): { scale: [number, number, number]; rigid: Float64Array } {
  let sx = Math.hypot(e[0]!, e[1]!, e[2]!);
  const sy = Math.hypot(e[4]!, e[5]!, e[6]!);
  const sz = Math.hypot(e[8]!, e[9]!, e[10]!);
  const det =
    e[0]! * (e[5]! * e[10]! - e[9]! * e[6]!) -
    e[4]! * (e[1]! * e[10]! - e[9]! * e[2]!) +
    e[8]! * (e[1]! * e[6]! - e[5]! * e[2]!);
  if (det < 0) sx = -sx;
  const r = new Float64Array(16);
  const ix = sx === 0 ? 0 : 1 / sx;
  const iy = sy === 0 ? 0 : 1 / sy;
  const iz = sz === 0 ? 0 : 1 / sz;
  r[0] = e[0]! * ix;
  r[1] = e[1]! * ix;
  r[2] = e[2]! * ix;
  r[4] = e[4]! * iy;
  r[5] = e[5]! * iy;
  r[6] = e[6]! * iy;
  r[8] = e[8]! * iz;
  r[9] = e[9]! * iz;
  r[10] = e[10]! * iz;
  r[12] = e[12]!;
  r[13] = e[13]!;
  r[14] = e[14]!;
  r[15] = 1;
  return { scale: [sx, sy, sz], rigid: r };
}

/** inverse(a) * b for rigid a (its rotation's inverse is its transpose). */
function relative(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(16);
  // R_a^T * R_b, and R_a^T * (t_b - t_a)
  for (let c = 0; c < 3; c++)
    for (let r = 0; r < 3; r++)
      out[c * 4 + r] = a[r * 4]! * b[c * 4]! + a[r * 4 + 1]! * b[c * 4 + 1]! + a[r * 4 + 2]! * b[c * 4 + 2]!;
  const dx = b[12]! - a[12]!;
  const dy = b[13]! - a[13]!;
  const dz = b[14]! - a[14]!;
  for (let r = 0; r < 3; r++) out[12 + r] = a[r * 4]! * dx + a[r * 4 + 1]! * dy + a[r * 4 + 2]! * dz;
  out[15] = 1;
  return out;
}

/** IfcFileReader.decompose: position and x / y directions, rounded as the importer rounds them. */
function decompose(e: ArrayLike<number>): number[] {
  const p = 1e3;
  const ap = 1e5;
  return [
    round(e[12]!, ap),
    round(e[13]!, ap),
    round(e[14]!, ap),
    round(e[0]!, p),
    round(e[1]!, p),
    round(e[2]!, p),
    round(e[4]!, ap),
    round(e[5]!, ap),
    round(e[6]!, ap),
  ];
}

const IDENTITY = [0, 0, 0, 1, 0, 0, 0, 1, 0];
const isIdentity = (t: number[]) => t.every((x, i) => x === IDENTITY[i]);

/** A raw triangle shell: points merged by their float32 bits (as rawShellData), triangles as point numbers. */
export interface RawShell {
  points: Float32Array;
  triangles: Uint32Array;
  min: [number, number, number];
  max: [number, number, number];
}

/**
 * The geometry's shell, its positions scaled by `scale`, or null when it has no triangles or an empty box (the
 * importer drops such a geometry from its product).
 */
function rawShell(vertices: Float32Array, indices: Uint32Array, scale: [number, number, number]): RawShell | null {
  const nv = Math.floor(vertices.length / 6);
  if (indices.length === 0 || vertices.length === 0) return null;
  const pos = new Float32Array(nv * 3);
  const [sx, sy, sz] = scale;
  let minX = Infinity,
    minY = Infinity,
    minZ = Infinity,
    maxX = -Infinity,
    maxY = -Infinity,
    maxZ = -Infinity;
  for (let k = 0, s = 0, d = 0; k < nv; k++, s += 6, d += 3) {
    pos[d] = vertices[s]! * sx;
    pos[d + 1] = vertices[s + 1]! * sy;
    pos[d + 2] = vertices[s + 2]! * sz;
    // The box of the float32 values, as the importer's getAABB reads them.
    const fx = pos[d]!,
      fy = pos[d + 1]!,
      fz = pos[d + 2]!;
    if (fx < minX) minX = fx;
    if (fy < minY) minY = fy;
    if (fz < minZ) minZ = fz;
    if (fx > maxX) maxX = fx;
    if (fy > maxY) maxY = fy;
    if (fz > maxZ) maxZ = fz;
  }
  const min: [number, number, number] = [
    Math.floor(minX * PRECISION) / PRECISION,
    Math.floor(minY * PRECISION) / PRECISION,
    Math.floor(minZ * PRECISION) / PRECISION,
  ];
  const max: [number, number, number] = [
    Math.ceil(maxX * PRECISION) / PRECISION,
    Math.ceil(maxY * PRECISION) / PRECISION,
    Math.ceil(maxZ * PRECISION) / PRECISION,
  ];
  if (min.every((v) => v === 0) && max.every((v) => v === 0)) return null;
  const nt = Math.floor(indices.length / 3);
  for (let i = 0; i < nt * 3; i++) if (indices[i]! >= nv) return null;

  const { corners: triangles, firstVertex } = weldCorners(pos, nv, indices, nt * 3);
  const np = firstVertex.length;
  const points = new Float32Array(np * 3);
  for (let p = 0; p < np; p++) {
    const v = firstVertex[p]!;
    points[p * 3] = round(pos[v * 3]!, PRECISION);
    points[p * 3 + 1] = round(pos[v * 3 + 1]!, PRECISION);
    points[p * 3 + 2] = round(pos[v * 3 + 2]!, PRECISION);
  }
  return { points, triangles, min, max };
}

/** The geometry of the file, planned: its items (in order), shells, materials, local transforms and samples. */
export interface MeshesPlan {
  /** The items with geometry, in the order they must lead the file's `localIds`. */
  items: { expressID: number; global: number[] }[];
  shells: RawShell[];
  materials: number[][];
  locals: number[][];
  samples: { item: number; material: number; rep: number; local: number }[];
}

/** Plans the `Meshes` of `items` the importer's way (see the top of this file). */
export function planMeshes(items: WriterItem[]): MeshesPlan {
  const shells: RawShell[] = [];
  const repOf = new Map<string, number>();
  const materials: number[][] = [];
  const materialOf = new Map<string, number>();
  const locals: number[][] = [IDENTITY];
  const localOf = new Map<string, number>();
  const outItems: MeshesPlan['items'] = [];
  const samples: MeshesPlan['samples'] = [];
  // Equal shells (the same points and triangles, bit for bit) are written once, as the importer shares a geometry
  // whose triangles hash alike: a door or a window type placed many times.
  const byContent = new Map<number, number[]>();
  const shared = (shell: RawShell): number => {
    const h = contentHash(shell);
    const list = byContent.get(h);
    if (list) for (const r of list) if (sameShell(shells[r]!, shell)) return r;
    const r = shells.push(shell) - 1;
    if (list) list.push(r);
    else byContent.set(h, [r]);
    return r;
  };

  for (const item of items) {
    if (item.geometries.length === 0) continue;
    const first = removeScale(item.geometries[0]!.transform);
    const e = first.rigid;
    if (e[12]! > DISTANCE_THRESHOLD || e[13]! > DISTANCE_THRESHOLD || e[14]! > DISTANCE_THRESHOLD) continue;
    const itemNo = outItems.length;
    let any = false;
    for (const g of item.geometries) {
      const { scale, rigid } = removeScale(g.transform);
      const repKey = `${g.geometryExpressID}|${scale[0]}|${scale[1]}|${scale[2]}`;
      let rep = repOf.get(repKey);
      if (rep === undefined) {
        const shell = rawShell(g.vertices, g.indices, scale);
        rep = shell ? shared(shell) : -1;
        repOf.set(repKey, rep);
      }
      if (rep < 0) continue;
      let w = g.color[3];
      if (item.type === WebIFC.IFCSPACE && w === 1) w = 0.5;
      const color = [g.color[0], g.color[1], g.color[2], w];
      const colorKey = color.join(',');
      let material = materialOf.get(colorKey);
      if (material === undefined) {
        material = materials.push(color.map((n) => n * 255)) - 1;
        materialOf.set(colorKey, material);
      }
      const l = decompose(relative(e, rigid));
      let local = 0;
      if (!isIdentity(l)) {
        const k = l.join('-');
        const known = localOf.get(k);
        if (known !== undefined) local = known;
        else {
          local = locals.push(l) - 1;
          localOf.set(k, local);
        }
      }
      samples.push({ item: itemNo, material, rep, local });
      any = true;
    }
    if (any) outItems.push({ expressID: item.expressID, global: decompose(e) });
  }
  return { items: outItems, shells, materials, locals, samples };
}

/** FNV-1a over the bits of a shell's points and its triangles. */
function contentHash(shell: RawShell): number {
  let h = 0x811c9dc5;
  const bits = new Uint32Array(shell.points.buffer, shell.points.byteOffset, shell.points.length);
  for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i]!, 0x01000193);
  const t = shell.triangles;
  for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t[i]!, 0x01000193);
  return h >>> 0;
}

function sameShell(a: RawShell, b: RawShell): boolean {
  if (a.points.length !== b.points.length || a.triangles.length !== b.triangles.length) return false;
  const pa = new Uint32Array(a.points.buffer, a.points.byteOffset, a.points.length);
  const pb = new Uint32Array(b.points.buffer, b.points.byteOffset, b.points.length);
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return false;
  for (let i = 0; i < a.triangles.length; i++) if (a.triangles[i] !== b.triangles[i]) return false;
  return a.min.every((v, k) => v === b.min[k]) && a.max.every((v, k) => v === b.max[k]);
}

export interface WriteMeshesOptions {
  /** The first local id for the file's own entities (transforms, representations, materials, samples). */
  firstLocalId: number;
  /** web-ifc's coordination matrix (the Fragments' `coordinates`). */
  coordination: ArrayLike<number>;
  doubleSided?: boolean;
}

/**
 * Writes the planned `Meshes` into `builder` (which must not be inside a table) and returns its offset and the next
 * free local id. The plan's items are the first of the file's `localIds`, in its order: the Fragments loader reads an
 * item's geometry by its place in `localIds` in places (as the importer writes them), not only through `meshesItems`.
 */
export function writeMeshes(
  builder: Builder,
  plan: MeshesPlan,
  opts: WriteMeshesOptions,
): { offset: number; nextLocalId: number } {
  let nextId = opts.firstLocalId;
  const { items: outItems, shells: reps, materials, locals, samples } = plan;
  const b = builder;
  // Global transforms.
  const globalTransforms = structVector(b, outItems.length, 48, 8, (v, at, i) =>
    putTransform(v, at, outItems[i]!.global),
  );
  const gtIds = outItems.map(() => nextId++);

  // Shells, one per representation, in order.
  const shellOffsets: number[] = new Array(reps.length);
  const emptyHoles = () => Shell.createHolesVector(b, []);
  /** The vtables of the first small shell's profile and shell tables (flatbufferWrites.smallShell). */
  let known: { profile: number; shell: number } | null = null;
  for (let r = 0; r < reps.length; r++) {
    const { points, triangles } = reps[r]!;
    const np = points.length / 3;
    const nt = triangles.length / 3;
    const big = np > GeomsFbUtils.ushortMaxValue;
    const pointsOffset = pointsVector(b, points);
    const profiles: number[] = new Array(nt);
    if (!big && known) {
      // Every later small shell in byte loops, pointing to the vtables the first one's tables found.
      smallProfiles(b, triangles, nt, profiles, known.profile);
      shellOffsets[r] = smallShell(b, profiles, nt, pointsOffset, known.shell);
      continue;
    }
    if (big)
      for (let t = 0; t < nt; t++) {
        b.startVector(4, 3, 4);
        b.addInt32(triangles[t * 3 + 2]!);
        b.addInt32(triangles[t * 3 + 1]!);
        b.addInt32(triangles[t * 3]!);
        profiles[t] = BigShellProfile.createBigShellProfile(b, b.endVector());
      }
    else smallProfiles(b, triangles, nt, profiles);
    const bigProfiles = Shell.createBigProfilesVector(b, big ? profiles : []);
    const smallProfilesVector = offsetsVector(b, big ? [] : profiles);
    const bigHoles = Shell.createBigHolesVector(b, []);
    const holes = emptyHoles();
    const faceIds = zerosInt16Vector(b, nt);
    shellOffsets[r] = Shell.createShell(
      b,
      smallProfilesVector,
      holes,
      pointsOffset,
      bigProfiles,
      bigHoles,
      big ? ShellType.BIG : ShellType.NONE,
      faceIds,
    );
    if (!big && nt > 0) known = { profile: vtableOf(b, profiles[0]!), shell: vtableOf(b, shellOffsets[r]!) };
  }
  const shells = Meshes.createShellsVector(b, shellOffsets);
  const circleExtrusions = Meshes.createCircleExtrusionsVector(b, []);

  // Representation structs (32 bytes): id, box min and max as float32s, class, 3 bytes of padding.
  const representations = structVector(b, reps.length, 32, 4, (v, at, r) => {
    const { min, max } = reps[r]!;
    v.setUint32(at, r, true);
    for (let k = 0; k < 3; k++) {
      v.setFloat32(at + 4 + 4 * k, min[k]!, true);
      v.setFloat32(at + 16 + 4 * k, max[k]!, true);
    }
    v.setUint32(at + 28, RepresentationClass.SHELL, true);
  });
  const repIds = reps.map(() => nextId++);

  Meshes.startMaterialsVector(b, materials.length);
  const faces = opts.doubleSided ? RenderedFaces.TWO : RenderedFaces.ONE;
  for (let i = materials.length - 1; i >= 0; i--) {
    const [r, g, bl, a] = materials[i]!;
    Material.createMaterial(b, r!, g!, bl!, a!, faces, 0);
  }
  const materialsOffset = b.endVector();
  const materialIds = materials.map(() => nextId++);

  // Sample structs (16 bytes): item, material, representation, local transform.
  const samplesOffset = structVector(b, samples.length, 16, 4, (v, at, i) => {
    const s = samples[i]!;
    v.setInt32(at, s.item, true);
    v.setInt32(at + 4, s.material, true);
    v.setInt32(at + 8, s.rep, true);
    v.setInt32(at + 12, s.local, true);
  });
  const sampleIds = samples.map(() => nextId++);

  const localTransforms = structVector(b, locals.length, 48, 8, (v, at, i) => putTransform(v, at, locals[i]!));
  const ltIds = locals.map(() => nextId++);

  const meshesItems = Meshes.createMeshesItemsVector(
    b,
    outItems.map((_, i) => i),
  );
  const reprIdsOffset = Meshes.createRepresentationIdsVector(b, repIds);
  const sampleIdsOffset = Meshes.createSampleIdsVector(b, sampleIds);
  const materialIdsOffset = Meshes.createMaterialIdsVector(b, materialIds);
  const ltIdsOffset = Meshes.createLocalTransformIdsVector(b, ltIds);
  const gtIdsOffset = Meshes.createGlobalTransformIdsVector(b, gtIds);
  // A struct is written inline, right before the table that holds it.
  const [cx, cy, cz, cxx, cxy, cxz, cyx, cyy, cyz] = decompose(opts.coordination);
  const coordinates = Transform.createTransform(b, cx!, cy!, cz!, cxx!, cxy!, cxz!, cyx!, cyy!, cyz!);
  Meshes.startMeshes(b);
  Meshes.addCoordinates(b, coordinates);
  Meshes.addGlobalTransforms(b, globalTransforms);
  Meshes.addShells(b, shells);
  Meshes.addRepresentations(b, representations);
  Meshes.addSamples(b, samplesOffset);
  Meshes.addLocalTransforms(b, localTransforms);
  Meshes.addMaterials(b, materialsOffset);
  Meshes.addCircleExtrusions(b, circleExtrusions);
  Meshes.addMeshesItems(b, meshesItems);
  Meshes.addRepresentationIds(b, reprIdsOffset);
  Meshes.addSampleIds(b, sampleIdsOffset);
  Meshes.addMaterialIds(b, materialIdsOffset);
  Meshes.addLocalTransformIds(b, ltIdsOffset);
  Meshes.addGlobalTransformIds(b, gtIdsOffset);
  return { offset: Meshes.endMeshes(b), nextLocalId: nextId };
}
