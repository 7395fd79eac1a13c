import type { ElementInput, ElementPage, ElementQuery, ModelElement, PropertySets } from '../../models/BimModel.js';
import { randomUUID } from 'node:crypto';
import type { Db, DbTx } from './Db.js';

interface Row {
  global_id: string;
  express_id: number;
  ifc_class: string;
  name: string | null;
  predefined_type: string | null;
  storey_id: string | null;
  storey_name: string | null;
  psets?: PropertySets | string;
  has_geometry: boolean;
  x0: number | null;
  y0: number | null;
  z0: number | null;
  x1: number | null;
  y1: number | null;
  z1: number | null;
}

const BOX = 'min_x AS x0, min_y AS y0, min_z AS z0, max_x AS x1, max_y AS y1, max_z AS z1';
const BASE = `global_id, express_id, ifc_class, name, predefined_type, storey_id, storey_name, has_geometry, ${BOX}`;

function toElement(r: Row): ModelElement {
  return {
    globalId: r.global_id,
    expressId: Number(r.express_id),
    ifcClass: r.ifc_class,
    name: r.name,
    predefinedType: r.predefined_type,
    storeyId: r.storey_id,
    storeyName: r.storey_name,
    ...(r.psets !== undefined ? { psets: typeof r.psets === 'string' ? JSON.parse(r.psets) : r.psets } : {}),
    bbox:
      r.x0 === null
        ? null
        : { min: [Number(r.x0), Number(r.y0), Number(r.z0)], max: [Number(r.x1), Number(r.y1), Number(r.z1)] },
    hasGeometry: r.has_geometry,
  };
}

const COLS_PER_ROW = 16;

/** A value as a COPY text-format field: `\N` for null; backslash, tab, newline and carriage return escaped. */
function copyField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  const t = String(v);
  return /[\\\t\n\r]/.test(t)
    ? t.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : t;
}

/**
 * How rows are written. `copy`: COPY straight into the table (the database makes the PostGIS box from the six numbers,
 * migration 012); a batch holding a GlobalId the model already has goes through a staging table and INSERT ...
 * ON CONFLICT DO NOTHING instead (COPY has no ON CONFLICT). `insert`: one multi-row INSERT with bind parameters.
 */
export type ElementWriteMode = 'copy' | 'insert';

const COLUMNS =
  'model_id, global_id, express_id, ifc_class, name, predefined_type, storey_id, storey_name, psets, has_geometry, min_x, min_y, min_z, max_x, max_y, max_z';

const STAGE = `CREATE TEMP TABLE IF NOT EXISTS elements_stage (
  ord integer NOT NULL, global_id text NOT NULL, express_id integer NOT NULL, ifc_class text NOT NULL, name text,
  predefined_type text, storey_id text, storey_name text, psets jsonb NOT NULL, has_geometry boolean NOT NULL,
  x0 float8, y0 float8, z0 float8, x1 float8, y1 float8, z1 float8) ON COMMIT DELETE ROWS`;

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** A row's text after its first column (the model id, or the staging table's order): the row's fields, tab-separated. */
function copyLine(e: ElementInput): string {
  const b = e.bbox;
  return `\t${copyField(e.globalId)}\t${e.expressId | 0}\t${copyField(e.ifcClass)}\t${copyField(e.name)}\t${copyField(e.predefinedType)}\t${copyField(e.storeyId)}\t${copyField(e.storeyName)}\t${copyField(JSON.stringify(e.psets))}\t${e.hasGeometry ? 't' : 'f'}\t${
    b ? `${b.min[0]}\t${b.min[1]}\t${b.min[2]}\t${b.max[0]}\t${b.max[1]}\t${b.max[2]}` : '\\N\t\\N\t\\N\t\\N\t\\N\t\\N'
  }\n`;
}

/** A batch's rows without a GlobalId repeated within it (the first kept). */
function uniqueRows(items: ElementInput[]): ElementInput[] {
  const seen = new Set<string>();
  return items.filter((e) => !seen.has(e.globalId) && (seen.add(e.globalId), true));
}

/** The COPY text of rows straight into the elements table (or a copy of it). */
function tableText(modelId: string, rows: ElementInput[]): string {
  let text = '';
  for (const e of rows) text += modelId + copyLine(e);
  return text;
}

/**
 * Writes rows (already unique within the batch) inside the caller's transaction through the staging table and one
 * INSERT ... SELECT ... ON CONFLICT DO NOTHING (the staging table empties at commit): for a batch holding a GlobalId the
 * model already has (a file that repeats one across batches). Returns how many rows were new.
 */
