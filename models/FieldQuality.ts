import { z } from 'zod';
import { deviceKinds, parseValues, type Device } from './Device.js';
import { UNIT_FIELDS } from './DeviceUnits.js';
import { SensorParams } from './Sensor.js';

/**
 * Readings are kept field by field: a reading's valid fields are stored, each refused field is kept aside with its
 * raw value and a reason (the data-quality view shows them). A reading is refused whole only when no field is left.
 */

/** Why a field was refused. Stable strings: they cross the wire and are counted per device. */
export const FieldRejectionCode = z.enum([
  /** A number outside the field's plausible range (often a unit error: see the reason's hint). */
  'out_of_range',
  /** Not the type the field holds (a string where a number belongs, NaN sent as text, …). */
  'wrong_type',
  /** A field the device's kind (or a generic sensor's declared quantities) does not have. */
  'unknown_field',
  /** Anything else the field's schema refuses (too long, not an allowed value, …). */
  'invalid',
  /** The reading's time is ahead of the server clock beyond the allowed skew (the whole reading is refused). */
  'time_ahead',
]);
export type FieldRejectionCode = z.infer<typeof FieldRejectionCode>;

/**
 * A refusal's values, so a reader can word it in its own language (the `reason` stays English, for logs and other API
 * readers). `value`: the number as checked (after the device's units and scale); `limit` and `bound`: the range edge it
 * crossed; `unit`: the unit the device is likely sending instead; `scale`: a factor it is likely scaled by.
 */
export const RefusalDetails = z.object({
  value: z.number().optional(),
  limit: z.number().optional(),
  bound: z.enum(['max', 'min']).optional(),
  unit: z.string().optional(),
  scale: z.number().optional(),
});
export type RefusalDetails = z.infer<typeof RefusalDetails>;

/** A refused field in an ingest answer: `index` is the reading's position in the submitted batch. */
export const FieldRejection = z.object({
  index: z.number().int(),
  field: z.string(),
  value: z.unknown(),
  code: FieldRejectionCode,
  reason: z.string(),
  details: RefusalDetails.optional(),
});
export type FieldRejection = z.infer<typeof FieldRejection>;

/** A refused field as kept in the store (`raw` is the value as the device sent it, before unit and scale). */
export const StoredFieldRejection = z.object({
  time: z.number().int(),
  seq: z.number().int().optional(),
  field: z.string(),
  raw: z.unknown(),
  code: z.string(),
  reason: z.string(),
  /** Absent on refusals kept before details were (and on those without values to give). */
  details: RefusalDetails.optional(),
  transport: z.string(),
  receivedAt: z.number().int(),
});
export type StoredFieldRejection = z.infer<typeof StoredFieldRejection>;

/** The last reading of a device that had a refused field: its raw frame (HJ 212) or JSON payload, as received. */
export const LastRefused = z.object({ at: z.number().int(), transport: z.string(), raw: z.string() });

/** One device's data quality (`GET /api/v1/devices/:id/quality`). */
export const DeviceQuality = z.object({
  deviceId: z.string().uuid(),
  /** When the newest stored reading arrived (server time), if any. */
  lastAcceptedAt: z.number().int().optional(),
  /** Refused fields kept, in all, and by code. */
  refused: z.number().int(),
  refusedByCode: z.record(z.string(), z.number().int()),
  refusedByField: z.record(z.string(), z.number().int()),
  lastRefused: LastRefused.optional(),
  /** The device's newest data was refused whole (nothing of it stored since): what a wall should flag. */
  onlyRefused: z.boolean(),
  /** The newest refused fields, newest first (at most 20). */
  recent: z.array(StoredFieldRejection),
});
export type DeviceQuality = z.infer<typeof DeviceQuality>;

/** A project's data quality (`GET /api/v1/projects/:id/quality`): one row per device, worst first. */
export const ProjectQuality = z.object({
  projectId: z.string().uuid(),
  devices: z.array(
    DeviceQuality.omit({ recent: true, refusedByField: true }).extend({ name: z.string(), kind: z.string() }),
  ),
});
export type ProjectQuality = z.infer<typeof ProjectQuality>;

/** A refused field before it gets its reading's index. */
export type FieldRefusal = Omit<FieldRejection, 'index'>;

const LABELS: Record<string, string> = { tspUgm3: 'TSP', pm10Ugm3: 'PM10', pm25Ugm3: 'PM2.5', pressureKpa: 'Pressure' };

/**
 * "is this device sending ng/m3?": when the value divided by a unit's factor would be in range, that unit is the
 * likely cause. Only for fields with a unit family; a plain factor of 1000 is suggested for other numbers.
 */
function unitHint(
  field: string,
  v: number,
  max: number | undefined,
  min: number | undefined,
): { unit: string } | { scale: number } | null {
  const inRange = (x: number) => (max === undefined || x <= max) && (min === undefined || x >= min);
  const family = UNIT_FIELDS[field];
  if (family) {
    for (const [unit, factor] of Object.entries(family)) if (factor !== 1 && inRange(v * factor)) return { unit };
    return null;
  }
  // Only far beyond the range: humidity 180 % is a bad value, not a scaled one.
  return max !== undefined && max > 0 && v >= 100 * max && inRange(v / 1000) ? { scale: 1000 } : null;
}

