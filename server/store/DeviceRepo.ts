import { randomUUID } from 'node:crypto';
import type { Device, DeviceKind } from '../../models/Device.js';
import type { DeviceScale, DeviceUnits } from '../../models/DeviceUnits.js';
import type { GeoPoint } from '../../models/geo.js';
import type { DeviceSecrets } from '../security/deviceSecrets.js';
import type { Db } from './Db.js';
import { mapConstraintError } from './errors.js';
import { rebuildGateRollup } from './kpiRollup.js';

/** A device with its hashed secrets: what the ingest needs to authenticate it. Never served. */
export type DeviceRecord = Device & DeviceSecrets;

/** What the repo writes on create; hashing happens before (in the router), so the repo never sees a secret. */
export interface DeviceInsert {
  projectId: string;
  kind: DeviceKind;
  name: string;
  code?: string;
  location?: GeoPoint;
  ifcGlobalId?: string;
  params: Record<string, unknown>;
  apiKeyHash: string;
  hj212Mn?: string;
  hj212PwHash?: string;
  units?: DeviceUnits;
  scale?: DeviceScale;
  vendorId?: string;
  model?: string;
}

/** A change to a device; `null` clears a field. */
export interface DeviceUpdate {
  name?: string;
  code?: string | null;
  location?: GeoPoint | null;
  ifcGlobalId?: string | null;
  params?: Record<string, unknown>;
  hj212?: { mn: string; pwHash: string } | null;
  apiKeyHash?: string;
  units?: DeviceUnits | null;
  scale?: DeviceScale | null;
  vendorId?: string | null;
  model?: string | null;
}

interface Row {
  id: string;
  project_id: string;
  kind: DeviceKind;
  name: string;
  code: string | null;
  lon: number | null;
  lat: number | null;
  height: number | null;
  ifc_global_id: string | null;
  params: Record<string, unknown>;
  api_key_hash: string;
  hj212_mn: string | null;
  hj212_pw_hash: string | null;
  units: DeviceUnits | null;
  scale: DeviceScale | null;
  vendor_id: string | null;
  model: string | null;
  vendor_blacklisted: boolean | null;
  vendor_blacklist_reason: string | null;
  created_at: number;
  updated_at: number;
}

const SELECT = `SELECT id, project_id, kind, name, code, ST_X(location::geometry) AS lon, ST_Y(location::geometry) AS lat,
  ST_Z(location::geometry) AS height, ifc_global_id, params, api_key_hash, hj212_mn, hj212_pw_hash, units, scale, created_at, updated_at,
  vendor_id, model, (SELECT v.blacklisted FROM vendors v WHERE v.id = devices.vendor_id) AS vendor_blacklisted,
  (SELECT v.blacklist_reason FROM vendors v WHERE v.id = devices.vendor_id) AS vendor_blacklist_reason
  FROM devices`;

const toRecord = (r: Row): DeviceRecord => ({
  id: r.id,
  projectId: r.project_id,
  kind: r.kind,
  name: r.name,
  ...(r.code ? { code: r.code } : {}),
  ...(r.lon !== null ? { location: { lon: Number(r.lon), lat: Number(r.lat), height: Number(r.height ?? 0) } } : {}),
  ...(r.ifc_global_id ? { ifcGlobalId: r.ifc_global_id } : {}),
  params: r.params,
  ...(r.hj212_mn ? { hj212Mn: r.hj212_mn } : {}),
  ...(r.units && Object.keys(r.units).length ? { units: r.units } : {}),
  ...(r.scale && Object.keys(r.scale).length ? { scale: r.scale } : {}),
  ...(r.vendor_id ? { vendorId: r.vendor_id, vendorBlacklisted: r.vendor_blacklisted === true } : {}),
  ...(r.vendor_blacklisted && r.vendor_blacklist_reason ? { vendorBlacklistReason: r.vendor_blacklist_reason } : {}),
  ...(r.model ? { model: r.model } : {}),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  apiKeyHash: r.api_key_hash,
  hj212PwHash: r.hj212_pw_hash,
});

/** Strips the secrets off a record: the only shape that leaves the server. */
export function publicDevice(d: DeviceRecord): Device {
  const { apiKeyHash: _k, hj212PwHash: _p, ...pub } = d;
  return pub;
}

const pointSql = (i: number) => `ST_SetSRID(ST_MakePoint($${i}, $${i + 1}, $${i + 2}), 4326)::geography`;

/** Devices of projects, with their hashed secrets. */
export class DeviceRepo {
  private readonly changeListeners = new Set<(id: string) => void>();

  constructor(private readonly db: Db) {}