async function stageRows(tx: DbTx, modelId: string, unique: ElementInput[], table = 'elements'): Promise<number> {
  let text = '';
  unique.forEach((e, i) => (text += i + copyLine(e)));
  await tx.exec(STAGE);
  await tx.copyFrom('COPY elements_stage FROM STDIN', text);
  const r = await tx.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO ${table} (${COLUMNS})
       SELECT $1::uuid, global_id, express_id, ifc_class, name, predefined_type, storey_id, storey_name, psets, has_geometry, x0, y0, z0, x1, y1, z1
       FROM elements_stage ORDER BY ord
       ON CONFLICT (model_id, global_id) DO NOTHING RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [modelId],
  );
  return Number(r.rows[0]!.n);
}

/**
 * Writes rows inside the caller's transaction into `table`: one COPY straight into it in a savepoint, or (a GlobalId
 * already stored) the staging path. The warm-up's path; ElementRepo.copyBatch runs the COPY as a statement of its own.
 *
 * Why not always the staging path: for the demo tower's 4,440 rows on the embedded store, in one scratch run (2026-11-22,
 * medians of 7 warm rounds, alternating; single rounds varied by about ±100 ms) the staging path with the box made by
 * ST_3DMakeBox in the INSERT took 369 ms of CPU and a COPY straight into a table with the generated box 290 ms (both
 * tables with the foreign key; 457 against 305 ms without it). In bench/ifc.ts's pool the server's CPU for the tower went
 * from 577-852 ms to 426-601 ms. A model's rows are the server's biggest write by far, and on the embedded store they
 * run on its own thread.
 */
async function copyRows(tx: DbTx, modelId: string, items: ElementInput[], table = 'elements'): Promise<number> {
  const unique = uniqueRows(items);
  await tx.exec('SAVEPOINT element_rows');
  try {
    await tx.copyFrom(`COPY ${table} (${COLUMNS}) FROM STDIN`, tableText(modelId, unique));
    await tx.exec('RELEASE SAVEPOINT element_rows');
    return unique.length;
  } catch (err) {
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    await tx.exec('ROLLBACK TO SAVEPOINT element_rows');
  }
  return stageRows(tx, modelId, unique, table);
}

/** The element index of the models: one row per IFC product, searchable by class, storey and text. */
export class ElementRepo {
  constructor(private readonly db: Db) {}

  /** See {@link ElementWriteMode}; measured with bench/elementRows.ts on both stores. */
  writeMode: ElementWriteMode = 'copy';

  /**
   * Inserts a batch. A GlobalId seen twice in a model (broken exporters do that) keeps its first row, also within the
   * batch; returns how many rows were new.
   */
  async insertBatch(modelId: string, items: ElementInput[]): Promise<number> {
    if (items.length === 0) return 0;
    return this.writeMode === 'copy' ? this.copyBatch(modelId, items) : this.insertRows(modelId, items);
  }

  /**
   * One COPY statement of its own (its own transaction), then the staging path in a transaction only when it met a
   * GlobalId already stored. Embedded store, WILLEMSEN's 980 rows in 200-row writes, warm (scratch timing, 15
   * alternating rounds, load ~9, 2026-12-08): 49 ms of CPU with the transaction and savepoint, 41 ms as one statement.
   * On the first conversion after a start (bench/ifc.ts --one pool) the server's CPU did not move measurably.
   */
  private async copyBatch(modelId: string, items: ElementInput[]): Promise<number> {
    const unique = uniqueRows(items);
    try {
      await this.db.copy(`COPY elements (${COLUMNS}) FROM STDIN`, tableText(modelId, unique));
      return unique.length;
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    }
    return this.db.transaction((tx) => stageRows(tx, modelId, unique));
  }

