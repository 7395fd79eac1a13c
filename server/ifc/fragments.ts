import { IfcImporter } from '@thatopen/fragments';
import { WEB_IFC_DIR } from './webIfc.js';

/**
 * Converts IFC bytes to a That Open Fragments file for the BIM workspace, headless (the importer runs its own web-ifc
 * from the installed package; nothing is fetched). `onProgress` gets 0..1.
 */
export async function ifcToFragments(bytes: Uint8Array, onProgress: (f: number) => void = () => {}): Promise<Uint8Array> {
  const importer = new IfcImporter();
  importer.wasm = { absolute: true, path: WEB_IFC_DIR };
  return importer.process({
    bytes,
    progressCallback: (p: number) => {
      if (Number.isFinite(p)) onProgress(Math.min(1, Math.max(0, p)));
    },
  });
}
