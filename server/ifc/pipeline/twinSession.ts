import { scanMatchesModel } from './ifcIndex.js';
import { MeshCache } from './meshCache.js';
import { StepLines } from './stepLines.js';
import { createIfcApi, WebIFC, type IfcAPI } from './webIfc.js';

/**
 * One web-ifc parse for the whole twin: the map job (index + tiles) and the Fragments importer read the same open
 * model, where the importer alone used to parse the file twice more (IfcFileReader and IfcPropertyProcessor each make
 * an IfcAPI, Init it and OpenModel the bytes).
 *
 * The model is opened with the importer's loader settings (COORDINATE_TO_ORIGIN: true), in an IfcAPI of its own so
 * that it is model 0: the importer reads model 0 literally in places (GetLine(0, ...), GetCoordinationMatrix(0)).
 * web-ifc fixes the coordination on the first mesh it makes, so the session meshes first the element the importer
 * would mesh first (its class order): the Fragments come out in the same frame as the importer's own parse gives, and
 * the map job's meshes are moved back to the file's frame by that translation (`shift`).
 *
 * The importer is pointed at the model by {@link TwinSession.adopt}: for the duration of one call, and only in the
 * process that calls it (the conversion worker), IfcAPI instances that are Init'ed share this session's wasm module,
 * and their OpenModel returns model 0 without reading the bytes; CloseModel / Dispose leave the model to the session.
 *
 * One geometry pass: the map job keeps the meshes it streams in {@link TwinSession.meshes} (collectGeometry's `keep`),
 * and the importer's StreamMeshes / GetGeometry / GetVertexArray / GetIndexArray are served from them during `adopt`
 * (see MeshCache): web-ifc meshes only what the map job did not keep.
 */
export class TwinSession {
  private closed = false;

  private constructor(
    readonly api: IfcAPI,
    readonly modelID: number,
    /** The file's bytes (the map job's line reader and the importer read them too). */
    readonly bytes: Uint8Array,
    /** The translation web-ifc added to every mesh (its coordination matrix); subtract it for the file's frame. */
    readonly shift: [number, number, number],
    /** The map job's meshes, kept for the importer's pass. */
    readonly meshes: MeshCache,
    /** web-ifc's GetAllTypesOfModel (one embind call for each type of the schema; the importer asks twice more). */
    private readonly types: { typeID: number; typeName: string }[],
    /** The element classes the importer streams, in its order (what our Fragments writer streams too). */
    readonly classes: number[],
  ) {}

  /**
   * Opens `bytes` for the whole twin. Throws when web-ifc refuses the file or the session cannot be set up the way the
   * importer would see it (the caller then converts the old way).
   */
  static async open(bytes: Uint8Array): Promise<TwinSession> {
    const ready = spare;
    spare = null;
    const api = (ready ? await ready.catch(() => null) : null) ?? (await createIfcApi());
    let id = -1;
    try {
      id = api.OpenModel(bytes, { ...IMPORTER_SETTINGS });
      if (id !== 0) throw new Error(`web-ifc opened the model as ${id}, the importer reads model 0`);
      // Nothing is meshed before the file is known to be a model: web-ifc can loop on the geometry of garbage, and the
      // old way's checks (convertIfc) name what is wrong with such a file before any geometry.
      if (api.GetLineIDsWithType(id, WebIFC.IFCPROJECT).size() === 0) throw new Error('the file has no IfcProject');
      const types = api.GetAllTypesOfModel(id);
      const classes = await importerClassOrder(types);
      const shift = coordinate(api, id, classes);
      return new TwinSession(api, id, bytes, shift, new MeshCache(keepable(api, id, classes)), types, classes);
    } catch (err) {
      if (id >= 0) api.CloseModel(id);
      api.Dispose();
      throw err;
    }
  }