  /**
   * Runs the element write path on synthetic rows written into a temporary copy of the table (same columns and
   * indexes), in transactions that are rolled back: nothing is stored. PGlite is wasm that V8 first runs from its baseline compiler and optimises only once it is hot, so the
   * first model a fresh server indexes paid about twice the CPU of the next (bench/ifc.ts, 2026-11-22: server CPU
   * ~1,050 ms cold against ~620-660 ms on a second conversion of the demo tower). The server calls this once at start
   * with the embedded store; returns the milliseconds it took.
   */
  async warmUp(rows = 2000): Promise<number> {
    const t0 = performance.now();
    const items: ElementInput[] = Array.from({ length: rows }, (_, i) => ({
      globalId: `warm-up-${i.toString(36).padStart(6, '0')}`,
      expressId: i + 1,
      ifcClass: i % 3 ? 'IfcWall' : 'IfcSlab',
      name: `Warm-up element ${i}`,
      predefinedType: i % 2 ? 'STANDARD' : null,
      storeyId: `warm-up-storey-${i % 10}`,
      storeyName: `Storey ${i % 10}`,
      psets: {
        Pset_WallCommon: { IsExternal: i % 2 === 0, LoadBearing: true, Reference: `W${i}` },
        Qto_WallBaseQuantities: { Length: i * 0.5, Height: 3.2 },
      },
      bbox: { min: [i, i % 7, 0], max: [i + 1, (i % 7) + 0.3, 3.2] },
      hasGeometry: true,
    }));
    const ROLLBACK = new Error('warm-up rollback');
    // One short rolled-back transaction per chunk, in the write's own chunk size: other queries wait for one chunk at
    // most, never for the whole warm-up.
    for (let i = 0; i < items.length; i += 250) {
      try {
        await this.db.transaction(async (tx) => {
          // A temporary copy of the elements table with the same columns and indexes (and no foreign key), made and
          // dropped by this transaction: the real table never sees the synthetic rows.
          await tx.exec('CREATE TEMP TABLE elements_warm_up (LIKE elements INCLUDING ALL)');
          await copyRows(tx, randomUUID(), items.slice(i, i + 250), 'elements_warm_up');
          throw ROLLBACK;
        });
      } catch (err) {
        if (err !== ROLLBACK) throw err;
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    return performance.now() - t0;
  }

  private async insertRows(modelId: string, items: ElementInput[]): Promise<number> {
    // PostgreSQL caps bind parameters at 65535 per statement.
    const maxRows = Math.floor(65_000 / COLS_PER_ROW);
    let inserted = 0;
    for (let start = 0; start < items.length; start += maxRows) {
      const chunk = items.slice(start, start + maxRows);
      const params: unknown[] = [];
      const values = chunk.map((e) => {
        const i = params.length;
        const b = e.bbox;
        params.push(
          modelId,
          e.globalId,
          e.expressId,
          e.ifcClass,
          e.name,
          e.predefinedType,
          e.storeyId,
          e.storeyName,
          JSON.stringify(e.psets),
          e.hasGeometry,
          b?.min[0] ?? null,
          b?.min[1] ?? null,
          b?.min[2] ?? null,
          b?.max[0] ?? null,
          b?.max[1] ?? null,
          b?.max[2] ?? null,
        );
        const p = (k: number) => `$${i + k}`;
        return `(${p(1)}::uuid, ${p(2)}, ${p(3)}::int, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}::jsonb, ${p(10)}::boolean,
          ${p(11)}::float8, ${p(12)}::float8, ${p(13)}::float8, ${p(14)}::float8, ${p(15)}::float8, ${p(16)}::float8)`;
      });
      const r = await this.db.query(
        `INSERT INTO elements (${COLUMNS})
         VALUES ${values.join(',\n')} ON CONFLICT (model_id, global_id) DO NOTHING RETURNING express_id`,
        params,
      );
      inserted += r.rows.length;
    }
    return inserted;
  }

  /** A page of elements matching the filters, ordered by class then name, without property sets. */
  async list(modelId: string, q: ElementQuery): Promise<ElementPage> {
    const where = ['model_id = $1'];
    const params: unknown[] = [modelId];
    const add = (sql: (i: number) => string, v: unknown) => {
      params.push(v);
      where.push(sql(params.length));
    };
    // IFC class names are case-insensitive in STEP (IFCWALL = IfcWall).
    if (q.class) add((i) => `upper(ifc_class) = upper($${i})`, q.class);
    if (q.storey) add((i) => `(storey_id = $${i} OR storey_name = $${i})`, q.storey);
    if (q.q)
      add(
        (i) => `(name ILIKE $${i} OR global_id ILIKE $${i} OR ifc_class ILIKE $${i})`,
        `%${q.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`,
      );
    const w = where.join(' AND ');
    const total = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM elements WHERE ${w}`, params);
    const rows = await this.db.query<Row>(
      `SELECT ${BASE} FROM elements WHERE ${w} ORDER BY ifc_class, name NULLS LAST, global_id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    );
    return { total: Number(total.rows[0]!.n), items: rows.rows.map(toElement) };
  }

  /** One element with its property sets, or null. */
  async get(modelId: string, globalId: string): Promise<ModelElement | null> {
    const r = await this.db.query<Row>(`SELECT ${BASE}, psets FROM elements WHERE model_id = $1 AND global_id = $2`, [
      modelId,
      globalId,
    ]);
    return r.rows[0] ? toElement(r.rows[0]) : null;
  }

  async count(modelId: string): Promise<number> {
    const r = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM elements WHERE model_id = $1', [
      modelId,
    ]);
    return Number(r.rows[0]!.n);
  }

  /** Removes a model's rows (before a re-conversion). */
  async deleteModel(modelId: string): Promise<void> {
    await this.db.query('DELETE FROM elements WHERE model_id = $1', [modelId]);
  }
}
