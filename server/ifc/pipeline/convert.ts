import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Box3, ConversionReport, ConversionStage, SkippedElement, TreeNode } from '../../../models/BimModel.js';
import { georeferenceMatrix, type Georeference } from '../../../models/Georeference.js';
import type { ElementInput } from '../../../models/BimModel.js';
import { fragmentsFile } from './files.js';
import { distanceM } from '../../../models/geodesy.js';
import { checkReferences, productTypes, schemaStrangers } from './fileChecks.js';
import { collectGeometry } from './geometry.js';
import { readGeoreference } from './georef.js';
import { className, elementHeaders, readIndex, val } from './ifcIndex.js';
import { StepLines } from './stepLines.js';
import { writeTiles, writeTilesetJson } from './tiler.js';
import { ONE_PARSE_FAILED, TwinSession } from './twinSession.js';
import { createIfcApi, openModel, type IfcAPI } from './webIfc.js';

/** Where a conversion reports to: progress and element batches (the worker forwards both to the main thread). */
export interface ConversionSink {
  progress(stage: ConversionStage, pct: number): void;
  elements(batch: ElementInput[]): void | Promise<void>;
}

export interface ConvertOptions {
  /** The plain IFC (STEP) file to read. */
  ifcPath: string;
  /** Model output folder: `tiles/` and `model.frag` go there. */
  outDir: string;
  /** Where to put a model that carries no georeference (the project's location). */
  fallback?: { lon: number; lat: number; height: number };
  /** Flag the model (report.farFromProject) when its own georeference stands farther than this from `fallback`. */
  farFromProjectM?: number;
  /** Skip the Fragments output (benchmarks measure it separately). */
  skipFragments?: boolean;
  /** Reuse an initialised web-ifc (tests and the worker keep one). */
  api?: IfcAPI;
  /**
   * Read the model of this session (opened once for the whole twin) instead of opening the file: `api` is not used,
   * and the model is left open for the session's owner to build the Fragments from and close.
   */
  session?: TwinSession;
  elementBatch?: number;
}

export interface ConversionResult {
  schema: string;
  georeference: Georeference;
  report: ConversionReport;
  tree: TreeNode | null;
}

/** Thrown for input the pipeline refuses; its message is meant for the person who uploaded the file. */
export class ConversionError extends Error {
  override name = 'ConversionError';
  /** A stable name of what is wrong with the file (ModelError.problem), where the pipeline can tell. */
  constructor(
    message: string,
    readonly problem?: string,
  ) {
    super(message);
  }
}

const MAX_SKIPPED_LISTED = 100;

/**
 * Converts one IFC file: element index (streamed to `sink.elements` in batches), 3D Tiles, Fragments. Runs anywhere
 * (the worker process, a test, the benchmark); it never touches the store.
 */
