import type { Device } from '../../models/Device.js';
import { applyScale, scaleFactors } from '../../models/DeviceUnits.js';
import { splitValues, type FieldRefusal, type FieldRejection } from '../../models/FieldQuality.js';
import type { RefusedPayload, RejectionRow } from '../store/QualityRepo.js';
import type { Store } from '../store/Store.js';

/** The factors a device's units and scale settings give (null: none, the common case). Cached with the device. */
export function deviceFactors(d: Pick<Device, 'units' | 'scale'>): Map<string, number> | null {
  return scaleFactors(d.units, d.scale);
}

/**
 * A reading's values after the device's unit and scale settings, checked field by field (models/FieldQuality.ts):
 * the values to store (none when `ok` is false) and each refused field with its value as the device sent it.
 */
export function checkFields(
  device: Pick<Device, 'kind' | 'params'>,
  factors: Map<string, number> | null,
  values: Record<string, unknown>,
) {
  const scaled = factors ? applyScale(values, factors) : values;
  const r = splitValues(device, scaled);
  if (!r.refused.length || scaled === values) return r;
  // The kept-aside value is what the device sent, not our scaled copy of it: the reason names the scaled one.
  const refused = r.refused.map((x): FieldRefusal => (x.field in values ? { ...x, value: values[x.field] } : x));
  return { ...r, refused };
}

const MAX_PAYLOAD = 16_384;

/** A reading as received, for the data-quality view: the transport's raw text (HJ 212 frame) or the reading's JSON. */
function payloadText(item: unknown, raw: string | undefined): string {
  if (raw !== undefined) return raw;
  try {
    const text = JSON.stringify(item, (k, v) => (k === 'key' ? undefined : v)) ?? String(item); // never keep a device key
    return text.length > MAX_PAYLOAD ? `${text.slice(0, MAX_PAYLOAD)}…` : text;
  } catch {
    return String(item);
  }
}

/**
 * The refused fields of one ingest batch. Collected while the batch is checked, answered as `fieldRejections`
 * (readings that were stored with some fields refused), and kept in the store after the readings' commit.
 */
export class KeptAside {
  private readonly rows: RejectionRow[] = [];
  private readonly payloads: RefusedPayload[] = [];
  private readonly answer: FieldRejection[] = [];

  constructor(
    private readonly transport: string,
    private readonly receivedAt: number,
    private readonly raw: string | undefined,
  ) {}

  get size(): number {
    return this.rows.length;
  }

  /**
   * Notes the refused fields of the reading at `index`. `whole`: nothing of it is stored (it is in `rejected`),
   * so its fields are not repeated in `fieldRejections`.
   */
  add(
    index: number,
    item: unknown,
    r: { deviceId: string; time: number; seq?: number | undefined },
    refused: FieldRefusal[],
    whole: boolean,
  ): void {
    if (!refused.length) return;
    for (const f of refused) {
      this.rows.push({
        deviceId: r.deviceId,
        time: r.time,
        ...(r.seq !== undefined ? { seq: r.seq } : {}),
        field: f.field,
        raw: f.value,
        code: f.code,
        reason: f.reason,
        ...(f.details ? { details: f.details } : {}),
        transport: this.transport,
        receivedAt: this.receivedAt,
      });
      if (!whole) this.answer.push({ index, ...f });
    }
    this.payloads.push({
      deviceId: r.deviceId,
      at: this.receivedAt,
      transport: this.transport,
      raw: payloadText(item, this.raw),
      whole,
    });
  }

  /**
   * Notes a reading that failed its shape (time, seq, values not an object) from a device the transport already
   * authenticated: each issue is kept under its top-level field, stamped with the reading's time when it has a usable
   * one, else the arrival time.
   */
  addUnparsed(index: number, item: unknown, deviceId: string, issues: Array<{ path: string; message: string }>): void {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const time = typeof o.time === 'number' && Number.isSafeInteger(o.time) && o.time >= 0 ? o.time : this.receivedAt;
    const seq = typeof o.seq === 'number' && Number.isSafeInteger(o.seq) && o.seq >= 0 ? o.seq : undefined;
    const seen = new Set<string>();
    const refused: FieldRefusal[] = [];
    for (const i of issues) {
      const field = i.path.split('.')[0] || '(reading)';
      if (seen.has(field)) continue;
      seen.add(field);
      refused.push({ field, value: field in o ? o[field] : null, code: 'invalid', reason: `${field}: ${i.message}` });
    }
    this.add(index, item, { deviceId, time, seq }, refused, true);
  }

  /** The answer's `fieldRejections`, in batch order. */
  fieldRejections(): FieldRejection[] {
    return this.answer;
  }

  /**
   * Keeps the refused fields (after the readings committed: rare, so the hot path's transaction stays as it was).
   * A failure throws to the transport, which answers 503 / withholds its ack: the device resends, the readings
   * dedupe and the refusals are kept then (recording is idempotent), so none is lost silently.
   */
  async keep(store: Store): Promise<void> {
    if (this.rows.length || this.payloads.length) await store.quality.record(this.rows, this.payloads);
  }
}
