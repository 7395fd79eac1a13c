import { renameSync, writeFileSync } from 'node:fs';
import { constants, deflateSync } from 'node:zlib';
import { IfcImporter, ifcClasses } from '@thatopen/fragments';
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
}

export type FragmentsData = 'workspace' | 'full';

/** The relations the spatial structure is built from (IfcPropertyProcessor.getSpatialStructureOffset follows them). */
const SPATIAL_RELATIONS = new Set<number>([
  WebIFC.IFCRELAGGREGATES,
  WebIFC.IFCRELCONTAINEDINSPATIALSTRUCTURE,
  WebIFC.IFCRELREFERENCEDINSPATIALSTRUCTURE,
  WebIFC.IFCRELNESTS,
]);

/** zlib's own default level: see ifcToFragments. */
const FRAGMENTS_ZLIB_LEVEL = 6;

const defaultData = (): FragmentsData => (process.env.IFC_FRAGMENTS_DATA === 'full' ? 'full' : 'workspace');

/**
 * Converts IFC bytes to a That Open Fragments file for the BIM workspace, headless (the importer runs its own web-ifc
 * from the installed package; nothing is fetched), or from the model a {@link TwinSession} holds open (the same
 * bytes). `onProgress` gets 0..1.
 *
 * Savings over the importer's defaults: the output is compressed by Node's native zlib instead of the importer's pako
 * (a zlib stream all the same, which the Fragments loader inflates as before; the bytes inflated are the importer's),
 * raw shells above (built by rawShellData), and, with a session, the importer's lines read from the file's text
 * (TwinSession.adopt). Native zlib at level 6 against fflate at level 2 (what it was before), duplex.ifc's 448 kB of
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
  const raw = session ? await session.adopt(run) : await run();
  const z = deflateSync(raw, { level: FRAGMENTS_ZLIB_LEVEL, strategy: constants.Z_DEFAULT_STRATEGY });
  return new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
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