export async function convertIfc(opts: ConvertOptions, sink: ConversionSink): Promise<ConversionResult> {
  const t0 = performance.now();
  const stagesMs: Record<string, number> = {};
  let mark = t0;
  const done = (stage: string) => {
    const now = performance.now();
    stagesMs[stage] = Math.round(now - mark);
    mark = now;
  };
  sink.progress('parse', 0);
  const bytes = opts.session?.bytes ?? readFileSync(opts.ifcPath);
  const warnings: string[] = [];
  // The whole twin in one call: one parse for the index, the tiles and the Fragments (else the importer parses twice).
  let own: TwinSession | null = null;
  if (!opts.session && !opts.skipFragments)
    own = await TwinSession.open(bytes).catch((err: Error) => {
      warnings.push(`${ONE_PARSE_FAILED}: ${err.message}`);
      return null;
    });
  const session = opts.session ?? own;
  const api = session?.api ?? opts.api ?? (await createIfcApi());
  let modelID: number;
  try {
    modelID = session?.modelID ?? openModel(api, bytes);
  } catch (err) {
    throw new ConversionError((err as Error).message);
  }
  try {
    const schema = api.GetModelSchema(modelID);
    if (!schema) throw new ConversionError('The file names no IFC schema web-ifc can read');
    sink.progress('parse', 100);
    done('parse');

    sink.progress('index', 0);
    // Property and quantity lines are read from the file's text where they can be (StepLines): web-ifc's per-line cost
    // made them most of this stage.
    const step = new StepLines(bytes, api.GetMaxExpressID(modelID));
    // The Fragments importer of a session reads its lines from the same scan.
    session?.useLines(step);
    // A file cut short (even with its END-ISO line put back) or glued together points at entities it does not hold.
    const refs = checkReferences(step);
    if (refs.problem) throw new ConversionError(refs.problem.message, refs.problem.problem);
    if (refs.warning) warnings.push(refs.warning);
    const strangers = schemaStrangers(api, modelID, schema);
    if (strangers) warnings.push(strangers.warning);
    const index = readIndex(api, modelID, (f) => sink.progress('index', f * 100), step);
    if (!index.tree)
      throw new ConversionError(
        'The file has no IfcProject: it is not a complete IFC model (cut short, or a fragment of one); export it again',
        'no_project',
      );
    const tree = index.tree;
    const header = elementHeaders(api, modelID, step);
    warnings.push(...index.warnings);
    const georeference = readGeoreference(api, modelID, opts.fallback, step);
    let farFromProject: ConversionReport['farFromProject'];
    if (opts.fallback && opts.farFromProjectM !== undefined && georeference.source !== 'project') {
      const d = distanceM(
        { lon: georeference.lon, lat: georeference.lat },
        { lon: opts.fallback.lon, lat: opts.fallback.lat },
      );
      if (d > opts.farFromProjectM) {
        farFromProject = { distanceM: Math.round(d), limitM: opts.farFromProjectM };
        warnings.push(
          `the file places the model ${(d / 1000).toFixed(d < 100_000 ? 1 : 0)} km from its project (more than ${opts.farFromProjectM / 1000} km): ` +
            'its georeference is probably an exporter default or another site; place it at the project if it belongs there',
        );
      }
    }
    done('index');

    sink.progress('geometry', 0);
    const typeName = (id: number) => {
      try {
        return className(api, api.GetLine(modelID, id));
      } catch {
        return 'IfcProduct';
      }
    };
    // Element rows: every product web-ifc streams, drawn or skipped. They are made slice by slice as the geometry
    // streams (a row needs its element's box), so the store writes them while later slices are meshed.
    // Y-up (x, y, z) relative to the origin back to the IFC world frame, Z up: (x, -z, y).
    const toBox = (o: [number, number, number], min: number[], max: number[]): Box3 => ({
      min: [min[0]! + o[0], -(max[2]! + o[2]), min[1]! + o[1]],
      max: [max[0]! + o[0], -(min[2]! + o[2]), max[1]! + o[1]],
    });
    const features = new Map<number, { globalId: string; ifcClass: string; name: string }>();
    const containerInfo = new Map<number, { globalId: string | null; name: string | null }>();
    // Every row sits on a node of the tree: its spatial container, or the project when the file places it in none
    // (or in a structure the tree does not reach), so that the tree's counts add up to the rows.
    const treeIds = new Set<number>();
    const walk = (n: TreeNode) => (treeIds.add(n.expressId), n.children.forEach(walk));
    walk(tree);
    const rowsOn = new Map<number, number>();
    const emitted = new Set<string>();
    const containerOf = (id: number) => {
      const found = index.container.get(id);
      const c = found !== undefined && treeIds.has(found) ? found : tree.expressId;
      let info = containerInfo.get(c);
      if (!info) {
        const l = api.GetLine(modelID, c);
        info = {
          globalId: (val(l.GlobalId) as string) ?? null,
          name: (val(l.Name) as string) ?? (val(l.LongName) as string) ?? null,
        };
        containerInfo.set(c, info);
      }
      return { ...info, expressId: c };
    };
    /** The row of a product, or null for a GlobalId already given a row (the store keeps the first row of one). */
    const rowOf = (expressId: number, box: Box3 | null, hasGeometry: boolean): ElementInput | null => {
      const h = header(expressId);
      const globalId = h.globalId ?? `#${expressId}`;
      const { ifcClass, name } = h;
      features.set(expressId, { globalId, ifcClass, name: name ?? '' });
      if (emitted.has(globalId)) return null;
      emitted.add(globalId);
      const c = containerOf(expressId);
      rowsOn.set(c.expressId, (rowsOn.get(c.expressId) ?? 0) + 1);
      return {
        globalId,
        expressId,
        ifcClass,
        name,
        predefinedType: h.predefinedType,
        storeyId: c.globalId,
        storeyName: c.name,
        psets: index.psets.get(expressId) ?? {},
        bbox: box,
        hasGeometry,
      };
    };
    // Batches of up to 500 rows; with the embedded store the server splits them into writes short enough for its event
    // loop (ModelService).
    const batchSize = opts.elementBatch ?? 500;
    const batch: ElementInput[] = [];
    const flush = async (all: boolean) => {
      while (batch.length >= batchSize || (all && batch.length)) await sink.elements(batch.splice(0, batchSize));
    };
    const skipped: SkippedElement[] = [];
    const geom = await collectGeometry(api, modelID, {
      typeName,
      ...(session ? { shift: session.shift, keep: session.meshes, present: session.presentTypes() } : {}),
      onProgress: (f) => sink.progress('geometry', f * 100),
      onSlice: async (drawn, failed, origin) => {
        for (const e of drawn) {
          const row = rowOf(e.expressId, toBox(origin, e.min, e.max), true);
          if (row) batch.push(row);
        }
        for (const s of failed) {
          let row: ElementInput | null = null;
          try {
            row = rowOf(s.expressId, null, false);
          } catch {
            /* an element we cannot even read stays out of the index, but is still counted as skipped */
          }
          if (row) batch.push(row);
          const gid = features.get(s.expressId)?.globalId;
          skipped.push({ ...s, ...(gid ? { globalId: gid } : {}) });
        }
        await flush(false);
      },
    });
    // Every other product of the file: what web-ifc does not mesh (spaces, openings, grids, annotations, the spatial
    // structure) or meshes to nothing (an assembly whose parts carry the geometry). Listed, searchable, with their
    // property sets, and flagged as not drawn.
    const types = productTypes(schema);
    if (!types) warnings.push(`web-ifc has no type list for schema ${schema}: only meshed products are indexed`);
    // With a session, only the types the model holds are asked for (the others have no ids to give).
    const present = session?.presentTypes();
    for (const type of types ?? []) {
      if (strangers?.types.has(type) || (present && !present.has(type))) continue;
      const ids = api.GetLineIDsWithType(modelID, type);
      for (let i = 0, n = ids.size(); i < n; i++) {
        const id = ids.get(i);
        if (features.has(id)) continue;
        try {
          const row = rowOf(id, null, false);
          if (row) batch.push(row);
        } catch {
          /* a product web-ifc cannot read stays out of the index */
        }
      }
      await flush(false);
    }
    await flush(true);
    const setCounts = (n: TreeNode) => {
      n.elementCount = rowsOn.get(n.expressId) ?? 0;
      n.children.forEach(setCounts);
    };
    setCounts(tree);
    done('geometry');

    sink.progress('tiles', 0);
    const tilesDir = join(opts.outDir, 'tiles');
    const tiles = await writeTiles(
      geom,
      tilesDir,
      (id) => features.get(id) ?? { globalId: `#${id}`, ifcClass: 'IfcProduct', name: '' },
      (f) => sink.progress('tiles', f * 100),
    );
    writeTilesetJson(tilesDir, tiles.tileset, georeferenceMatrix(georeference));
    done('tiles');

    let bbox: ConversionReport['bbox'] = null;
    if (geom.elements.length) {
      const min = [Infinity, Infinity, Infinity];
      const max = [-Infinity, -Infinity, -Infinity];
      for (const e of geom.elements)
        for (let k = 0; k < 3; k++) ((min[k] = Math.min(min[k]!, e.min[k]!)), (max[k] = Math.max(max[k]!, e.max[k]!)));
      bbox = toBox(geom.origin, min, max);
    }
    const elementCount = geom.elements.length;
    const indexedCount = emitted.size;
    const lengthUnitM = index.lengthUnitM;
    // Free the wasm model before Fragments opens its own copy of the file (a session's model stays for its Fragments).
    if (!session) api.CloseModel(modelID);
    modelID = -1;
    geom.elements.length = 0;

    let fragmentsBytes = 0;
    if (!opts.skipFragments) {
      sink.progress('fragments', 0);
      try {
        // Loaded on demand: @thatopen/fragments (and three.js under it) is heavy, and the map job never needs it.
        const { twinFragments } = await import('./fragments.js');
        const frag = await twinFragments(
          session,
          bytes,
          (f) => sink.progress('fragments', f * 100),
          (w) => warnings.push(w),
        );
        writeFileSync(fragmentsFile(opts.outDir), frag);
        fragmentsBytes = frag.byteLength;
      } catch (err) {
        // The map twin is still useful without the BIM workspace file: report it, do not fail the model.
        warnings.push(`The Fragments file could not be built: ${(err as Error).message}`);
      }
      done('fragments');
    }

    const report: ConversionReport = {
      schema,
      lengthUnitM,
      elementCount,
      skippedCount: geom.skipped.length,
      skipped: skipped.slice(0, MAX_SKIPPED_LISTED),
      indexedCount,
      tileCount: tiles.tileCount,
      triangleCount: tiles.triangleCount,
      bbox,
      fragmentsBytes,
      durationMs: Math.round(performance.now() - t0),
      stagesMs,
      warnings: [...warnings, ...georeference.warnings.map((w) => `georeference: ${w}`)],
      ...(farFromProject ? { farFromProject } : {}),
    };
    sink.progress('done', 100);
    return { schema, georeference, report, tree };
  } finally {
    if (modelID >= 0 && !session) api.CloseModel(modelID);
    own?.close();
  }
}
