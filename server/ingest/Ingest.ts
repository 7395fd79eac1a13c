import { parseValues, type Device } from '../../models/Device.js';
import { ErrorCode, fieldIssues, type FieldIssue } from '../../models/errors.js';
import { MAX_CLOCK_SKEW_MS, ReadingIn } from '../../models/Reading.js';
import type { Logger } from '../log.js';
import { publicDevice, type DeviceRecord } from '../store/DeviceRepo.js';
import type { Store } from '../store/Store.js';
import { dedupeKey, type StoredReading } from '../store/TelemetryRepo.js';
import { verifyDeviceSecret } from './deviceSecrets.js';

/** Where a batch came from. `deviceId` is a device the transport already authenticated (HJ 212 MN+PW, MQTT login). */
export interface IngestSource {
  transport: 'http' | 'socket' | 'mqtt' | 'hj212';
  /** A device API key that applies to every reading without its own `key`. */
  deviceKey?: string;
  deviceId?: string;
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
}

/** A reading that was committed, with its device (public fields). */
export interface CommittedReading {
  reading: StoredReading;
  device: Device;
}

export type CommittedListener = (batch: CommittedReading[]) => void;

/** Device records are cached briefly: a 5 k/s stream must not pay one lookup per reading. Edits call `forgetDevice`. */
const DEVICE_TTL_MS = 5000;
const DEVICE_CACHE_MAX = 50_000;

/**
 * The one way in for readings, whatever the transport. Each reading is checked alone (shape, device, key, values
 * against its kind, time), repeats are dropped, the batch is written in one transaction, and `submit` resolves only
 * after the commit; then the committed readings go to the listeners (live push, alarms).
 * Throws StoreUnavailableError when the store is down: the transport answers 503 / nacks so the device retries.
 */
export class Ingest {
  private readonly listeners = new Set<CommittedListener>();
  private readonly cache = new Map<string, { device: DeviceRecord; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  /** Calls `fn` after each commit with the new readings; returns the unsubscribe. */
  onCommitted(fn: CommittedListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Drops a device from the cache after it was changed or deleted. */
  forgetDevice(id: string): void {
    this.cache.delete(id);
  }

  private async devices(ids: string[]): Promise<Map<string, DeviceRecord>> {
    const now = Date.now();
    const out = new Map<string, DeviceRecord>();
    const missing: string[] = [];
    for (const id of ids) {
      const c = this.cache.get(id);
      if (c && now - c.at < DEVICE_TTL_MS) out.set(id, c.device);
      else missing.push(id);
    }
    if (missing.length) {
      if (this.cache.size + missing.length > DEVICE_CACHE_MAX) this.cache.clear();
      for (const d of await this.store.devices.getMany(missing)) {
        out.set(d.id, d);
        this.cache.set(d.id, { device: d, at: now });
      }
    }
    return out;
  }

  async submit(items: unknown[], source: IngestSource): Promise<IngestResult> {
    const receivedAt = Date.now();
    const rejected: IngestRejection[] = [];
    const reject = (index: number, deviceId: string | undefined, code: ErrorCode, message: string, issues?: FieldIssue[]) =>
      rejected.push({ index, ...(deviceId ? { deviceId } : {}), code, message, ...(issues ? { issues } : {}) });

    const parsed: { index: number; r: ReadingIn }[] = [];
    items.forEach((item, index) => {
      const p = ReadingIn.safeParse(item);
      if (p.success) return void parsed.push({ index, r: p.data });
      const id = (item as { deviceId?: unknown } | null)?.deviceId;
      const issues = fieldIssues(p.error);
      reject(index, typeof id === 'string' ? id : undefined, ErrorCode.VALIDATION_FAILED, `Invalid reading: ${issues.map((i) => `${i.path}: ${i.message}`).slice(0, 3).join('; ')}`, issues);
    });

    const devices = await this.devices([...new Set(parsed.map((p) => p.r.deviceId))]);
    const keyChecks = new Map<string, boolean>();
    const rows: StoredReading[] = [];
    const deviceOf = new Map<StoredReading, DeviceRecord>();
    const seen = new Set<string>();
    let duplicates = 0;

    for (const { index, r } of parsed) {
      const device = devices.get(r.deviceId);
      if (!device) {
        reject(index, r.deviceId, ErrorCode.NOT_FOUND, `Device ${r.deviceId} is not registered`);
        continue;
      }
      if (source.deviceId !== r.deviceId) {
        const key = r.key ?? source.deviceKey;
        if (!key) {
          reject(index, r.deviceId, ErrorCode.UNAUTHENTICATED, `Reading for device ${r.deviceId} carries no device key (send Authorization: Bearer <key> or "key")`);
          continue;
        }
        const memo = `${r.deviceId}\0${key}`;
        let ok = keyChecks.get(memo);
        if (ok === undefined) keyChecks.set(memo, (ok = await verifyDeviceSecret(device, key)));
        if (!ok) {
          reject(index, r.deviceId, ErrorCode.FORBIDDEN, `The key does not belong to device ${r.deviceId}`);
          continue;
        }
      }
      const v = parseValues(device, r.values);
      if (!v.ok) {
        reject(index, r.deviceId, ErrorCode.VALIDATION_FAILED, `Invalid ${device.kind} reading: ${v.issues.map((i) => `${i.path}: ${i.message}`).slice(0, 3).join('; ')}`, v.issues);
        continue;
      }
      const time = r.time ?? receivedAt;
      if (time > receivedAt + MAX_CLOCK_SKEW_MS) {
        const issue = { path: 'time', message: `time ${new Date(time).toISOString()} is ahead of the server clock by more than ${MAX_CLOCK_SKEW_MS / 60000} min` };
        reject(index, r.deviceId, ErrorCode.VALIDATION_FAILED, `Invalid reading: ${issue.message}`, [issue]);
        continue;
      }
      const row: StoredReading = { deviceId: r.deviceId, time, ...(r.seq !== undefined ? { seq: r.seq } : {}), values: v.values, receivedAt };
      const k = dedupeKey(row);
      if (seen.has(k)) {
        duplicates++;
        continue;
      }
      seen.add(k);
      rows.push(row);
      deviceOf.set(row, device);
    }

    const fresh = await this.store.telemetry.write(rows);
    duplicates += rows.length - fresh.length;
    rejected.sort((a, b) => a.index - b.index);
    const result: IngestResult = { accepted: fresh.length, duplicates, rejected };
    if (rejected.length) {
      this.log.warn({ transport: source.transport, accepted: result.accepted, duplicates, rejected: rejected.length, first: rejected[0] }, 'ingest: readings rejected');
    } else {
      this.log.debug({ transport: source.transport, accepted: result.accepted, duplicates }, 'ingest: batch committed');
    }
    if (fresh.length && this.listeners.size) {
      const batch = fresh.map((reading) => ({ reading, device: publicDevice(deviceOf.get(reading)!) }));
      for (const fn of this.listeners) {
        try {
          fn(batch);
        } catch (err) {
          this.log.error({ err }, 'ingest: a committed-readings listener failed');
        }
      }
    }
    return result;
  }
}
