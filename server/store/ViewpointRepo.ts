import { randomUUID } from 'node:crypto';
import type { WorkspaceViewpoint, WorkspaceViewpointCreate } from '../../models/WorkspaceViewpoint.js';
import type { Db } from './Db.js';
import { mapConstraintError } from './errors.js';

interface Row {
  id: string;
  project_id: string;
  model_id: string;
  name: string;
  body: Pick<WorkspaceViewpoint, 'camera' | 'sections' | 'hiddenLocalIds' | 'elementGlobalId'> | string;
  created_at: string | number;
}

const toViewpoint = (r: Row): WorkspaceViewpoint => {
  const b = typeof r.body === 'string' ? JSON.parse(r.body) : r.body;
  return {
    id: r.id,
    projectId: r.project_id,
    modelId: r.model_id,
    name: r.name,
    camera: b.camera,
    sections: b.sections ?? [],
    hiddenLocalIds: b.hiddenLocalIds ?? [],
    ...(b.elementGlobalId ? { elementGlobalId: b.elementGlobalId } : {}),
    createdAt: Number(r.created_at),
  };
};

const COLS = 'id, project_id, model_id, name, body, created_at';

/** Saved BIM workspace viewpoints of a project. */
export class ViewpointRepo {
  constructor(private readonly db: Db) {}

  async create(projectId: string, v: WorkspaceViewpointCreate): Promise<WorkspaceViewpoint> {
    const id = randomUUID();
    const body = {
      camera: v.camera,
      sections: v.sections,
      hiddenLocalIds: v.hiddenLocalIds,
      elementGlobalId: v.elementGlobalId,
    };
    try {
      await this.db.query(
        'INSERT INTO workspace_viewpoints (id, project_id, model_id, name, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, projectId, v.modelId, v.name, JSON.stringify(body), Date.now()],
      );
    } catch (err) {
      throw mapConstraintError(err);
    }
    return (await this.get(id))!;
  }

  async get(id: string): Promise<WorkspaceViewpoint | null> {
    const r = await this.db.query<Row>(`SELECT ${COLS} FROM workspace_viewpoints WHERE id = $1`, [id]);
    return r.rows[0] ? toViewpoint(r.rows[0]) : null;
  }

  /** A project's viewpoints, oldest first. */
  async list(projectId: string): Promise<WorkspaceViewpoint[]> {
    const r = await this.db.query<Row>(
      `SELECT ${COLS} FROM workspace_viewpoints WHERE project_id = $1 ORDER BY created_at, id`,
      [projectId],
    );
    return r.rows.map(toViewpoint);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM workspace_viewpoints WHERE id = $1 RETURNING id', [id])).rows.length > 0;
  }
}
