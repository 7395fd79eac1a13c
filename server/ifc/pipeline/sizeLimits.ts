import { statSync } from 'node:fs';

/**
 * Size bounds of a conversion, checked by the worker on the plain IFC (the upload, or what a zip expanded to) before
 * web-ifc reads a byte of it, so that a file past them fails with a stable `problem` and a reason instead of an
 * out-of-memory or an internal error halfway through.
 *
 * - `too_large` (IFC_CONVERT_MAX_MB): the file is not converted at all. The worker reads the whole file into one
 *   buffer for web-ifc (and the line reader of the index), and Node reads at most 2 GiB into one buffer
 *   (ERR_FS_FILE_TOO_LARGE): the default, 2047 MB, is that bound. web-ifc's own (its wasm32 heap of 4 GB holds its
 *   token tape, up to MEMORY_LIMIT = 2 GB, plus the model's lines and meshes) lies past it: a 1 GB file peaked at
 *   2.7 GB of worker RSS (bench/ifcHealth.ts, --mb 1024).
 * - `too_large_for_fragments` (IFC_FRAGMENTS_MAX_MB): the map twin (index, tiles) is made, the BIM workspace's
 *   Fragments file is not (the importer holds every element's geometry and properties at once).
 */
export interface SizeLimits {
  /** Largest plain IFC converted at all, bytes. */
  maxConvertBytes?: number;
  /** Largest plain IFC whose Fragments file is built, bytes. */
  maxFragmentsBytes?: number;
}

export const MB = 1024 * 1024;

const mb = (bytes: number) => `${Math.round((bytes / MB) * 10) / 10} MB`;

/** Why the file at `path` is not converted, or null when it is within `maxBytes` (or there is no bound). */
export function convertSizeProblem(path: string, maxBytes: number | undefined): string | null {
  if (!maxBytes) return null;
  const size = statSync(path).size;
  if (size <= maxBytes) return null;
  return (
    `The IFC is ${mb(size)}, more than the ${mb(maxBytes)} this server converts (IFC_CONVERT_MAX_MB): ` +
    'the converter reads the whole file into memory at once. Split the model (by building or storey) and upload the parts'
  );
}

/** Why the Fragments file of the file at `path` is not built, or null when it is within `maxBytes`. */
export function fragmentsSizeProblem(path: string, maxBytes: number | undefined): string | null {
  if (!maxBytes) return null;
  const size = statSync(path).size;
  if (size <= maxBytes) return null;
  return (
    `The BIM workspace file (Fragments) is not built for an IFC of ${mb(size)}, more than ${mb(maxBytes)} ` +
    '(IFC_FRAGMENTS_MAX_MB): the model is on the map with its element index; split it to open it in the workspace'
  );
}
