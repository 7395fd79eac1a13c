import type { ConversionStage } from '../../../models/BimModel.js';
import type { ErrorCode } from '../../../models/errors.js';
import type { ElementInput } from '../../store/ElementRepo.js';
import type { ConversionResult } from '../convert.js';
import type { DemoBuildingOptions } from '../demoBuilding.js';

/** One conversion as the main process hands it to a worker process. */
export interface ConversionJob {
  modelId: string;
  /** The uploaded file. */
  sourcePath: string;
  sourceKind: 'ifc' | 'ifczip';
  /** Output folder of the model. */
  outDir: string;
  fallback?: { lon: number; lat: number; height: number };
  /** Generate the IFC first (demo buildings): written to `sourcePath` by the worker, off the server's event loop. */
  generate?: DemoBuildingOptions;
}

/** Main -> worker. `ack` releases the next element batch (back-pressure: the store sets the pace). */
export type ToWorker = { type: 'job'; job: ConversionJob } | { type: 'ack'; seq: number };

/** Worker -> main. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; modelId: string; stage: ConversionStage; pct: number }
  | { type: 'elements'; modelId: string; seq: number; batch: ElementInput[] }
  | { type: 'done'; modelId: string; result: ConversionResult }
  | { type: 'failed'; modelId: string; code: ErrorCode; message: string };
