import type { Device } from '../../models/Device.js';
import type { FieldRejection } from '../../models/FieldQuality.js';
import { ErrorCode, fieldIssues, type FieldIssue } from '../../models/errors.js';
import { MAX_CLOCK_SKEW_MS, parseReadingIn, type ReadingIn } from '../../models/Reading.js';
import { BAD_TEXT_MESSAGE, unsafeTextPath } from '../../models/text.js';
import type { Logger } from '../log.js';
import { publicDevice, type DeviceRecord } from '../store/DeviceRepo.js';
import type { Store } from '../store/Store.js';
import { dedupeKey, type StoredReading } from '../store/TelemetryRepo.js';
import { verifyApiKey } from '../security/deviceSecrets.js';
import { checkFields, deviceFactors, KeptAside } from './fieldValidation.js';
import { GroupCommit, type GroupCommitOptions } from './GroupCommit.js';

/** Where a batch came from. `deviceId` is a device the transport already authenticated (HJ 212 MN+PW, MQTT login). */
export interface IngestSource {
  transport: 'http' | 'socket' | 'mqtt' | 'hj212';
  /** A device API key that applies to every reading without its own `key`. */
  deviceKey?: string;
  deviceId?: string;
  /**
   * The project the channel belongs to (MQTT topic `sitetwin/<projectId>/…`): a reading of a device of another
   * project is refused (`wrong_project`), so a device cannot write through another project's channel.
   */
  projectId?: string;
  /**
   * Per-device admission, asked once per device per submission after the device authenticated (HTTP: the device rate
   * limit keyed on the device, wherever its key travelled). A refusal rejects that device's readings (`rate_limited`).
   */
  admit?: (deviceId: string) => { ok: true } | { ok: false; retryAfterS: number };
  /** The batch as received when the transport has its own wire text (an HJ 212 frame): kept with refused fields. */
  raw?: string;
}

/** Why one reading of a batch was refused. `index` is its position in the submitted array. */
export interface IngestRejection {
  index: number;
  deviceId?: string;
  code: ErrorCode;
  message: string;
  issues?: FieldIssue[];
}

/** Outcome of a batch: new readings stored, repeats ignored, and each refused reading with its reason. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: IngestRejection[];
  /**
   * Fields refused in readings that were stored (with their other fields): kept aside with their raw value and
   * reason (GET /api/v1/devices/:id/quality). Present only when there are some.
   */
  fieldRejections?: FieldRejection[];
}

/** A reading that was committed, with its device (public fields). */
export interface CommittedReading {
  reading: StoredReading;
  device: Device;
}

export type CommittedListener = (batch: CommittedReading[]) => void;

/**
 * Device records are cached: a 5 k/s stream must not pay one lookup per reading. Edits on this node drop the entry at
 * once (DeviceRepo.onChanged); the TTL bounds how long an edit made through another node goes unseen.
 */
const DEVICE_TTL_MS = 5000;
const DEVICE_CACHE_MAX = 50_000;
/** Keys that verified for a cached device (a device has one key, a rotation briefly two). */
const KEYS_PER_DEVICE = 4;

interface CachedDevice {
  device: DeviceRecord;
  /** The public fields, built once: every committed reading carries it to the listeners. */
  pub: Device;
  at: number;
  /** Keys that verified against this record; gone with the entry when the device changes. */
  keys: Set<string>;
  /** The device's unit and scale factors per field (null: none). */
  factors: Map<string, number> | null;
}

/** Group commit and back-pressure (see GroupCommit). */
export type IngestOptions = GroupCommitOptions;
// No wait for company: the submissions that arrive while a transaction runs share the next one anyway, and waiting
// measured slower in bench/telemetry.ts (1 and 4 submitters in flight).
export const DEFAULT_INGEST_OPTIONS: IngestOptions = { maxRows: 5000, maxWaitMs: 0, maxQueuedRows: 20_000 };

