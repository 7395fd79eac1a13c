import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Box3, ConversionReport, ConversionStage, SkippedElement, TreeNode } from '../../models/BimModel.js';
import { georeferenceMatrix, type Georeference } from '../../models/Georeference.js';
import type { ElementInput } from '../store/ElementRepo.js';
import { fragmentsFile } from './files.js';
import { collectGeometry } from './geometry.js';
import { readGeoreference } from './georef.js';
import { className, elementHeaders, readIndex, val } from './ifcIndex.js';
import { StepLines } from './stepLines.js';
import { writeTiles, writeTilesetJson } from './tiler.js';
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
  /** Skip the Fragments output (benchmarks measure it separately). */
  skipFragments?: boolean;
  /** Reuse an initialised web-ifc (tests and the worker keep one). */
  api?: IfcAPI;
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
  const api = opts.api ?? (await createIfcApi());
  sink.progress('parse', 0);
  const bytes = readFileSync(opts.ifcPath);
  let modelID: number;
  try {
    modelID = openModel(api, bytes);
  } catch (err) {
    throw new ConversionError((err as Error).message);
  }
  const warnings: string[] = [];
  try {
    const schema = api.GetModelSchema(modelID);
    if (!schema) throw new ConversionError('The file names no IFC schema web-ifc can read');
    sink.progress('parse', 100);
    done('parse');

    sink.progress('index', 0);
    // Property and quantity lines are read from the file's text where they can be (StepLines): web-ifc's per-line cost
    // made them most of this stage.
    const step = new StepLines(bytes, api.GetMaxExpressID(modelID));
    const index = readIndex(api, modelID, (f) => sink.progress('index', f * 100), step);
    const header = elementHeaders(api, modelID, step);
    warnings.push(...index.warnings);
    const georeference = readGeoreference(api, modelID, opts.fallback);
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
    const containerOf = (id: number) => {
      const c = index.container.get(id);
      if (c === undefined) return { globalId: null, name: null };
      let info = containerInfo.get(c);
      if (!info) {
        const l = api.GetLine(modelID, c);
        info = { globalId: (val(l.GlobalId) as string) ?? null, name: (val(l.Name) as string) ?? (val(l.LongName) as string) ?? null };
        containerInfo.set(c, info);
      }
      return info;
    };
    const rowOf = (expressId: number, box: Box3 | null, hasGeometry: boolean): ElementInput => {
      const h = header(expressId);
      const globalId = h.globalId ?? `#${expressId}`;
      const { ifcClass, name } = h;
      features.set(expressId, { globalId, ifcClass, name: name ?? '' });
      const c = containerOf(expressId);
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
    let batch: ElementInput[] = [];
    const flush = async (all: boolean) => {
      while (batch.length >= batchSize || (all && batch.length)) await sink.elements(batch.splice(0, batchSize));
    };
    const skipped: SkippedElement[] = [];
    const geom = await collectGeometry(api, modelID, {
      typeName,
      onProgress: (f) => sink.progress('geometry', f * 100),
      onSlice: async (drawn, failed, origin) => {
        for (const e of drawn) batch.push(rowOf(e.expressId, toBox(origin, e.min, e.max), true));
        for (const s of failed) {
          let row: ElementInput | null = null;
          try {
            row = rowOf(s.expressId, null, false);
          } catch {
            /* an element we cannot even read stays out of the index, but is still counted as skipped */
          }
          if (row) batch.push(row);
          skipped.push({ ...s, ...(row ? { globalId: row.globalId } : {}) });
        }
        await flush(false);
      },
    });
    await flush(true);
    done('geometry');

    sink.progress('tiles', 0);
    const tilesDir = join(opts.outDir, 'tiles');
    const tiles = await writeTiles(geom, tilesDir, (id) => features.get(id) ?? { globalId: `#${id}`, ifcClass: 'IfcProduct', name: '' }, (f) =>
      sink.progress('tiles', f * 100),
    );
    writeTilesetJson(tilesDir, tiles.tileset, georeferenceMatrix(georeference));
    done('tiles');

    let bbox: ConversionReport['bbox'] = null;
    if (geom.elements.length) {
      const min = [Infinity, Infinity, Infinity];
      const max = [-Infinity, -Infinity, -Infinity];
      for (const e of geom.elements)
        for (let k = 0; k < 3; k++) (min[k] = Math.min(min[k]!, e.min[k]!)), (max[k] = Math.max(max[k]!, e.max[k]!));
      bbox = toBox(geom.origin, min, max);
    }
    const elementCount = geom.elements.length;
    const indexedCount = features.size;
    const lengthUnitM = index.lengthUnitM;
    // Free the wasm model before Fragments opens its own copy of the file.
    api.CloseModel(modelID);
    modelID = -1;
    geom.elements.length = 0;

    let fragmentsBytes = 0;
    if (!opts.skipFragments) {
      sink.progress('fragments', 0);
      try {
        // Loaded on demand: @thatopen/fragments (and three.js under it) is heavy, and the map job never needs it.
        const { ifcToFragments } = await import('./fragments.js');
        const frag = await ifcToFragments(bytes, (f) => sink.progress('fragments', f * 100));
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
    };
    sink.progress('done', 100);
    return { schema, georeference, report, tree: index.tree };
  } finally {
    if (modelID >= 0) api.CloseModel(modelID);
  }
}