function hintText(field: string, hint: ReturnType<typeof unitHint>): string {
  if (!hint) return '';
  return 'unit' in hint
    ? `: is this device sending ${hint.unit}? (set its units, e.g. { "${field}": "${hint.unit}" })`
    : `: is it scaled by ${hint.scale}? (set the device scale)`;
}

type Issue = z.core.$ZodIssue;

function refusal(field: string, value: unknown, issue: Issue | undefined): FieldRefusal {
  const label = LABELS[field] ?? field;
  if (issue?.code === 'too_big' || issue?.code === 'too_small') {
    const max = issue.code === 'too_big' ? Number(issue.maximum) : undefined;
    const min = issue.code === 'too_small' ? Number(issue.minimum) : undefined;
    const where = max !== undefined ? `above the plausible maximum ${max}` : `below the plausible minimum ${min}`;
    const hint = typeof value === 'number' ? unitHint(field, value, max, min) : null;
    const details: RefusalDetails = {
      ...(typeof value === 'number' ? { value } : {}),
      ...(max !== undefined ? { limit: max, bound: 'max' as const } : { limit: min!, bound: 'min' as const }),
      ...hint,
    };
    const reason = `${label} ${String(value)} is ${where}${hintText(field, hint)}`;
    return { field, value, code: 'out_of_range', reason, details };
  }
  if (issue?.code === 'invalid_type') return { field, value, code: 'wrong_type', reason: `${label}: ${issue.message}` };
  return { field, value, code: 'invalid', reason: `${label}: ${issue?.message ?? 'refused'}` };
}

/** Shared by every reading without refusals (the hot path allocates no list). */
const NONE: FieldRefusal[] = Object.freeze([]) as unknown as FieldRefusal[];

const isPlain = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Checks a reading's values field by field. A reading that passes its kind's schema whole costs one parse (the
 * common case). Otherwise each field is checked alone: the good ones are kept, each bad one is listed with a
 * reason; the kept ones are checked whole again (rules across fields). `ok: false` when nothing is left: the issues
 * are then the whole-reading ones, as before field-level checks. Gate events are never split: a gate event is one
 * fact, and what a gate refuses (names, ID numbers) must not be kept, so nothing of it is listed either.
 */
export function splitValues(
  device: Pick<Device, 'kind' | 'params'>,
  values: unknown,
):
  | { ok: true; values: Record<string, unknown>; refused: FieldRefusal[] }
  | { ok: false; issues: { path: string; message: string }[]; refused: FieldRefusal[] } {
  const whole = parseValues(device, values);
  if (whole.ok) return { ok: true, values: whole.values, refused: NONE };
  if (device.kind === 'gate' || !isPlain(values)) return { ok: false, issues: whole.issues, refused: [] };
  const kept: Record<string, unknown> = {};
  const refused: FieldRefusal[] = [];
  if (device.kind === 'sensor') {
    const p = SensorParams.safeParse(device.params);
    const byName = new Map(p.success ? p.data.quantities.map((q) => [q.name, q]) : []);
    for (const [k, v] of Object.entries(values)) {
      const q = byName.get(k);
      if (!q)
        refused.push({
          field: k,
          value: v,
          code: 'unknown_field',
          reason: `${k} is not a quantity of this sensor (${[...byName.keys()].join(', ')})`,
        });
      else if (typeof v !== 'number' || !Number.isFinite(v))
        refused.push({ field: k, value: v, code: 'wrong_type', reason: `${k}: a finite number is expected` });
      else if (q.max !== undefined && v > q.max)
        refused.push(refusal(k, v, { code: 'too_big', maximum: q.max } as Issue));
      else if (q.min !== undefined && v < q.min)
        refused.push(refusal(k, v, { code: 'too_small', minimum: q.min } as Issue));
      else kept[k] = v;
    }
  } else {
    const shape = (deviceKinds[device.kind].values as unknown as { shape: Record<string, z.ZodType> }).shape;
    for (const [k, v] of Object.entries(values)) {
      const s = Object.prototype.hasOwnProperty.call(shape, k) ? shape[k] : undefined;
      if (!s) {
        refused.push({
          field: k,
          value: v,
          code: 'unknown_field',
          reason: `${k} is not a field of a ${device.kind} reading`,
        });
        continue;
      }
      const r = s.safeParse(v);
      if (r.success && v !== undefined) kept[k] = r.data;
      else refused.push(refusal(k, v, r.error?.issues[0]));
    }
  }
  if (!Object.keys(kept).length) return { ok: false, issues: whole.issues, refused };
  const again = parseValues(device, kept);
  if (!again.ok) return { ok: false, issues: whole.issues, refused };
  return { ok: true, values: again.values, refused };
}