/**
 * The group commit's defaults for a store. PostgreSQL server: two transactions in flight (one COPYing while the other
 * commits) of up to 5 000 readings. Stage timings of bench/city.ts (half scale) put most of the ingest -> viewer
 * second here: ~300-600 ms queued for a slot, as long again writing. Four of 1 000 (INGEST_GROUP_CONCURRENCY=4,
 * INGEST_GROUP_MAX_ROWS=1000) was tried, A B three times in one session at load 8-14: better in two pairs (p50 1 314 /
 * 1 450 ms against 1 403 / 2 085, 23-36 % more readings acknowledged), worse in the third (p50 1 585 against 1 373 ms,
 * p99 3 824 against 2 309): not shown on a box this busy, so the defaults stay. Embedded: one connection, so one
 * transaction at a time (a second would only queue).
 */
export function ingestOptionsFor(kind: 'server' | 'embedded'): IngestOptions & { concurrency: number } {
  return kind === 'server'
    ? { ...DEFAULT_INGEST_OPTIONS, concurrency: 2 }
    : { ...DEFAULT_INGEST_OPTIONS, concurrency: 1 };
}

/**
 * The one way in for readings, whatever the transport. Each reading is checked alone (shape, device, key, values
 * against its kind, time), repeats are dropped, the batch is written in one transaction, and `submit` resolves only
 * after the commit; then the committed readings go to the listeners (live push, alarms).
 * Throws StoreUnavailableError when the store is down: the transport answers 503 / nacks so the device retries.
 */
