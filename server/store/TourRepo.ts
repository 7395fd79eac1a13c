import { randomUUID } from 'node:crypto';
import type { Tour, TourCreate, TourPatch } from '../../models/Tour.js';
import type { Db } from './Db.js';
import { mapConstraintError } from './errors.js';

interface Row {
  id: string;
  project_id: string | null;
  name: string;
  body: { viewpoints: Tour['viewpoints']; path: Tour['path']; loop: boolean } | string;
  created_at: string | number;
  updated_at: string | number;
}

const toTour = (r: Row): Tour => {
  const body = typeof r.body === 'string' ? JSON.parse(r.body) : r.body;
  return {
    id: r.id,
    kind: r.project_id ? 'project' : 'city',
    projectId: r.project_id,
    name: r.name,
    viewpoints: body.viewpoints,
    path: body.path,
    loop: body.loop,
    generated: false,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
};

const COLS = 'id, project_id, name, body, created_at, updated_at';

/** Saved tours: city tours (no project) and project tours. */
export class TourRepo {
  constructor(private readonly db: Db) {}

  async create(projectId: string | null, t: TourCreate, id: string = randomUUID()): Promise<Tour> {
    const now = Date.now();
    try {
      await this.db.query(
        'INSERT INTO tours (id, project_id, name, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)',
        [id, projectId, t.name, JSON.stringify({ viewpoints: t.viewpoints, path: t.path, loop: t.loop }), now],
      );
    } catch (err) {
      throw mapConstraintError(err);
    }
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Tour | null> {
    const r = await this.db.query<Row>(`SELECT ${COLS} FROM tours WHERE id = $1`, [id]);
    return r.rows[0] ? toTour(r.rows[0]) : null;
  }

  /** City tours (`projectId` null) or the tours of one project, oldest first. */
  async list(projectId: string | null): Promise<Tour[]> {
    const r = projectId
      ? await this.db.query<Row>(`SELECT ${COLS} FROM tours WHERE project_id = $1 ORDER BY created_at, id`, [projectId])
      : await this.db.query<Row>(`SELECT ${COLS} FROM tours WHERE project_id IS NULL ORDER BY created_at, id`);
    return r.rows.map(toTour);
  }

  async update(id: string, patch: TourPatch): Promise<Tour | null> {
    const cur = await this.get(id);
    if (!cur) return null;
    const next = { ...cur, ...patch };
    await this.db.query('UPDATE tours SET name = $2, body = $3, updated_at = $4 WHERE id = $1', [
      id,
      next.name,
      JSON.stringify({ viewpoints: next.viewpoints, path: next.path, loop: next.loop }),
      Date.now(),
    ]);
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM tours WHERE id = $1 RETURNING id', [id])).rows.length > 0;
  }
}
