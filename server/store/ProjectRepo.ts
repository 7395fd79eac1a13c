import { randomUUID } from 'node:crypto';
import type { Project, ProjectCreate, ProjectPatch, ProjectQuery } from '../../models/Project.js';
import type { Db } from './Db.js';
import { mapConstraintError } from './errors.js';

interface Row {
  id: string;
  name: string;
  enterprise_id: string;
  enterprise_name: string | null;
  address: string;
  region_code: string;
  lon: number;
  lat: number;
  height: number;
  footprint: string;
  status: Project['status'];
  height_m: number;
  created_at: number;
  updated_at: number;
}

const SELECT = `SELECT p.id, p.name, p.enterprise_id, e.name AS enterprise_name, p.address, p.region_code,
  ST_X(p.location::geometry) AS lon, ST_Y(p.location::geometry) AS lat, ST_Z(p.location::geometry) AS height,
  ST_AsGeoJSON(p.footprint::geometry, 7) AS footprint, p.status, p.height_m, p.created_at, p.updated_at
  FROM projects p LEFT JOIN enterprises e ON e.id = p.enterprise_id`;

const toProject = (r: Row): Project => ({
  id: r.id,
  name: r.name,
  enterpriseId: r.enterprise_id,
  ...(r.enterprise_name ? { enterpriseName: r.enterprise_name } : {}),
  address: r.address,
  regionCode: r.region_code.trim(),
  location: { lon: Number(r.lon), lat: Number(r.lat), height: Number(r.height) },
  footprint: JSON.parse(r.footprint),
  status: r.status,
  heightM: Number(r.height_m),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const pointSql = (i: number) => `ST_SetSRID(ST_MakePoint($${i}, $${i + 1}, $${i + 2}), 4326)::geography`;
const polygonSql = (i: number) => `ST_SetSRID(ST_GeomFromGeoJSON($${i}), 4326)::geography`;

/** Projects with their site location and footprint. */
export class ProjectRepo {
  constructor(private readonly db: Db) {}

  /** Lists projects, filtered by PostGIS on the footprint box and by name / address text. */
  async list(query: ProjectQuery = {}): Promise<Project[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.bbox) {
      const b = query.bbox;
      params.push(b.minLon, b.minLat, b.maxLon, b.maxLat);
      // Planar lon/lat, as a bbox means (migration 073 indexes it): a geography envelope of the whole world has
      // antipodal edges PostGIS refuses.
      where.push(`ST_Intersects(p.footprint::geometry, ST_MakeEnvelope($1, $2, $3, $4, 4326))`);
    }
    if (query.q) {
      params.push(`%${query.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
      const i = params.length;
      where.push(`(p.name ILIKE $${i} OR p.address ILIKE $${i} OR e.name ILIKE $${i})`);
    }
    const sql = `${SELECT}${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY p.name`;
    return (await this.db.query<Row>(sql, params)).rows.map(toProject);
  }

  async get(id: string): Promise<Project | null> {
    const r = await this.db.query<Row>(`${SELECT} WHERE p.id = $1`, [id]);
    return r.rows[0] ? toProject(r.rows[0]) : null;
  }

  async count(): Promise<number> {
    const r = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM projects');
    return Number(r.rows[0]!.n);
  }

  async create(p: ProjectCreate, id: string = randomUUID()): Promise<Project> {
    const now = Date.now();
    try {
      await this.db.query(
        `INSERT INTO projects (id, name, enterprise_id, address, region_code, location, footprint, status, height_m, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, ${pointSql(6)}, ${polygonSql(9)}, $10, $11, $12, $12)`,
        [
          id,
          p.name,
          p.enterpriseId,
          p.address,
          p.regionCode,
          p.location.lon,
          p.location.lat,
          p.location.height,
          JSON.stringify(p.footprint),
          p.status,
          p.heightM,
          now,
        ],
      );
    } catch (err) {
      throw mapConstraintError(err);
    }
    return (await this.get(id))!;
  }

  /** Applies a partial update; returns null when the project does not exist. */
  async update(id: string, patch: ProjectPatch): Promise<Project | null> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const add = (sql: (i: number) => string, ...values: unknown[]) => {
      sets.push(sql(params.length + 1));
      params.push(...values);
    };
    if (patch.name !== undefined) add((i) => `name = $${i}`, patch.name);
    if (patch.enterpriseId !== undefined) add((i) => `enterprise_id = $${i}`, patch.enterpriseId);
    if (patch.address !== undefined) add((i) => `address = $${i}`, patch.address);
    if (patch.regionCode !== undefined) add((i) => `region_code = $${i}`, patch.regionCode);
    if (patch.location !== undefined)
      add((i) => `location = ${pointSql(i)}`, patch.location.lon, patch.location.lat, patch.location.height);
    if (patch.footprint !== undefined) add((i) => `footprint = ${polygonSql(i)}`, JSON.stringify(patch.footprint));
    if (patch.status !== undefined) add((i) => `status = $${i}`, patch.status);
    if (patch.heightM !== undefined) add((i) => `height_m = $${i}`, patch.heightM);
    add((i) => `updated_at = $${i}`, Date.now());
    try {
      const r = await this.db.query(`UPDATE projects SET ${sets.join(', ')} WHERE id = $1 RETURNING id`, params);
      if (r.rows.length === 0) return null;
    } catch (err) {
      throw mapConstraintError(err);
    }
    return this.get(id);
  }

  /** Deletes a project; false when there was none. */
  async delete(id: string): Promise<boolean> {
    try {
      const r = await this.db.query('DELETE FROM projects WHERE id = $1 RETURNING id', [id]);
      return r.rows.length > 0;
    } catch (err) {
      throw mapConstraintError(err);
    }
  }
}