  /**
   * Starts the web-ifc of the next session ahead of its job (a conversion worker between jobs): {@link open} takes it
   * instead of instantiating and initialising a wasm module on the job's time (17-154 ms of CPU measured, load ~15).
   * A session's IfcAPI serves one model only (the importer reads model 0, and web-ifc numbers models on), so each
   * session needs a fresh one; a fresh one holds a 16 MB heap it has not touched. Does nothing while one is ready.
   */
  static prepare(): void {
    // An IfcAPI Init'ed while the importer runs would be taken for one of the importer's own (adopt).
    if (spare || adopting) return;
    const p = createIfcApi();
    spare = p;
    p.catch(() => {
      if (spare === p) spare = null;
    });
  }

  /**
   * Runs `fn` (an IfcImporter run) with every IfcAPI it Init's reading this session's model. With `meshes: false` the
   * importer's geometry pass streams nothing (our own writer has made the geometry, see fragWriter.ts).
   */
  async adopt<T>(fn: () => Promise<T>, opts: { meshes?: boolean } = {}): Promise<T> {
    const noMeshes = opts.meshes === false;
    if (this.closed) throw new Error('the shared web-ifc model is closed');
    if (adopting) throw new Error('a shared web-ifc model is already adopted');
    const proto = WebIFC.IfcAPI.prototype;
    const orig = {
      Init: proto.Init,
      OpenModel: proto.OpenModel,
      OpenModelFromCallback: proto.OpenModelFromCallback,
      CloseModel: proto.CloseModel,
      Dispose: proto.Dispose,
      StreamMeshes: proto.StreamMeshes,
      GetGeometry: proto.GetGeometry,
      GetVertexArray: proto.GetVertexArray,
      GetIndexArray: proto.GetIndexArray,
      GetRawLinesData: proto.GetRawLinesData,
      GetAllTypesOfModel: proto.GetAllTypesOfModel,
      GetLine: proto.GetLine,
    };
    const cache = this.meshes;
    const adopted = new WeakSet<object>();
    const shared = this.api as unknown as Record<string, unknown>;
    const modelID = this.modelID;
    proto.Init = async function (this: IfcAPI, ...args: Parameters<IfcAPI['Init']>) {
      if ((this as unknown) === shared) return orig.Init.apply(this, args);
      const self = this as unknown as Record<string, unknown>;
      for (const k of SHARED_STATE) self[k] = shared[k];
      adopted.add(this);
    };
    proto.OpenModel = function (this: IfcAPI, ...args: Parameters<IfcAPI['OpenModel']>) {
      return adopted.has(this) ? modelID : orig.OpenModel.apply(this, args);
    };
    proto.OpenModelFromCallback = function (this: IfcAPI, ...args: Parameters<IfcAPI['OpenModelFromCallback']>) {
      return adopted.has(this) ? modelID : orig.OpenModelFromCallback.apply(this, args);
    };
    proto.CloseModel = function (this: IfcAPI, id: number) {
      if (adopted.has(this) && id === modelID) return;
      return orig.CloseModel.call(this, id);
    };
    proto.Dispose = function (this: IfcAPI) {
      if (!adopted.has(this)) return orig.Dispose.call(this);
      // Drops the instance's hold on the shared module; the session closes the model.
      (this as unknown as Record<string, unknown>).wasmModule = undefined;
      adopted.delete(this);
    };
    // The importer's geometry pass, from the map job's meshes where it kept them.
    proto.StreamMeshes = function (this: IfcAPI, ...[id, ids, cb]: Parameters<IfcAPI['StreamMeshes']>) {
      if (!adopted.has(this) || id !== modelID) return orig.StreamMeshes.call(this, id, ids, cb);
      if (noMeshes) return;
      const each: typeof cb = (mesh, i, n) => {
        meshing = mesh.expressID;
        try {
          cb(mesh, i, n);
        } finally {
          meshing = -1;
        }
      };
      cache.stream(ids, each, (run, c) => orig.StreamMeshes.call(this, id, run, c));
    };
    // The importer asks a product's line twice: in its geometry pass (IfcFileReader's mesh callback, which reads its
    // class and GlobalId and changes nothing) and in its attribute pass (IfcPropertyProcessor.processItems, for every
    // product with geometry). The line the mesh callback asked for is kept and handed to the next ask of it, once:
    // web-ifc makes each such line object once (GetLines, from the raw line through its schema class) instead of twice.
    // Only the plain ask (no flattening, no inverse attributes) of the product being meshed is kept.
    let meshing = -1;
    const asked = new Map<number, unknown>();
    proto.GetLine = function (this: IfcAPI, ...args: Parameters<IfcAPI['GetLine']>) {
      const [id, expressID, flatten, inverse, inverseKey] = args;
      if (!adopted.has(this) || id !== modelID || flatten || inverse || inverseKey)
        return orig.GetLine.apply(this, args);
      const kept = asked.get(expressID);
      if (kept !== undefined) {
        asked.delete(expressID);
        return kept;
      }
      const line = orig.GetLine.apply(this, args);
      if (expressID === meshing && line) asked.set(expressID, line);
      return line;
    };
    proto.GetGeometry = function (this: IfcAPI, id: number, geometryExpressID: number) {
      const kept = adopted.has(this) && id === modelID ? cache.geometry(geometryExpressID) : null;
      return kept ? (kept as unknown as WebIFC.IfcGeometry) : orig.GetGeometry.call(this, id, geometryExpressID);
    };
    // A kept geometry's "pointers" are its arrays (KeptGeometryHandle).
    proto.GetVertexArray = function (this: IfcAPI, ptr: number, size: number) {
      const a = ptr as unknown;
      return a instanceof Float32Array ? a : orig.GetVertexArray.call(this, ptr, size);
    };
    proto.GetIndexArray = function (this: IfcAPI, ptr: number, size: number) {
      const a = ptr as unknown;
      return a instanceof Uint32Array ? a : orig.GetIndexArray.call(this, ptr, size);
    };
    const types = this.types;
    proto.GetAllTypesOfModel = function (this: IfcAPI, id: number) {
      if (!adopted.has(this) || id !== modelID) return orig.GetAllTypesOfModel.call(this, id);
      return types.map((t) => ({ ...t }));
    };
    // The importer's property and relation pass (GetLine, one embind round trip per line), from the file's text.
    const readRaw = this.rawLineReader();
    proto.GetRawLinesData = function (this: IfcAPI, id: number, ids: number[]) {
      if (!readRaw || !adopted.has(this) || id !== modelID) return orig.GetRawLinesData.call(this, id, ids);
      const out: unknown[] = new Array(ids.length);
      let miss: number[] | null = null;
      for (let i = 0; i < ids.length; i++) {
        const line = readRaw(ids[i]!);
        if (line) out[i] = line;
        else (miss ??= []).push(i);
      }
      if (miss) {
        const got = orig.GetRawLinesData.call(
          this,
          id,
          miss.map((i) => ids[i]!),
        ) as unknown[];
        miss.forEach((i, k) => (out[i] = got[k]));
      }
      return out as ReturnType<IfcAPI['GetRawLinesData']>;
    };
    adopting = true;
    try {
      return await fn();
    } finally {
      Object.assign(proto, orig);
      adopting = false;
      // What the importer did not ask for is of no further use.
      cache.clear();
      asked.clear();
    }
  }

