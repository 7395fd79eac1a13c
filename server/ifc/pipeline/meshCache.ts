import type { FlatMesh, PlacedGeometry } from 'web-ifc';

/**
 * One geometry pass for the whole twin (issue 18): the meshes web-ifc streams in the map job's pass are kept, as web-ifc
 * gave them, for the Fragments importer's pass, which is then served from here instead of meshing the file again.
 *
 * What is kept is exactly what the importer reads of a mesh (IfcFileReader.load's callback): the product's express id
 * and, per placed geometry, its geometry id, colour and transformation, and the geometry's vertex and index arrays
 * (GetVertexArray / GetIndexArray copies the map job reads anyway). A product is kept only when the importer will
 * stream it ({@link MeshCache.wants}), when every one of its geometries was read, and while the kept arrays stay under
 * the cache's budget; any other product is meshed by web-ifc in the importer's pass as before (a miss costs time, never
 * output). A kept mesh is dropped when it is replayed: the importer streams each product once.
 */
export interface KeptGeometry {
  placed: PlacedGeometry;
  vertices: Float32Array;
  indices: Uint32Array;
}

interface KeptMesh {
  expressID: number;
  geometries: KeptGeometry[];
}

/** The budget of kept vertex and index bytes by default; IFC_TWIN_KEEP_MB overrides it (0 keeps nothing). */
export const DEFAULT_KEEP_MB = 1024;
const keepBudgetMb = () => {
  const env = Number(process.env.IFC_TWIN_KEEP_MB);
  return process.env.IFC_TWIN_KEEP_MB && Number.isFinite(env) && env >= 0 ? env : DEFAULT_KEEP_MB;
};

export class MeshCache {
  private readonly kept = new Map<number, KeptMesh>();
  private bytes = 0;
  /** Products the map job kept, and those it could not for the budget (bench and tests read them). */
  readonly stats = { kept: 0, overBudget: 0, replayed: 0, meshedAgain: 0 };

  constructor(
    /** The products the importer streams (and can take from a cache: not its rebars, see {@link TwinSession}). */
    private readonly wanted: Set<number>,
    private readonly budgetBytes: number = keepBudgetMb() * 1048576,
  ) {}

  wants(expressID: number): boolean {
    return this.wanted.has(expressID);
  }

  /** Keeps a product's mesh: every placed geometry of it, in web-ifc's order, with the arrays web-ifc gave for it. */
  keep(expressID: number, geometries: KeptGeometry[]): void {
    if (!this.wanted.has(expressID) || this.kept.has(expressID) || geometries.length === 0) return;
    let size = 0;
    for (const g of geometries) size += g.vertices.byteLength + g.indices.byteLength;
    if (this.bytes + size > this.budgetBytes) {
      this.stats.overBudget++;
      return;
    }
    this.bytes += size;
    this.stats.kept++;
    this.kept.set(expressID, { expressID, geometries });
  }

  /** Frees every kept mesh. */
  clear(): void {
    this.kept.clear();
    this.bytes = 0;
  }

  /**
   * `StreamMeshes` for the importer: kept products are handed over from the cache, the others meshed by web-ifc
   * (`stream`), in the order asked. While a kept mesh is in the callback, {@link geometry} serves its geometries.
   */
  stream(
    ids: ArrayLike<number>,
    cb: (mesh: FlatMesh, index: number, total: number) => void,
    stream: (ids: number[], cb: (mesh: FlatMesh, index: number, total: number) => void) => void,
  ): void {
    const total = ids.length;
    let run: number[] = [];
    const flush = () => {
      if (!run.length) return;
      this.stats.meshedAgain += run.length;
      stream(run, cb);
      run = [];
    };
    for (let i = 0; i < total; i++) {
      const id = ids[i]!;
      const m = this.kept.get(id);
      if (!m) {
        run.push(id);
        continue;
      }
      flush();
      this.kept.delete(id);
      for (const g of m.geometries) this.bytes -= g.vertices.byteLength + g.indices.byteLength;
      this.stats.replayed++;
      this.replaying = m;
      try {
        cb(flatMesh(m), i, total);
      } finally {
        this.replaying = null;
      }
    }
    flush();
  }

  private replaying: KeptMesh | null = null;

  /** The geometry `GetGeometry` gives for `geometryExpressID` while a kept mesh is replayed, else null. */
  geometry(geometryExpressID: number): KeptGeometryHandle | null {
    const g = this.replaying?.geometries.find((x) => x.placed.geometryExpressID === geometryExpressID);
    return g ? new KeptGeometryHandle(g) : null;
  }
}

/**
 * web-ifc's IfcGeometry for a kept geometry: its "pointers" are the arrays themselves, which the patched
 * GetVertexArray / GetIndexArray hand back (the importer copies them into arrays of its own and never writes them).
 */
export class KeptGeometryHandle {
  constructor(private readonly g: KeptGeometry) {}
  GetVertexData(): Float32Array {
    return this.g.vertices;
  }
  GetVertexDataSize(): number {
    return this.g.vertices.length;
  }
  GetIndexData(): Uint32Array {
    return this.g.indices;
  }
  GetIndexDataSize(): number {
    return this.g.indices.length;
  }
  delete(): void {}
}

/** web-ifc's FlatMesh shape over a kept mesh: `geometries` is an embind vector (size / get, undefined past the end). */
function flatMesh(m: KeptMesh): FlatMesh {
  const list = m.geometries;
  return {
    expressID: m.expressID,
    geometries: {
      size: () => list.length,
      get: (i: number) => list[i]?.placed,
    },
    delete() {},
  } as unknown as FlatMesh;
}
