import type { GateEvent } from '../../models/Attendance.js';
import { EXPECTED_INTERVAL_MS } from '../../models/Freshness.js';
import type { DeviceFact, ReadinessConfig, ReadinessFacts } from '../../models/Readiness.js';
import type { Db } from './Db.js';
import { scopeCondition, type ProjectScope } from './projectScope.js';
import { VendorRepo } from './VendorRepo.js';

/** IFC classes that mean "this site digs a pit" (IFC4x3 earthworks; IfcExcavation from some exporters' proxies). */
const PIT_CLASSES = ['IFCEARTHWORKSCUT', 'IFCEXCAVATION'];

/** The vendor of a device `d` (as `v`), and whether it is blacklisted: such a device never passes a readiness item. */
const VENDOR = 'LEFT JOIN vendors v ON v.id = d.vendor_id';
const NOT_BLACK = 'NOT coalesce(v.blacklisted, false)';
const BLACK = 'count(*) FILTER (WHERE v.blacklisted)::int AS blacklisted';

/**
 * Read-only queries of the command-center features over other features' tables (devices, latest, telemetry, models,
 * elements): the raw gate events of a day and the live facts readiness is scored from. Nothing here writes.
 */
export class OpsRepo {
  private readonly vendors: VendorRepo;
  constructor(private readonly db: Db) {
    this.vendors = new VendorRepo(db);
  }

  /** Ids of the projects in a scope. */
  async projectIds(scope: ProjectScope): Promise<string[]> {
    const c = scopeCondition(scope, 1);
    return (
      await this.db.query<{ id: string }>(`SELECT p.id FROM projects p WHERE ${c.sql} ORDER BY p.name, p.id`, c.params)
    ).rows.map((r) => r.id);
  }

  /**
   * Gate events in [from, to] of the projects in scope, oldest first. Only the pseudonymous fields are selected: the
   * rest of a stored reading never leaves the store on this path.
   */
  async gateEvents(scope: ProjectScope, from: number, to: number): Promise<GateEvent[]> {
    const c = scopeCondition(scope, 3);
    const r = await this.db.query<{
      project_id: string;
      time: string | number;
      ev: 'enter' | 'leave';
      wid: string;
      trade: string | null;
      team: string | null;
    }>(
      `SELECT d.project_id, t.time, t.vals->>'event' AS ev, t.vals->>'workerId' AS wid, t.vals->>'trade' AS trade, t.vals->>'team' AS team
         FROM telemetry t JOIN devices d ON d.id = t.device_id JOIN projects p ON p.id = d.project_id
        WHERE d.kind = 'gate' AND t.time >= $1 AND t.time <= $2 AND ${c.sql} AND t.vals->>'workerId' IS NOT NULL
        ORDER BY t.time, t.seq NULLS FIRST`,
      [from, to, ...c.params],
    );
    return r.rows.map((x) => ({
      projectId: x.project_id,
      time: Number(x.time),
      event: x.ev,
      workerId: x.wid,
      trade: x.trade,
      team: x.team,
    }));
  }

