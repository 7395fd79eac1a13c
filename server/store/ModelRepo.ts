import type {
  BimModel,
  ConversionReport,
  ConversionStage,
  FragmentsStatus,
  ModelError,
  ModelStatus,
  TreeNode,
} from '../../models/BimModel.js';
import type { Georeference } from '../../models/Georeference.js';
import type { Db } from './Db.js';
import { mapConstraintError } from './errors.js';

interface Row {
  id: string;
  project_id: string;
  file_name: string;
  file_bytes: string | number;
  source_kind: string;
  status: ModelStatus;
  stage: ConversionStage;
  progress_pct: number;
  schema: string | null;
  georef: Georeference | string | null;
  report: ConversionReport | string | null;
  error: ModelError | string | null;
  fragments: FragmentsStatus;
  fragments_error: ModelError | string | null;
  generator: Record<string, unknown> | string | null;
  created_at: string | number;
  updated_at: string | number;
}

const json = <T>(v: T | string | null): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

const COLUMNS =
  'id, project_id, file_name, file_bytes, source_kind, status, stage, progress_pct, schema, georef, report, error, fragments, fragments_error, generator, created_at, updated_at';

/** Kind of file uploaded: a plain STEP file or a zip holding one. */
export type SourceKind = 'ifc' | 'ifczip';

/** A model row plus what only the server needs (the uploaded file's kind, a generated model's parameters). */
export interface StoredModel extends BimModel {
  sourceKind: SourceKind;
  /** Parameters a generated (demo) model's IFC is made from; null for an upload. */
  generator: Record<string, unknown> | null;
}

