import { renameSync, writeFileSync } from 'node:fs';
import { constants, deflateSync } from 'node:zlib';
import { IfcImporter, Model, ifcClasses } from '@thatopen/fragments';
import { collectWriterItems, planMeshes, writeMeshes } from './fragWriter.js';
import { withRawShells } from './rawShells.js';
import { ONE_PARSE_FAILED, type TwinSession } from './twinSession.js';
import { WEB_IFC_DIR, WebIFC } from './webIfc.js';

/** Importer settings, measured in bench/ifc.ts (`ours` vs `ours-nofrag` and the fragments-only column). */
export interface FragmentsOptions {
  /**
   * Build B-rep shells (shared faces, for smooth/hard edges) for meshes up to this many vertices: the importer's
   * default is 3000. 0 stores every mesh as raw triangles: ~15 % less CPU on the sample files for a ~15 % larger file,
   * and the workspace renders, picks, clips and measures raw shells the same way.
   */
  brepThreshold?: number;
  /** The model's id in the file (the importer draws a random one otherwise). */
  id?: string;
  /**
   * What the file carries besides geometry. `workspace` (the default): what the BIM workspace reads of it, the items'
   * GlobalIds and classes and the spatial structure (their own attributes too); the workspace shows properties from the
   * element index, never from the .frag. `full`: everything the importer collects by default besides, property and
   * quantity sets, materials, types, units and their relations (about 2.5x the file, and ~half the Fragments job's
   * time on duplex.ifc). IFC_FRAGMENTS_DATA=full sets it for the server.
   */
  data?: FragmentsData;
  /**
   * Who writes the geometry when there is a session: `own` (the default: fragWriter.ts, from the map job's meshes, no
   * second mesh pass) or `importer` (the IfcImporter's own geometry pass, served from the same meshes: the fallback,
   * and the A/B in bench/ifc.ts). Without a session the importer writes everything. IFC_FRAGMENTS_WRITER=importer sets
   * it for the server.
   */
  writer?: FragmentsWriter;
}

export type FragmentsData = 'workspace' | 'full';
export type FragmentsWriter = 'own' | 'importer';

/** The relations the spatial structure is built from (IfcPropertyProcessor.getSpatialStructureOffset follows them). */
const SPATIAL_RELATIONS = new Set<number>([
  WebIFC.IFCRELAGGREGATES,
  WebIFC.IFCRELCONTAINEDINSPATIALSTRUCTURE,
  WebIFC.IFCRELREFERENCEDINSPATIALSTRUCTURE,
  WebIFC.IFCRELNESTS,
]);

/**
 * zlib level 4: the raw Fragments of duplex, AC20-FZK-Haus and WILLEMSEN-Laagbouw (420-464 kB) deflate in 4.0-4.2 ms
 * of CPU to 112 / 128 / 118 kB, against 6.8-8.9 ms to 112 / 128 / 117 kB at zlib's default level 6 (warm, best of 5,
 * load ~7, 2026-12-07); level 1 gives 119 / 136 / 124 kB in 2.8-3.0 ms. See ifcToFragments.
 */
const FRAGMENTS_ZLIB_LEVEL = 4;

const defaultData = (): FragmentsData => (process.env.IFC_FRAGMENTS_DATA === 'full' ? 'full' : 'workspace');
const defaultWriter = (): FragmentsWriter => (process.env.IFC_FRAGMENTS_WRITER === 'importer' ? 'importer' : 'own');

/**
 * Converts IFC bytes to a That Open Fragments file for the BIM workspace, headless (the importer runs its own web-ifc
 * from the installed package; nothing is fetched), or from the model a {@link TwinSession} holds open (the same
 * bytes). `onProgress` gets 0..1.
 *
 * Savings over the importer's defaults: the output is compressed by Node's native zlib instead of the importer's pako
 * (a zlib stream all the same, which the Fragments loader inflates as before; the bytes inflated are the importer's),
 * raw shells above (built by rawShellData), and, with a session, the importer's lines read from the file's text
 * (TwinSession.adopt). Native zlib (at level 6 then) against fflate at level 2 (what it was before), duplex.ifc's 448 kB of
 * raw Fragments, same process, load ~17: 10-17 ms for 114.5 kB against 20-27 ms warm and 108 ms on a cold start (the
 * first job of a worker) for 112.9 kB.
 */
export async function ifcToFragments(
  bytes: Uint8Array,
  onProgress: (f: number) => void = () => {},
  opts: FragmentsOptions = {},
  session?: TwinSession,
): Promise<Uint8Array> {
  const importer = new IfcImporter();
  importer.wasm = { absolute: true, path: WEB_IFC_DIR };
  importer.geometryProcessSettings.threshold = opts.brepThreshold ?? 0;
  if ((opts.data ?? defaultData()) === 'workspace') {
    // The spatial elements (project, site, building, storeys, alignments) besides the elements the importer always
    // reads: no property, quantity, material, type or unit entities, and only the spatial structure's relations.
    importer.classes.abstract.clear();
    for (const c of ifcClasses.base) importer.classes.abstract.add(c);
    for (const r of [...importer.relations.keys()]) if (!SPATIAL_RELATIONS.has(r)) importer.relations.delete(r);
  }
  const run = () =>
    withRawShells(() =>
      importer.process({
        bytes,
        raw: true,
        ...(opts.id ? { id: opts.id } : {}),
        progressCallback: (p: number) => {
          if (Number.isFinite(p)) onProgress(Math.min(1, Math.max(0, p)));
        },
      }),
    );
  // With a session, the importer reads the session's open model instead of parsing the bytes twice more.
  const raw = !session
    ? await run()
    : (opts.writer ?? defaultWriter()) === 'own'
      ? await withOwnGeometry(session, importer.doubleSidedMaterials, () => session.adopt(run, { meshes: false }))
      : await session.adopt(run);
  const z = deflateSync(raw, { level: FRAGMENTS_ZLIB_LEVEL, strategy: constants.Z_DEFAULT_STRATEGY });
  return new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
}