export class Ingest {
  private readonly listeners = new Set<CommittedListener>();
  private readonly cache = new Map<string, CachedDevice>();
  private readonly commits: GroupCommit<Device>;
  private readonly unwatch: () => void;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    opts: Partial<IngestOptions> = {},
  ) {
    // Options left out (or undefined) take the store's defaults (ingestOptionsFor).
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
    this.commits = new GroupCommit<Device>(
      (rows) => store.telemetry.write(rows),
      { ...ingestOptionsFor(store.db.kind), ...given },
      (rows, devices) => this.notify(rows, devices),
    );
    this.unwatch = store.devices.onChanged((id) => this.forgetDevice(id));
  }

  /** Group-commit counters (transactions, rows, time writing, refusals), for health and benchmarks. */
  get stats(): Readonly<GroupCommit<Device>['stats']> {
    return this.commits.stats;
  }

  /** Readings accepted but not yet in a transaction (back-pressure gauge). */
  get queued(): number {
    return this.commits.queued;
  }

  /** Calls `fn` after each commit with the new readings; returns the unsubscribe. */
  onCommitted(fn: CommittedListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Drops a device from the cache after it was changed or deleted. */
  forgetDevice(id: string): void {
    this.cache.delete(id);
  }

  private async devices(ids: Iterable<string>): Promise<Map<string, CachedDevice>> {
    const now = Date.now();
    const out = new Map<string, CachedDevice>();
    const missing: string[] = [];
    for (const id of ids) {
      const c = this.cache.get(id);
      if (c && now - c.at < DEVICE_TTL_MS) out.set(id, c);
      else missing.push(id);
    }
    if (missing.length) {
      if (this.cache.size + missing.length > DEVICE_CACHE_MAX) this.cache.clear();
      for (const d of await this.store.devices.getMany(missing)) {
        // A record re-read after the TTL keeps the keys verified against it while its key hash is the same: a key
        // that matched a hash matches it still, and a rotation (on any node) changes the hash. Re-verifying every
        // device's key every TTL was ~2 000 sha256 a second in bench/city.ts (10 250 devices).
        const before = this.cache.get(d.id);
        const c: CachedDevice = {
          device: d,
          pub: publicDevice(d),
          at: now,
          keys: before && before.device.apiKeyHash === d.apiKeyHash ? before.keys : new Set(),
          factors: deviceFactors(d),
        };
        out.set(d.id, c);
        this.cache.set(d.id, c);
      }
    }
    return out;
  }

  /**
   * True when `key` is the API key of `c`'s device (an HJ 212 PW is not: it is valid on the HJ 212 listener only); a
   * verified key is remembered with the cached record.
   */
  private keyOpens(c: CachedDevice, key: string): boolean {
    if (c.keys.has(key)) return true;
    if (!verifyApiKey(c.device, key)) return false;
    if (c.keys.size >= KEYS_PER_DEVICE) c.keys.clear();
    c.keys.add(key);
    return true;
  }

  private notify(rows: StoredReading[], devices: Device[]): void {
    if (!this.listeners.size) return;
    const batch: CommittedReading[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) batch[i] = { reading: rows[i]!, device: devices[i]! };
    for (const fn of this.listeners) {
      try {
        fn(batch);
      } catch (err) {
        this.log.error({ err }, 'ingest: a committed-readings listener failed');
      }
    }
  }

  /** Stops watching device edits; readings already queued still commit. */
  dispose(): void {
    this.unwatch();
    this.commits.dispose();
  }

  /**
   * Checks each reading alone, queues the good ones for the next group transaction and resolves after its commit.
   * Throws IngestOverloadedError (a StoreUnavailableError) when the queue is full, before any work is done.
   */
  async submit(items: unknown[], source: IngestSource): Promise<IngestResult> {
    this.commits.checkRoom(items.length);
    const receivedAt = Date.now();
    const rejected: IngestRejection[] = [];
    const reject = (
      index: number,
      deviceId: string | undefined,
      code: ErrorCode,
      message: string,
      issues?: FieldIssue[],
    ) => rejected.push({ index, ...(deviceId ? { deviceId } : {}), code, message, ...(issues ? { issues } : {}) });

    const aside = new KeptAside(source.transport, receivedAt, source.raw);
    const parsed: { index: number; r: ReadingIn }[] = [];
    const ids = new Set<string>();
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      const p = parseReadingIn(item);
      if (p.success) {
        // A NUL or lone surrogate cannot be stored (jsonb refuses it): refused here, alone, so it cannot fail the
        // group transaction that holds the rest of the batch and other devices' readings.
        const bad = unsafeTextPath(p.data.values, 'values');
        if (bad) {
          reject(index, p.data.deviceId, ErrorCode.VALIDATION_FAILED, `Invalid reading: ${bad}: ${BAD_TEXT_MESSAGE}`, [
            { path: bad, message: BAD_TEXT_MESSAGE },
          ]);
          continue;
        }
        parsed.push({ index, r: p.data });
        ids.add(p.data.deviceId);
        continue;
      }
      const id = (item as { deviceId?: unknown } | null)?.deviceId;
      const issues = fieldIssues(p.error);
      reject(
        index,
        typeof id === 'string' ? id : undefined,
        ErrorCode.VALIDATION_FAILED,
        `Invalid reading: ${issues
          .map((i) => `${i.path}: ${i.message}`)
          .slice(0, 3)
          .join('; ')}`,
        issues,
      );
      // A device the transport authenticated (HJ 212, a device socket) gets this refusal kept too (a dead clock's 2000-01-01).
      if (source.deviceId !== undefined && id === source.deviceId)
        aside.addUnparsed(index, item, source.deviceId, issues);
    }

    const devices = await this.devices(ids);
    const rows: StoredReading[] = [];
    const tags: Device[] = [];
    const seen = new Set<string>();
    // (device, key) pairs already refused in this submission: each distinct pair is checked once per request.
    const refusedKeys = new Set<string>();
    const admitted = new Map<string, ReturnType<NonNullable<IngestSource['admit']>>>();
    let duplicates = 0;

    for (const { index, r } of parsed) {
      const c = devices.get(r.deviceId);
      if (!c) {
        reject(index, r.deviceId, ErrorCode.NOT_FOUND, `Device ${r.deviceId} is not registered`);
        continue;
      }
      if (source.deviceId !== r.deviceId) {
        const key = r.key ?? source.deviceKey;
        if (!key) {
          reject(
            index,
            r.deviceId,
            ErrorCode.UNAUTHENTICATED,
            `Reading for device ${r.deviceId} carries no device key (send Authorization: Bearer <key> or "key")`,
          );
          continue;
        }
        const pair = `${r.deviceId}\u0000${key}`;
        if (refusedKeys.has(pair) || !this.keyOpens(c, key)) {
          refusedKeys.add(pair);
          reject(index, r.deviceId, ErrorCode.FORBIDDEN, `The key does not belong to device ${r.deviceId}`);
          continue;
        }
      }
      if (source.admit) {
        let a = admitted.get(r.deviceId);
        if (!a) admitted.set(r.deviceId, (a = source.admit(r.deviceId)));
        if (!a.ok) {
          reject(
            index,
            r.deviceId,
            ErrorCode.RATE_LIMITED,
            `Too many ingest requests for device ${r.deviceId}: retry in ${a.retryAfterS} s`,
          );
          continue;
        }
      }
      const device = c.device;
      if (source.projectId !== undefined && device.projectId !== source.projectId) {
        reject(
          index,
          r.deviceId,
          ErrorCode.WRONG_PROJECT,
          `Device ${r.deviceId} does not belong to project ${source.projectId} of this channel`,
        );
        continue;
      }
      const time = r.time ?? receivedAt;
      const at = { deviceId: r.deviceId, time, seq: r.seq };
      // Field by field: good fields are stored, refused ones kept aside (models/FieldQuality.ts).
      const v = checkFields(device, c.factors, r.values);
      if (!v.ok) {
        aside.add(index, items[index], at, v.refused, true);
        reject(
          index,
          r.deviceId,
          ErrorCode.VALIDATION_FAILED,
          `Invalid ${device.kind} reading: ${v.issues
            .map((i) => `${i.path}: ${i.message}`)
            .slice(0, 3)
            .join('; ')}`,
          v.issues,
        );
        continue;
      }
      if (time > receivedAt + MAX_CLOCK_SKEW_MS) {
        const issue = {
          path: 'time',
          message: `time ${new Date(time).toISOString()} is ahead of the server clock by more than ${MAX_CLOCK_SKEW_MS / 60000} min`,
        };
        aside.add(
          index,
          items[index],
          at,
          [{ field: 'time', value: time, code: 'time_ahead', reason: issue.message }],
          true,
        );
        reject(index, r.deviceId, ErrorCode.VALIDATION_FAILED, `Invalid reading: ${issue.message}`, [issue]);
        continue;
      }
      if (v.refused.length) aside.add(index, items[index], at, v.refused, false);
      const row: StoredReading = {
        deviceId: r.deviceId,
        time,
        ...(r.seq !== undefined ? { seq: r.seq } : {}),
        values: v.values,
        receivedAt,
      };
      const k = dedupeKey(row);
      if (seen.has(k)) {
        duplicates++;
        continue;
      }
      seen.add(k);
      rows.push(row);
      tags.push(c.pub);
    }

    // Waits for the group transaction that holds these rows to commit; the listeners have run by then.
    const fresh = await this.commits.submit(rows, tags);
    if (aside.size) await aside.keep(this.store);
    duplicates += rows.length - fresh.length;
    rejected.sort((a, b) => a.index - b.index);
    const result: IngestResult = { accepted: fresh.length, duplicates, rejected };
    const fieldRejections = aside.fieldRejections();
    if (fieldRejections.length) {
      result.fieldRejections = fieldRejections;
      this.log.info(
        { transport: source.transport, refusedFields: fieldRejections.length, first: fieldRejections[0] },
        'ingest: fields kept aside',
      );
    }
    if (rejected.length) {
      this.log.warn(
        {
          transport: source.transport,
          accepted: result.accepted,
          duplicates,
          rejected: rejected.length,
          first: rejected[0],
        },
        'ingest: readings rejected',
      );
    } else {
      this.log.debug({ transport: source.transport, accepted: result.accepted, duplicates }, 'ingest: batch committed');
    }
    return result;
  }
}
