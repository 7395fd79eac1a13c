import { AlarmRepo } from './AlarmRepo.js';
import type { Logger } from '../log.js';
import type { Db, StoreFailure } from './Db.js';
import { ElementRepo } from './ElementRepo.js';
import { EnterpriseRepo } from './EnterpriseRepo.js';
import { MetaRepo } from './MetaRepo.js';
import { ModelRepo } from './ModelRepo.js';
import { DeviceRepo } from './DeviceRepo.js';
import { migrate } from './migrate.js';
import { openPgDb } from './PgDb.js';
import { openPgliteDb } from './PgliteDb.js';
import { ProjectRepo } from './ProjectRepo.js';
import { KpiRepo } from './KpiRepo.js';
import { OpsRepo } from './OpsRepo.js';
import { ProgressRepo } from './ProgressRepo.js';
import { QualityRepo } from './QualityRepo.js';
import { TopicRepo } from './TopicRepo.js';
import { TourRepo } from './TourRepo.js';
import { ViewpointRepo } from './ViewpointRepo.js';
import { ReplayRepo } from './ReplayRepo.js';
import { TelemetryRepo } from './TelemetryRepo.js';
import { AuditRepo, UserRepo } from './UserRepo.js';
import { VendorRepo } from './VendorRepo.js';

/**
 * The store: one object per table family, over one of two drivers. Features add their repository here and their
 * migration file under `migrations/`.
 */
export class Store {
  readonly enterprises: EnterpriseRepo;
  readonly projects: ProjectRepo;
  readonly meta: MetaRepo;
  readonly devices: DeviceRepo;
  readonly telemetry: TelemetryRepo;
  /** Refused fields kept aside and each device's data quality (issue 15). */
  readonly quality: QualityRepo;
  readonly alarms: AlarmRepo;
  readonly replay: ReplayRepo;
  readonly models: ModelRepo;
  readonly elements: ElementRepo;
  readonly progress: ProgressRepo;
  readonly tours: TourRepo;
  readonly viewpoints: ViewpointRepo;
  /** Read-only queries of the command-center features (gate events, readiness facts). */
  readonly ops: OpsRepo;
  readonly kpis: KpiRepo;
  /** Accounts and the audit trail (server/auth). */
  readonly users: UserRepo;
  readonly audit: AuditRepo;
  /** Topics, rectification notices, their comments and attachments (issue 16). */
  readonly topics: TopicRepo;
  /** Device vendors, their models and the authority's blacklist (issue 16). */
  readonly vendors: VendorRepo;

  constructor(readonly db: Db) {
    this.meta = new MetaRepo(db);
    this.enterprises = new EnterpriseRepo(db);
    this.projects = new ProjectRepo(db);
    this.devices = new DeviceRepo(db);
    this.telemetry = new TelemetryRepo(db);
    this.quality = new QualityRepo(db);
    this.alarms = new AlarmRepo(db);
    this.replay = new ReplayRepo(db);
    this.models = new ModelRepo(db);
    this.elements = new ElementRepo(db);
    this.progress = new ProgressRepo(db);
    this.tours = new TourRepo(db);
    this.viewpoints = new ViewpointRepo(db);
    this.ops = new OpsRepo(db);
    this.kpis = new KpiRepo(db);
    this.users = new UserRepo(db);
    this.audit = new AuditRepo(db);
    this.topics = new TopicRepo(db);
    this.vendors = new VendorRepo(db);
  }

  get kind(): Db['kind'] {
    return this.db.kind;
  }

  /** Throws StoreUnavailableError unless the store answers (and, embedded, takes a write) within `timeoutMs`. */
  probe(timeoutMs: number): Promise<void> {
    return this.db.probe(timeoutMs);
  }

  /** The last time the store was found unavailable, and why. */
  get lastFailure(): StoreFailure | undefined {
    return this.db.lastFailure;
  }

  /** PostgreSQL and PostGIS versions, for `/api/health`. */
  async versions(): Promise<{ postgres: string; postgis: string }> {
    const r = await this.db.query<{ pg: string; gis: string }>(
      "SELECT current_setting('server_version') AS pg, postgis_lib_version() AS gis",
    );
    return { postgres: r.rows[0]!.pg, postgis: r.rows[0]!.gis };
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Where the store lives: a PostgreSQL URL (server driver) or a folder (embedded driver). */
export type StoreLocation = { databaseUrl: string } | { dataDir: string };

/** How the server driver behaves when PostgreSQL is slow or gone (see PgDbOptions). */
export interface StoreOptions {
  statementTimeoutMs?: number;
  log?: Logger;
  /** Embedded store: shared_buffers in MB (PgliteDb DEFAULT_PGLITE_SHARED_BUFFERS_MB when unset). */
  pgliteSharedBuffersMb?: number;
}

/** Opens the store and brings its schema up to date. */
export async function openStore(where: StoreLocation, opts: StoreOptions = {}): Promise<Store> {
  const db =
    'databaseUrl' in where
      ? await openPgDb(where.databaseUrl, opts)
      : await openPgliteDb(where.dataDir, { sharedBuffersMb: opts.pgliteSharedBuffersMb });
  try {
    await migrate(db);
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
  return new Store(db);
}