/**
 * Runs `fn` (an importer run whose geometry pass streams nothing) with our writer's `Meshes` in the file in place of
 * the importer's (empty) one. The importer's attribute pass lists the items in its class order; its three parallel
 * vectors (localIds, categories, attributes) are written with our items with geometry first, in our order, as the
 * importer lists its own, and our entities' local ids come after all of the importer's.
 */
async function withOwnGeometry<T>(session: TwinSession, doubleSided: boolean, fn: () => Promise<T>): Promise<T> {
  const { api, modelID } = session;
  const plan = planMeshes(collectWriterItems(api, modelID, session.classes, session.meshes));
  const coordination = api.GetCoordinationMatrix(modelID);
  const maxExpressID = api.GetMaxExpressID(modelID);
  type B = Parameters<typeof Model.startModel>[0];
  type CreateVector = (b: B, data: number[]) => number;
  const M = Model as unknown as Record<
    'createLocalIdsVector' | 'createCategoriesVector' | 'createAttributesVector',
    CreateVector
  > & { startModel: (b: B) => void; addMeshes: (b: B, o: number) => void; addAttributes: (b: B, o: number) => void };
  const orig = {
    createLocalIdsVector: M.createLocalIdsVector,
    createCategoriesVector: M.createCategoriesVector,
    createAttributesVector: M.createAttributesVector,
    startModel: M.startModel,
    addMeshes: M.addMeshes,
    addAttributes: M.addAttributes,
    addMaxLocalId: Model.addMaxLocalId,
  };
  /** The importer's attribute offsets, written once the items' order is known (at its localIds). */
  let attributes: number[] | null = null;
  let attributesVector = -1;
  /** Place in the importer's lists -> place in the file's. */
  let order: number[] | null = null;
  let firstLocalId = maxExpressID + 3;
  let meshes: { offset: number; nextLocalId: number } | null = null;
  const permute = (data: number[]) => order!.map((i) => data[i]!);
  M.createAttributesVector = (b, data) => {
    attributes = Array.from(data);
    return orig.createAttributesVector.call(Model, b, []);
  };
  M.createLocalIdsVector = (b, data) => {
    if (!attributes || attributes.length !== data.length) throw new Error('the importer wrote its items otherwise');
    const at = new Map<number, number>();
    data.forEach((id, i) => {
      at.set(id, i);
      // Past the importer's own numbers (its entities start after the file's ids) and its custom items'.
      if (id >= firstLocalId) firstLocalId = id + 1;
    });
    const drawn = plan.items.map((item) => at.get(item.expressID));
    if (drawn.some((i) => i === undefined)) throw new Error('the importer left out an item with geometry');
    const lead = new Set(drawn as number[]);
    order = [...(drawn as number[]), ...data.map((_, i) => i).filter((i) => !lead.has(i))];
    attributesVector = orig.createAttributesVector.call(Model, b, permute(attributes));
    return orig.createLocalIdsVector.call(Model, b, permute(Array.from(data)));
  };
  M.createCategoriesVector = (b, data) => {
    if (!order || order.length !== data.length) throw new Error('the importer wrote its categories otherwise');
    return orig.createCategoriesVector.call(Model, b, permute(Array.from(data)));
  };
  M.addAttributes = (b, offset) => orig.addAttributes.call(Model, b, attributesVector >= 0 ? attributesVector : offset);
  M.startModel = (b) => {
    if (!order) throw new Error('the importer wrote no items before its model');
    meshes = writeMeshes(b, plan, { firstLocalId, coordination, doubleSided });
    orig.startModel.call(Model, b);
  };
  M.addMeshes = (b, offset) => orig.addMeshes.call(Model, b, meshes ? meshes.offset : offset);
  Model.addMaxLocalId = (b, n) => orig.addMaxLocalId.call(Model, b, Math.max(n, meshes?.nextLocalId ?? 0));
  try {
    const out = await fn();
    if (!meshes) throw new Error('the importer wrote no model');
    return out;
  } finally {
    Object.assign(Model, orig);
  }
}

/**
 * The Fragments of a model from its session's parse, or from parses of the importer's own when there is no session or
 * sharing it fails (`warn` is told why): a Fragments file is still made the way it was before.
 */
export async function twinFragments(
  session: TwinSession | null,
  bytes: Uint8Array,
  onProgress: (f: number) => void,
  warn: (message: string) => void,
): Promise<Uint8Array> {
  if (session)
    try {
      return await ifcToFragments(bytes, onProgress, {}, session);
    } catch (err) {
      warn(`${ONE_PARSE_FAILED}: ${(err as Error).message}`);
    }
  return ifcToFragments(bytes, onProgress);
}

/** Writes a .frag atomically (a reader never sees half a file) and returns its size. */
export function writeFragmentsFile(path: string, frag: Uint8Array): number {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, frag);
  renameSync(tmp, path);
  return frag.byteLength;
}