  /** One device fact per project for an item that checks devices. */
  private async deviceFacts(
    ids: string[],
    item: ReadinessConfig['items'][number],
    now: number,
  ): Promise<Map<string, DeviceFact>> {
    const c = item.check;
    type FactRow = { project_id: string; registered: number; passing: number; blacklisted: number };
    let rows: FactRow[];
    if (c.kind === 'devices_reporting') {
      const within = c.withinMs ?? EXPECTED_INTERVAL_MS[c.deviceKind];
      rows = (
        await this.db.query<FactRow>(
          `SELECT d.project_id, count(*)::int AS registered, ${BLACK},
                count(*) FILTER (WHERE l.time >= $3::bigint - $4::bigint AND ${NOT_BLACK})::int AS passing
           FROM devices d LEFT JOIN latest l ON l.device_id = d.id ${VENDOR}
          WHERE d.project_id = ANY($1::uuid[]) AND d.kind = $2 GROUP BY d.project_id`,
          [ids, c.deviceKind, now, within],
        )
      ).rows;
    } else if (c.kind === 'fields_uploaded') {
      // Every field must have arrived within the window, in any reading (monitors often send fields separately).
      rows = (
        await this.db.query<FactRow>(
          `SELECT d.project_id, count(*)::int AS registered, ${BLACK},
                count(*) FILTER (WHERE ${NOT_BLACK} AND (SELECT bool_and(EXISTS (SELECT 1 FROM telemetry t WHERE t.device_id = d.id AND t.time >= $3::bigint - $4::bigint
                                                                  AND t.time <= $3::bigint AND t.vals ? f)) FROM unnest($5::text[]) AS f))::int AS passing
           FROM devices d ${VENDOR} WHERE d.project_id = ANY($1::uuid[]) AND d.kind = $2 GROUP BY d.project_id`,
          [ids, c.deviceKind, now, c.withinMs, c.fields],
        )
      ).rows;
    } else if (c.kind === 'cameras_online') {
      rows = (
        await this.db.query<FactRow>(
          `SELECT d.project_id, count(*)::int AS registered, ${BLACK},
                count(*) FILTER (WHERE l.time >= $2::bigint - $3::bigint AND l.vals->'online' = 'true'::jsonb AND ${NOT_BLACK})::int AS passing
           FROM devices d LEFT JOIN latest l ON l.device_id = d.id ${VENDOR}
          WHERE d.project_id = ANY($1::uuid[]) AND d.kind = 'camera' GROUP BY d.project_id`,
          [ids, now, EXPECTED_INTERVAL_MS.camera],
        )
      ).rows;
    } else return new Map();
    return new Map(
      rows.map((r) => [
        r.project_id,
        {
          registered: Number(r.registered),
          passing: Number(r.passing),
          ...(Number(r.blacklisted) ? { blacklisted: Number(r.blacklisted) } : {}),
        },
      ]),
    );
  }

  /** The live facts of each project in `ids` that the readiness items of `cfg` need. */
  async readinessFacts(cfg: ReadinessConfig, ids: string[], now: number): Promise<ReadinessFacts[]> {
    if (!ids.length) return [];
    const perItem = new Map<string, Map<string, DeviceFact>>();
    for (const item of cfg.items) perItem.set(item.id, await this.deviceFacts(ids, item, now));
    const models = new Map(
      (
        await this.db.query<{ project_id: string; n: number }>(
          `SELECT project_id, count(*)::int AS n FROM models WHERE project_id = ANY($1::uuid[]) AND status = 'ready' GROUP BY project_id`,
          [ids],
        )
      ).rows.map((r) => [r.project_id, Number(r.n)]),
    );
    const pits = new Set(
      (
        await this.db.query<{ project_id: string }>(
          `SELECT DISTINCT m.project_id FROM models m JOIN elements e ON e.model_id = m.id
        WHERE m.project_id = ANY($1::uuid[]) AND upper(e.ifc_class) = ANY($2::text[])`,
          [ids, PIT_CLASSES],
        )
      ).rows.map((r) => r.project_id),
    );
    const scheduled = new Set(
      (
        await this.db.query<{ project_id: string }>(
          'SELECT DISTINCT m.project_id FROM schedules s JOIN models m ON m.id = s.model_id WHERE m.project_id = ANY($1::uuid[])',
          [ids],
        )
      ).rows.map((r) => r.project_id),
    );
    const recorded = new Map(
      (
        await this.db.query<{ project_id: string; t: string | number }>(
          `SELECT m.project_id, max(ep.updated_at) AS t FROM element_progress ep JOIN models m ON m.id = ep.model_id
        WHERE m.project_id = ANY($1::uuid[]) GROUP BY m.project_id`,
          [ids],
        )
      ).rows.map((r) => [r.project_id, Number(r.t)]),
    );
    const blacklisted = await this.vendors.blacklistedDevices(ids);
    return ids.map((projectId) => ({
      projectId,
      devices: Object.fromEntries(
        cfg.items.map((i) => [i.id, perItem.get(i.id)?.get(projectId) ?? { registered: 0, passing: 0 }]),
      ),
      modelsReady: models.get(projectId) ?? 0,
      pitInModel: pits.has(projectId),
      scheduled: scheduled.has(projectId),
      progressRecordedAt: recorded.get(projectId) ?? null,
      blacklistedDevices: blacklisted.get(projectId) ?? [],
    }));
  }
}
