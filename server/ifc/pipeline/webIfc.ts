import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as WebIFC from 'web-ifc';

/**
 * The one place that knows how to start web-ifc in Node. The wasm is read from the installed package (never fetched),
 * and the single-threaded build is forced: the multi-threaded one needs SharedArrayBuffer workers that Node's wasm
 * glue does not set up, and conversions run in their own worker anyway.
 */
const require = createRequire(import.meta.url);

/** Folder of the installed web-ifc package, with a trailing slash as `SetWasmPath` wants. */
export const WEB_IFC_DIR: string = dirname(require.resolve('web-ifc/web-ifc-node.wasm')) + '/';

/** Loader settings that keep the file's own coordinates: the georeference refers to this frame (see Georeference.ts). */
export const KEEP_COORDINATES: WebIFC.LoaderSettings = { COORDINATE_TO_ORIGIN: false };

/** Creates and initialises an IfcAPI. Each call costs ~100-300 ms (wasm compile); share one per worker or test file. */
export async function createIfcApi(opts: { logLevel?: WebIFC.LogLevel } = {}): Promise<WebIFC.IfcAPI> {
  const api = new WebIFC.IfcAPI();
  api.SetWasmPath(WEB_IFC_DIR, true);
  await api.Init(undefined, true);
  // web-ifc logs unsupported entities to the console at LOG_LEVEL_ERROR by default; callers that want them raise it.
  api.SetLogLevel(opts.logLevel ?? WebIFC.LogLevel.LOG_LEVEL_OFF);
  return api;
}

/**
 * Opens IFC bytes with the world coordinates left as the file has them. Throws an Error whose message says what went
 * wrong when web-ifc refuses the file (it returns -1 instead of throwing).
 */
export function openModel(api: WebIFC.IfcAPI, data: Uint8Array, settings: WebIFC.LoaderSettings = {}): number {
  const id = api.OpenModel(data, { ...KEEP_COORDINATES, ...settings });
  if (id < 0) throw new Error('web-ifc could not open the file: it is not a readable IFC (STEP) model');
  return id;
}

export { WebIFC };
export type IfcAPI = WebIFC.IfcAPI;
