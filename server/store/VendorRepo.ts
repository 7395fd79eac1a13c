import { randomUUID } from 'node:crypto';
import type { DeviceKind } from '../../models/Device.js';
import type {
  BlacklistedDevice,
  DeviceModel,
  DeviceModelCreate,
  Vendor,
  VendorBlacklistPatch,
  VendorCreate,
} from '../../models/Vendor.js';
import type { Db } from './Db.js';
import { mapConstraintError } from './errors.js';

interface Row {
  id: string;
  name: string;
  uscc: string;
  blacklisted: boolean;
  blacklist_reason: string | null;
  blacklisted_at: string | number | null;
  blacklisted_by: string | null;
  created_at: string | number;
  updated_at: string | number;
}

const toVendor = (r: Row, models: DeviceModel[]): Vendor => ({
  id: r.id,
  name: r.name,
  uscc: r.uscc,
  blacklisted: r.blacklisted,
  blacklistReason: r.blacklist_reason,
  blacklistedAt: r.blacklisted_at === null ? null : Number(r.blacklisted_at),
  blacklistedBy: r.blacklisted_by,
  models,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** Device vendors, the models they sell and the authority's blacklist (issue 16). */
export class VendorRepo {
  constructor(private readonly db: Db) {}

  private async modelsOf(ids: string[]): Promise<Map<string, DeviceModel[]>> {
    const out = new Map<string, DeviceModel[]>();
    if (!ids.length) return out;
    const r = await this.db.query<{ vendor_id: string; model: string; kind: DeviceKind }>(
      'SELECT vendor_id, model, kind FROM device_models WHERE vendor_id = ANY($1::uuid[]) ORDER BY vendor_id, model',
      [ids],
    );
    for (const m of r.rows) {
      const list = out.get(m.vendor_id) ?? [];
      list.push({ vendorId: m.vendor_id, model: m.model, kind: m.kind });
      out.set(m.vendor_id, list);
    }
    return out;
  }

  /** Every vendor with its models, by name. */
  async list(): Promise<Vendor[]> {
    const rows = (await this.db.query<Row>('SELECT * FROM vendors ORDER BY name, id')).rows;
    const models = await this.modelsOf(rows.map((r) => r.id));
    return rows.map((r) => toVendor(r, models.get(r.id) ?? []));
  }

  async get(id: string): Promise<Vendor | null> {
    const r = (await this.db.query<Row>('SELECT * FROM vendors WHERE id = $1', [id])).rows[0];
    return r ? toVendor(r, (await this.modelsOf([id])).get(id) ?? []) : null;
  }

  /** Registers a vendor; a taken credit code is a DuplicateError. */
  async create(v: VendorCreate, id: string = randomUUID(), now = Date.now()): Promise<Vendor> {
    try {
      const r = await this.db.query<Row>(
        'INSERT INTO vendors (id, name, uscc, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING *',
        [id, v.name, v.uscc, now],
      );
      return toVendor(r.rows[0]!, []);
    } catch (err) {
      throw mapConstraintError(err);
    }
  }

  /** Adds a model to a vendor (a model already listed is a DuplicateError); null when the vendor does not exist. */
  async addModel(vendorId: string, m: DeviceModelCreate): Promise<Vendor | null> {
    try {
      const r = await this.db.query(
        `INSERT INTO device_models (vendor_id, model, kind) SELECT id, $2, $3 FROM vendors WHERE id = $1 RETURNING vendor_id`,
        [vendorId, m.model, m.kind],
      );
      if (!r.rows.length) return null;
    } catch (err) {
      throw mapConstraintError(err);
    }
    return this.get(vendorId);
  }

  /** Puts a vendor on the blacklist (with reason, who and when) or takes it off; null when it does not exist. */
  async setBlacklist(id: string, p: VendorBlacklistPatch, by: string, now = Date.now()): Promise<Vendor | null> {
    const r = await this.db.query<Row>(
      p.blacklisted
        ? `UPDATE vendors SET blacklisted = true, blacklist_reason = $2, blacklisted_at = $3, blacklisted_by = $4, updated_at = $3
           WHERE id = $1 RETURNING *`
        : `UPDATE vendors SET blacklisted = false, blacklist_reason = NULL, blacklisted_at = NULL, blacklisted_by = NULL,
             updated_at = $2 WHERE id = $1 RETURNING *`,
      p.blacklisted ? [id, p.reason, now, by] : [id, now],
    );
    return r.rows[0] ? toVendor(r.rows[0], (await this.modelsOf([id])).get(id) ?? []) : null;
  }

  /** The devices of blacklisted vendors in the given projects, per project (for readiness and the device list). */
  async blacklistedDevices(projectIds: string[]): Promise<Map<string, BlacklistedDevice[]>> {
    const out = new Map<string, BlacklistedDevice[]>();
    if (!projectIds.length) return out;
    const r = await this.db.query<{
      project_id: string;
      device_id: string;
      device_name: string;
      kind: DeviceKind;
      vendor_id: string;
      vendor_name: string;
      reason: string;
    }>(
      `SELECT d.project_id, d.id AS device_id, d.name AS device_name, d.kind, v.id AS vendor_id, v.name AS vendor_name,
              v.blacklist_reason AS reason
         FROM devices d JOIN vendors v ON v.id = d.vendor_id
        WHERE v.blacklisted AND d.project_id = ANY($1::uuid[]) ORDER BY d.project_id, d.name, d.id`,
      [projectIds],
    );
    for (const x of r.rows) {
      const list = out.get(x.project_id) ?? [];
      list.push({
        deviceId: x.device_id,
        deviceName: x.device_name,
        kind: x.kind,
        vendorId: x.vendor_id,
        vendorName: x.vendor_name,
        reason: x.reason,
      });
      out.set(x.project_id, list);
    }
    return out;
  }
}