  private present: Set<number> | null = null;

  /** The types the model holds a line of (web-ifc's GetAllTypesOfModel, asked once at open). */
  presentTypes(): ReadonlySet<number> {
    return (this.present ??= new Set(this.types.map((t) => t.typeID)));
  }

  private step: StepLines | null = null;

  /** The file's instances, scanned (the map job hands over its scan; else it is made here once). */
  lines(): StepLines {
    return (this.step ??= new StepLines(this.bytes, this.api.GetMaxExpressID(this.modelID)));
  }

  /** Shares a scan of the session's {@link bytes} already made (the map job's). */
  useLines(step: StepLines): void {
    this.step = step;
  }

  /**
   * web-ifc's raw line data (`GetRawLineData`) read from the file's text (StepLines.readRaw), or null for a line this
   * leaves to web-ifc; no reader at all (null) when the scan does not find the instances web-ifc holds (a scan that lost
   * its way in a string or comment, or an id the file repeats). Each line's type is checked against web-ifc's.
   */
  private rawLineReader(): ((id: number) => { ID: number; type: number; arguments: unknown[] } | null) | null {
    const api = this.api;
    const modelID = this.modelID;
    const step = this.lines();
    // The map job asked already for its scan (the element index's text reader).
    if (!scanMatchesModel(api, modelID, step)) return null;
    const codes = new Map<string, number>();
    const codeOf = (name: string): number => {
      let c = codes.get(name);
      if (c === undefined) codes.set(name, (c = api.GetTypeCodeFromName(name)));
      return c;
    };
    return (id) => {
      const line = step.readRaw(id, codeOf);
      if (!line) return null;
      const type = api.GetLineType(modelID, id);
      return type && type === codeOf(line.type) ? { ID: id, type, arguments: line.args } : null;
    };
  }

