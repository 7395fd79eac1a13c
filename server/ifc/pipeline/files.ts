import { join, resolve } from 'node:path';

/**
 * Where a model's files live: `DATA_DIR/models/<id>/` holds the upload (`source.ifc` or `source.ifczip`), the
 * unpacked IFC of a zip (`unpacked.ifc`), `model.frag` and `tiles/`. The same folder is used with either store driver.
 */
export const modelsRoot = (dataDir: string) => resolve(dataDir, 'models');
export const modelDir = (dataDir: string, id: string) => join(modelsRoot(dataDir), id);
export const sourceFile = (dir: string, kind: 'ifc' | 'ifczip') => join(dir, `source.${kind}`);
export const unpackedFile = (dir: string) => join(dir, 'unpacked.ifc');
export const fragmentsFile = (dir: string) => join(dir, 'model.frag');
export const tilesDir = (dir: string) => join(dir, 'tiles');