function toModel(r: Row): StoredModel {
  const ready = r.status === 'ready';
  return {
    id: r.id,
    projectId: r.project_id,
    fileName: r.file_name,
    fileBytes: Number(r.file_bytes),
    sourceKind: r.source_kind as SourceKind,
    status: r.status,
    stage: r.stage,
    progressPct: Number(r.progress_pct),
    schema: r.schema,
    georeference: json(r.georef),
    report: json(r.report),
    error: json(r.error),
    tilesetUrl: ready ? `/api/v1/models/${r.id}/tiles/tileset.json` : null,
    fragmentsUrl: ready && r.fragments === 'ready' ? `/api/v1/models/${r.id}/model.frag` : null,
    fragments: r.fragments,
    fragmentsError: json(r.fragments_error),
    generator: json(r.generator),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Public shape of a stored model (drops server-only fields). */
export function publicModel(m: StoredModel): BimModel {
  const { sourceKind: _k, generator: _g, ...rest } = m;
  return rest;
}

/** What a finished conversion writes back. */
export interface ModelResult {
  schema: string;
  georeference: Georeference;
  report: ConversionReport;
  tree: TreeNode | null;
}

/** IFC models of projects: status, progress, georeference, report and spatial tree. */
export class ModelRepo {
  constructor(private readonly db: Db) {}

  async create(m: {
    id: string;
    projectId: string;
    fileName: string;
    fileBytes: number;
    sourceKind: SourceKind;
    generator?: Record<string, unknown>;
  }): Promise<StoredModel> {
    const now = Date.now();
    try {
      await this.db.query(
        `INSERT INTO models (id, project_id, file_name, file_bytes, source_kind, status, stage, progress_pct, generator, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'queued', 'queued', 0, $6::jsonb, $7, $7)`,
        [
          m.id,
          m.projectId,
          m.fileName,
          m.fileBytes,
          m.sourceKind,
          m.generator ? JSON.stringify(m.generator) : null,
          now,
        ],
      );
    } catch (err) {
      throw mapConstraintError(err);
    }
    return (await this.get(m.id))!;
  }

  async get(id: string): Promise<StoredModel | null> {
    const r = await this.db.query<Row>(`SELECT ${COLUMNS} FROM models WHERE id = $1`, [id]);
    return r.rows[0] ? toModel(r.rows[0]) : null;
  }

  async listByProject(projectId: string): Promise<StoredModel[]> {
    const r = await this.db.query<Row>(`SELECT ${COLUMNS} FROM models WHERE project_id = $1 ORDER BY created_at, id`, [
      projectId,
    ]);
    return r.rows.map(toModel);
  }

  /** Models in one of the given states (start-up recovery). */
  async listByStatus(statuses: ModelStatus[]): Promise<StoredModel[]> {
    const r = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM models WHERE status = ANY($1::text[]) ORDER BY created_at`,
      [statuses],
    );
    return r.rows.map(toModel);
  }

  /** Moves an unfinished model on; a late progress message never reopens a model that is already ready or failed. */
  async setProgress(id: string, status: ModelStatus, stage: ConversionStage, progressPct: number): Promise<void> {
    await this.db.query(
      `UPDATE models SET status = $2, stage = $3, progress_pct = $4, updated_at = $5 WHERE id = $1 AND status IN ('queued', 'converting')`,
      [id, status, stage, progressPct, Date.now()],
    );
  }

  async setReady(id: string, result: ModelResult): Promise<StoredModel | null> {
    await this.db.query(
      `UPDATE models SET status = 'ready', stage = 'done', progress_pct = 100, schema = $2, georef = $3, report = $4, tree = $5,
       error = NULL, updated_at = $6 WHERE id = $1`,
      [
        id,
        result.schema,
        JSON.stringify(result.georeference),
        JSON.stringify(result.report),
        JSON.stringify(result.tree),
        Date.now(),
      ],
    );
    return this.get(id);
  }

  /** Ready models whose Fragments job has not finished (start-up recovery). */
  async listFragmentsPending(): Promise<StoredModel[]> {
    const r = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM models WHERE status = 'ready' AND fragments = 'pending' ORDER BY created_at`,
    );
    return r.rows.map(toModel);
  }

  /** Records the end of a model's Fragments job: its size goes into the report, a failure's reason into fragments_error. */
  async setFragments(
    id: string,
    state: { status: 'ready'; bytes: number } | { status: 'failed'; error: ModelError },
  ): Promise<StoredModel | null> {
    if (state.status === 'ready')
      await this.db.query(
        `UPDATE models SET fragments = 'ready', fragments_error = NULL, updated_at = $3,
         report = CASE WHEN report IS NULL THEN NULL ELSE jsonb_set(report, '{fragmentsBytes}', to_jsonb($2::bigint)) END WHERE id = $1`,
        [id, state.bytes, Date.now()],
      );
    else
      await this.db.query(
        `UPDATE models SET fragments = 'failed', fragments_error = $2, updated_at = $3 WHERE id = $1`,
        [id, JSON.stringify(state.error), Date.now()],
      );
    return this.get(id);
  }

  async setFailed(id: string, error: ModelError): Promise<StoredModel | null> {
    // A model that never reached the map gets no Fragments file either: say so rather than leave it pending.
    await this.db.query(
      `UPDATE models SET status = 'failed', error = $2, updated_at = $3,
       fragments = CASE WHEN fragments = 'pending' THEN 'failed' ELSE fragments END,
       fragments_error = CASE WHEN fragments = 'pending' THEN $2::jsonb ELSE fragments_error END WHERE id = $1`,
      [id, JSON.stringify(error), Date.now()],
    );
    return this.get(id);
  }

  async setGeoreference(id: string, georef: Georeference): Promise<StoredModel | null> {
    await this.db.query('UPDATE models SET georef = $2, updated_at = $3 WHERE id = $1', [
      id,
      JSON.stringify(georef),
      Date.now(),
    ]);
    return this.get(id);
  }

  async rename(id: string, fileName: string): Promise<void> {
    await this.db.query('UPDATE models SET file_name = $2, updated_at = $3 WHERE id = $1', [id, fileName, Date.now()]);
  }

  async tree(id: string): Promise<TreeNode | null | undefined> {
    const r = await this.db.query<{ tree: TreeNode | string | null }>('SELECT tree FROM models WHERE id = $1', [id]);
    if (!r.rows[0]) return undefined;
    return json(r.rows[0].tree);
  }

  /** Deletes the model and (by cascade) its elements; false when there was none. */
  async delete(id: string): Promise<boolean> {
    const r = await this.db.query('DELETE FROM models WHERE id = $1 RETURNING id', [id]);
    return r.rows.length > 0;
  }
}
