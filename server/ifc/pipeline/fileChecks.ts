import { FromRawLineData, InheritanceDef, SchemaNames } from 'web-ifc';
import type { StepLines } from './stepLines.js';
import { WebIFC, type IfcAPI } from './webIfc.js';

/**
 * Checks that tell a doubtful file from a sound one before it becomes a model: references to entities the file does
 * not hold, entities its declared schema does not have, and the schema's own type lists (which types are products).
 */

/** A failing check: `problem` is stable (ModelError.problem), the message is for the person who uploaded the file. */
export interface FileProblem {
  problem: 'no_project' | 'dangling_references';
  message: string;
}

/**
 * A sound file references nothing it does not hold; a few dangling references are tolerated (with a warning), more
 * than this share of all references (and at least DANGLING_MIN of them) fail the file: it is cut short or damaged,
 * and what it would show is an unknown part of the model.
 */
export const DANGLING_MAX_SHARE = 0.01;
export const DANGLING_MIN = 10;

/** Dangling references: a problem past the threshold, a warning below it, nothing for a sound file. */
export function checkReferences(step: StepLines): { problem?: FileProblem; warning?: string } {
  const r = step.references();
  if (r.dangling === 0) return {};
  const what = `${r.dangling} references of ${r.total} point to entities the file does not hold (e.g. #${r.example!.to} from #${r.example!.from})`;
  if (r.dangling >= DANGLING_MIN && r.dangling > r.total * DANGLING_MAX_SHARE)
    return {
      problem: {
        problem: 'dangling_references',
        message: `${what}: the file is cut short or damaged; export it again`,
      },
    };
  return { warning: `${what}; those references were left out` };
}

/** Index of the file's schema in web-ifc's schema tables (SchemaNames, FromRawLineData, InheritanceDef), or -1. */
function schemaIndex(schema: string): number {
  return (SchemaNames as (string[] | undefined)[]).findIndex((names) => !!names?.includes(schema));
}

/** Names of the most telling entities, for a warning that says what is lost. */
const GEOREFERENCE = new Set(['IfcMapConversion', 'IfcProjectedCRS', 'IfcRigidOperation', 'IfcGeographicCRS']);

/**
 * Entities the file holds that its declared schema (FILE_SCHEMA) does not have, e.g. IfcMapConversion under an
 * IFC2X3 header: web-ifc reads the file by the declared schema and cannot read those lines, so whatever they carry is
 * silently lost. Returns the warning, or null when every entity belongs to the schema. Types are taken from the other
 * schemas web-ifc knows; a type no schema has is not web-ifc's to read anyway.
 */
export function schemaStrangers(
  api: IfcAPI,
  modelID: number,
  schema: string,
): { warning: string; types: Set<number> } | null {
  const own = schemaIndex(schema);
  if (own < 0) return null;
  const ownTypes = FromRawLineData[own] as Record<number, unknown>;
  const candidates: number[] = [];
  const checked = new Set<number>();
  for (const [k, table] of Object.entries(FromRawLineData as Record<string, Record<number, unknown>>)) {
    if (Number(k) === own) continue;
    for (const key of Object.keys(table)) {
      const type = Number(key);
      if (checked.has(type) || type in ownTypes) continue;
      checked.add(type);
      candidates.push(type);
    }
  }
  // A sound file holds none of them: one question to web-ifc for them all (its module takes a list of types), instead
  // of one embind round trip for each of about a thousand types. Only a file that holds some is counted type by type.
  if (!holdsAny(api, modelID, candidates)) return null;
  const found: { name: string; count: number; type: number }[] = [];
  for (const type of candidates) {
    let count = 0;
    try {
      count = api.GetLineIDsWithType(modelID, type).size();
    } catch {
      /* not readable: counts as absent */
    }
    if (count > 0) found.push({ name: api.GetNameFromTypeCode(type) ?? `#${type}`, count, type });
  }
  if (found.length === 0) return null;
  found.sort((a, b) => b.count - a.count);
  const lost = found.filter((f) => GEOREFERENCE.has(f.name)).map((f) => f.name);
  const list = found
    .slice(0, 8)
    .map((f) => `${f.name} x${f.count}`)
    .join(', ');
  return {
    types: new Set(found.map((f) => f.type)),
    warning:
      `the file declares ${schema} but holds ${found.length} entity type${found.length === 1 ? '' : 's'} that schema does not have (${list}${found.length > 8 ? ', …' : ''}); ` +
      `they could not be read${lost.length ? `, so its georeference (${lost.join(', ')}) was ignored` : ''}: check the FILE_SCHEMA line of the export`,
  };
}

/** Whether the model holds a line of any of `types` (true when that cannot be asked in one call: then ask each). */
function holdsAny(api: IfcAPI, modelID: number, types: number[]): boolean {
  if (types.length === 0) return false;
  const wasm = (api as unknown as { wasmModule?: { GetLineIDsWithType?: (m: number, t: number[]) => unknown } })
    .wasmModule;
  if (typeof wasm?.GetLineIDsWithType !== 'function') return true;
  try {
    const ids = wasm.GetLineIDsWithType(modelID, types) as { size(): number; delete?: () => void };
    const n = ids.size();
    ids.delete?.();
    return n > 0;
  } catch {
    return true;
  }
}

/** Type codes of every IfcProduct subtype in the file's schema (web-ifc's inheritance table), or null if unknown. */
export function productTypes(schema: string): number[] | null {
  const i = schemaIndex(schema);
  const list = i >= 0 ? ((InheritanceDef[i] as Record<number, number[]>)[WebIFC.IFCPRODUCT] ?? null) : null;
  return list ? [...list] : null;
}