  /** Closes the model and frees the session's wasm module. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.meshes.clear();
    try {
      this.api.CloseModel(this.modelID);
    } finally {
      this.api.Dispose();
    }
  }
}

/** The start of the warning when a conversion falls back to parsing the file again for the Fragments. */
export const ONE_PARSE_FAILED =
  'the Fragments could not share the parse of the index and tiles (they were built from a parse of their own)';

/** IfcImporter.webIfcSettings (fragments 3.4): the Fragments frame. */
const IMPORTER_SETTINGS: WebIFC.LoaderSettings = { COORDINATE_TO_ORIGIN: true };

/** The IfcAPI fields that hold a module's and its models' state (web-ifc 0.0.77's constructor). */
const SHARED_STATE = [
  'wasmModule',
  'wasmPath',
  'isWasmPathAbsolute',
  'modelSchemaList',
  'modelSchemaNameList',
  'ifcGuidMap',
  'deletedLines',
];

let adopting = false;
/** The IfcAPI of the next session, started by {@link TwinSession.prepare}. */
let spare: Promise<IfcAPI> | null = null;

/** The element classes the importer streams, in its order (IfcFileReader.load: the model's types, annotations last). */
async function importerClassOrder(all: { typeID: number }[]): Promise<number[]> {
  // Loaded here, not at the top: the map job of a worker that never builds Fragments does not need it.
  const { IfcImporter } = await import('@thatopen/fragments');
  const elements = new IfcImporter().classes.elements;
  const types = all.map((e) => e.typeID).filter((t) => elements.has(t));
  const a = types.indexOf(WebIFC.IFCANNOTATION);
  if (a >= 0) types.push(...types.splice(a, 1));
  return types;
}

/**
 * The products the importer streams (its classes) whose meshes the map job may keep for it: all but its rebars, whose
 * geometry it reads as a swept disk (GetSweptDiskSolid) from web-ifc itself.
 */
function keepable(api: IfcAPI, modelID: number, classes: number[]): Set<number> {
  const out = new Set<number>();
  for (const type of classes) {
    if (type === WebIFC.IFCREINFORCINGBAR) continue;
    const ids = api.GetLineIDsWithType(modelID, type);
    for (let i = 0, n = ids.size(); i < n; i++) out.add(ids.get(i));
  }
  return out;
}

/**
 * Meshes, one by one in the importer's order, the elements until one has geometry: web-ifc fixes its coordination
 * matrix there, as it would in the importer's own stream. Returns the matrix's translation; throws if it is more than
 * one (the map job could not undo it by a subtraction).
 */
function coordinate(api: IfcAPI, modelID: number, classes: number[]): [number, number, number] {
  outer: for (const type of classes) {
    const ids = api.GetLineIDsWithType(modelID, type);
    for (let i = 0, n = ids.size(); i < n; i++) {
      let drawn = false;
      api.StreamMeshes(modelID, [ids.get(i)], (m) => void (drawn ||= m.geometries.size() > 0));
      if (drawn) break outer;
    }
  }
  const m = api.GetCoordinationMatrix(modelID);
  for (let k = 0; k < 12; k++)
    if (m[k] !== (k % 5 === 0 ? 1 : 0)) throw new Error('web-ifc coordinated the model by more than a translation');
  if (m[15] !== 1) throw new Error('web-ifc coordinated the model by more than a translation');
  return [m[12]!, m[13]!, m[14]!];
}
