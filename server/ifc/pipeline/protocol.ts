import type { ConversionStage } from '../../../models/BimModel.js';
import type { ErrorCode } from '../../../models/errors.js';
import type { ElementInput } from '../../../models/BimModel.js';
import type { ConversionResult } from './convert.js';
import type { DemoBuildingOptions } from './demoBuilding.js';
import type { IfcScheduleResult } from './workSchedule.js';

/**
 * One job as the main process hands it to a worker process. `map` (the default) makes what the map needs (element
 * index, 3D Tiles) and ends with `done`; `fragments` makes the BIM workspace's `model.frag` from `sourcePath` (a plain
 * IFC) and ends with `fragments`. They are separate jobs so a model reaches the map without waiting for Fragments.
 */
export interface ConversionJob {
  kind?: 'map' | 'fragments';
  modelId: string;
  /** The uploaded file. */
  sourcePath: string;
  sourceKind: 'ifc' | 'ifczip';
  /** Output folder of the model. */
  outDir: string;
  fallback?: { lon: number; lat: number; height: number };
  /** Warn when the file's georeference stands farther than this from `fallback` (the project's location). */
  farFromProjectM?: number;
  /** Largest IFC an .ifczip may expand to (bytes; MAX_UPLOAD_MB): unpacking stops past it. */
  maxUnpackedBytes?: number;
  /** Largest plain IFC converted at all (bytes; IFC_CONVERT_MAX_MB): past it the job fails with `too_large`. */
  maxConvertBytes?: number;
  /** Largest plain IFC whose Fragments file is built (bytes; IFC_FRAGMENTS_MAX_MB): past it the map job says so. */
  maxFragmentsBytes?: number;
  /** Generate the IFC first (demo buildings): written to `sourcePath` by the worker, off the server's event loop. */
  generate?: DemoBuildingOptions;
}

/**
 * Reads the 4D schedule (IfcWorkSchedule) of a model's plain IFC at `sourcePath` and ends with `schedule`: the
 * schedule-from-IFC import, run in a worker so that web-ifc never runs in the server process. A request waits for it.
 */
export interface ScheduleJob {
  kind: 'schedule';
  modelId: string;
  sourcePath: string;
}

/** Any job a worker process takes. */
export type WorkerJob = ConversionJob | ScheduleJob;

/**
 * Main -> worker. `ack` releases the next element batch (back-pressure: the store sets the pace). A map job's `then` (its
 * model's Fragments job) is run by the worker right after `done`, unless `noThen` for that model came first (a job is
 * waiting for this worker): `done` says which (`continues`).
 */
export type ToWorker =
  | { type: 'job'; job: WorkerJob; then?: ConversionJob }
  | { type: 'noThen'; modelId: string }
  | { type: 'ack'; seq: number };

/** Worker -> main. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; modelId: string; stage: ConversionStage; pct: number }
  | { type: 'elements'; modelId: string; seq: number; batch: ElementInput[] }
  | {
      type: 'done';
      modelId: string;
      result: ConversionResult;
      /** Why no Fragments job is to follow (the file is past IFC_FRAGMENTS_MAX_MB); the map twin is complete. */
      fragmentsSkipped?: string;
      /** The worker goes on with the job's `then` (the model's Fragments job) without waiting to be sent it. */
      continues?: boolean;
    }
  | { type: 'fragments'; modelId: string; bytes: number; warnings?: string[] }
  | { type: 'schedule'; modelId: string; result: IfcScheduleResult }
  | { type: 'failed'; modelId: string; code: ErrorCode; message: string; problem?: string };