  /**
   * Calls `fn` with a device's id after it was updated or deleted through this repo, so caches (the ingest's device
   * records and verified keys) drop it at once, whichever router made the change. Returns the unsubscribe.
   */
  onChanged(fn: (id: string) => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  private changed(id: string): void {
    for (const fn of this.changeListeners) fn(id);
  }

  async get(id: string): Promise<DeviceRecord | null> {
    const r = await this.db.query<Row>(`${SELECT} WHERE id = $1`, [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  /** Several devices at once (the ingest resolves a whole batch with one query). */
  async getMany(ids: string[]): Promise<DeviceRecord[]> {
    if (!ids.length) return [];
    return (await this.db.query<Row>(`${SELECT} WHERE id = ANY($1::uuid[])`, [ids])).rows.map(toRecord);
  }

  /** The device with this HJ 212 MN, for the HJ 212 adapter. */
  async findByHj212Mn(mn: string): Promise<DeviceRecord | null> {
    const r = await this.db.query<Row>(`${SELECT} WHERE hj212_mn = $1`, [mn]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  /** Devices of one project, or of all projects, ordered by name. */
  async list(projectId?: string): Promise<DeviceRecord[]> {
    const r = projectId
      ? await this.db.query<Row>(`${SELECT} WHERE project_id = $1 ORDER BY name, id`, [projectId])
      : await this.db.query<Row>(`${SELECT} ORDER BY project_id, name, id`);
    return r.rows.map(toRecord);
  }

  async create(d: DeviceInsert, id: string = randomUUID()): Promise<DeviceRecord> {
    const now = Date.now();
    try {
      await this.db.query(
        `INSERT INTO devices (id, project_id, kind, name, code, location, ifc_global_id, params, api_key_hash, hj212_mn, hj212_pw_hash, created_at, updated_at, units, scale, vendor_id, model)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::float8 IS NULL THEN NULL ELSE ${pointSql(6)} END, $9, $10, $11, $12, $13, $14, $14, $15, $16, $17, $18)`,
        [
          id,
          d.projectId,
          d.kind,
          d.name,
          d.code ?? null,
          d.location?.lon ?? null,
          d.location?.lat ?? null,
          d.location?.height ?? null,
          d.ifcGlobalId ?? null,
          JSON.stringify(d.params),
          d.apiKeyHash,
          d.hj212Mn ?? null,
          d.hj212PwHash ?? null,
          now,
          d.units ? JSON.stringify(d.units) : null,
          d.scale ? JSON.stringify(d.scale) : null,
          d.vendorId ?? null,
          d.model ?? null,
        ],
      );
    } catch (err) {
      throw mapConstraintError(err);
    }
    return (await this.get(id))!;
  }

  /** Applies a change; null when the device does not exist. */
  async update(id: string, u: DeviceUpdate): Promise<DeviceRecord | null> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const add = (sql: (i: number) => string, ...values: unknown[]) => {
      sets.push(sql(params.length + 1));
      params.push(...values);
    };
    if (u.name !== undefined) add((i) => `name = $${i}`, u.name);
    if (u.code !== undefined) add((i) => `code = $${i}`, u.code);
    if (u.location === null) sets.push('location = NULL');
    else if (u.location) add((i) => `location = ${pointSql(i)}`, u.location.lon, u.location.lat, u.location.height);
    if (u.ifcGlobalId !== undefined) add((i) => `ifc_global_id = $${i}`, u.ifcGlobalId);
    if (u.params !== undefined) add((i) => `params = $${i}`, JSON.stringify(u.params));
    if (u.hj212 === null) sets.push('hj212_mn = NULL, hj212_pw_hash = NULL');
    else if (u.hj212) add((i) => `hj212_mn = $${i}, hj212_pw_hash = $${i + 1}`, u.hj212.mn, u.hj212.pwHash);
    if (u.apiKeyHash !== undefined) add((i) => `api_key_hash = $${i}`, u.apiKeyHash);
    if (u.units !== undefined) add((i) => `units = $${i}`, u.units ? JSON.stringify(u.units) : null);
    if (u.scale !== undefined) add((i) => `scale = $${i}`, u.scale ? JSON.stringify(u.scale) : null);
    if (u.vendorId !== undefined) add((i) => `vendor_id = $${i}`, u.vendorId);
    if (u.model !== undefined) add((i) => `model = $${i}`, u.model);
    add((i) => `updated_at = $${i}`, Date.now());
    try {
      const r = await this.db.query(`UPDATE devices SET ${sets.join(', ')} WHERE id = $1 RETURNING id`, params);
      if (!r.rows.length) return null;
    } catch (err) {
      throw mapConstraintError(err);
    }
    this.changed(id);
    return this.get(id);
  }

  /** Deletes a device with its readings and latest state; false when there was none. */
  async delete(id: string): Promise<DeviceRecord | null> {
    const gone = await this.db.transaction(async (tx) => {
      const r = await tx.query<Row>(`${SELECT} WHERE id = $1`, [id]);
      if (!r.rows[0]) return null;
      await tx.query('DELETE FROM devices WHERE id = $1', [id]);
      await tx.query('DELETE FROM telemetry WHERE device_id = $1', [id]);
      // Its hourly rollup rows go with the device (ON DELETE CASCADE); the project's on-site counts are recounted.
      if (r.rows[0].kind === 'gate') await rebuildGateRollup(tx, r.rows[0].project_id);
      return toRecord(r.rows[0]);
    });
    if (gone) this.changed(id);
    return gone;
  }
}
