import { z } from 'zod';
import { safeText } from './text.js';
import { CameraParams, CameraValues } from './Camera.js';
import { DeviceScale, DeviceUnits, settingsIssues } from './DeviceUnits.js';
import { EnvMonitorParams, EnvMonitorValues } from './EnvMonitor.js';
import { GateParams, GateValues } from './Gate.js';
import { GeoPoint } from './geo.js';
import { HoistParams, HoistValues } from './Hoist.js';
import { PitGaugeParams, PitGaugeValues } from './PitGauge.js';
import { SensorParams, SensorValues, checkSensorValues } from './Sensor.js';
import { TowerCraneParams, TowerCraneValues } from './TowerCrane.js';

/** The kinds of device a site has. */
export const DeviceKind = z.enum(['tower_crane', 'hoist', 'env_monitor', 'pit_gauge', 'camera', 'gate', 'sensor']);
export type DeviceKind = z.infer<typeof DeviceKind>;

/** Static params schema and reading-values schema of each kind. */
export const deviceKinds = {
  tower_crane: { params: TowerCraneParams, values: TowerCraneValues },
  hoist: { params: HoistParams, values: HoistValues },
  env_monitor: { params: EnvMonitorParams, values: EnvMonitorValues },
  pit_gauge: { params: PitGaugeParams, values: PitGaugeValues },
  camera: { params: CameraParams, values: CameraValues },
  gate: { params: GateParams, values: GateValues },
  sensor: { params: SensorParams, values: SensorValues },
} as const satisfies Record<DeviceKind, { params: z.ZodType; values: z.ZodType }>;

/** An IFC GlobalId: 22 characters of IFC's base-64 alphabet. */
export const IfcGlobalId = z
  .string()
  .regex(/^[0-9A-Za-z_$]{22}$/, 'an IFC GlobalId is 22 characters of 0-9 A-Z a-z _ $');

/** HJ 212 `MN` (device number, up to 24 characters) and `PW` (access password, often a vendor default like 123456). */
export const Hj212Credentials = z.object({
  mn: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z_-]{1,24}$/, 'MN is 1-24 letters, digits, _ or -'),
  pw: z.string().min(1).max(64),
});
export type Hj212Credentials = z.infer<typeof Hj212Credentials>;

const common = {
  name: safeText().trim().min(1).max(200),
  /** The device number printed on it / used by the vendor platform. */
  code: safeText().trim().min(1).max(64).optional(),
  /** Where it stands; optional when bound to an IFC element (then it stands at that element). */
  location: GeoPoint.optional(),
  ifcGlobalId: IfcGlobalId.optional(),
  hj212: Hj212Credentials.optional(),
  /** The units the device sends fields in (e.g. `{ pm: 'ng/m3' }`), applied at ingest: see models/DeviceUnits.ts. */
  units: DeviceUnits.optional(),
  /** A factor per field or HJ 212 code (e.g. `{ a34002: 0.001 }`), applied at ingest: see models/DeviceUnits.ts. */
  scale: DeviceScale.optional(),
  /** Who supplied it (a vendor of the registry, models/Vendor.ts): a blacklisted vendor flags the device. */
  vendorId: z.string().uuid().optional(),
  /** The vendor's model name (e.g. `JX-300`). */
  model: safeText().trim().min(1).max(100).optional(),
};

const placed = (d: { location?: unknown; ifcGlobalId?: unknown }) =>
  d.location !== undefined || d.ifcGlobalId !== undefined;
const PLACED_MSG = { message: 'a device needs a location or an ifcGlobalId', path: ['location'] };

/** Fields a client sends to create a device in a project; `params` follow the kind's schema. */
export const DeviceCreate = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('tower_crane'), params: TowerCraneParams, ...common }).strict(),
    z.object({ kind: z.literal('hoist'), params: HoistParams, ...common }).strict(),
    z
      .object({
        kind: z.literal('env_monitor'),
        params: EnvMonitorParams.default({ noiseDayLimitDb: 70, noiseNightLimitDb: 55 }),
        ...common,
      })
      .strict(),
    z.object({ kind: z.literal('pit_gauge'), params: PitGaugeParams, ...common }).strict(),
    z
      .object({
        kind: z.literal('camera'),
        params: CameraParams.default({ headingDeg: 0, pitchDeg: 0, fovDeg: 60, streamKind: 'hls' }),
        ...common,
      })
      .strict(),
    z.object({ kind: z.literal('gate'), params: GateParams.default({ lanes: 1 }), ...common }).strict(),
    z.object({ kind: z.literal('sensor'), params: SensorParams, ...common }).strict(),
  ])
  .refine(placed, PLACED_MSG);
export type DeviceCreate = z.infer<typeof DeviceCreate>;
export type DeviceCreateInput = z.input<typeof DeviceCreate>;

/**
 * Fields a client may change. `kind` cannot change (make a new device); `params` are checked against the device's
 * kind by `parseParams`; `null` unbinds the IFC element, removes the location or the HJ 212 credentials.
 */
export const DevicePatch = z
  .object({
    name: common.name,
    code: common.code.unwrap().nullable(),
    location: GeoPoint.nullable(),
    ifcGlobalId: IfcGlobalId.nullable(),
    hj212: Hj212Credentials.nullable(),
    params: z.record(z.string(), z.unknown()),
    /** Replaces the device's units map; `null` removes it. */
    units: DeviceUnits.nullable(),
    /** Replaces the device's scale map; `null` removes it. */
    scale: DeviceScale.nullable(),
    /** The vendor of the registry; `null` says none is known. */
    vendorId: z.string().uuid().nullable(),
    model: common.model.unwrap().nullable(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'a patch needs at least one field');
export type DevicePatch = z.infer<typeof DevicePatch>;

/** A device as stored and served (never its secrets). */
export const Device = z.object({
  id: z.string().uuid(),
  projectId: z.string().uuid(),
  kind: DeviceKind,
  name: z.string(),
  code: z.string().optional(),
  location: GeoPoint.optional(),
  ifcGlobalId: z.string().optional(),
  params: z.record(z.string(), z.unknown()),
  /** HJ 212 MN when the device speaks HJ 212 (its PW is stored hashed and never served). */
  hj212Mn: z.string().optional(),
  /** Units the device sends fields in, applied at ingest (absent: the fields' own units). */
  units: DeviceUnits.optional(),
  /** Factors per field or HJ 212 code, applied at ingest. */
  scale: DeviceScale.optional(),
  /** The vendor that supplied it (models/Vendor.ts), when known. */
  vendorId: z.string().uuid().optional(),
  model: z.string().optional(),
  /** Set when the device names a vendor: true while that vendor is on the authority's blacklist. */
  vendorBlacklisted: z.boolean().optional(),
  /** Why the vendor is blacklisted (while it is). */
  vendorBlacklistReason: z.string().optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Device = z.infer<typeof Device>;

/** The answer to a create: the device and its API key, shown this once (only its hash is stored). */
export const DeviceCreated = z.object({ device: Device, apiKey: z.string() });
export type DeviceCreated = z.infer<typeof DeviceCreated>;

/** A field-level reason (same shape as errors.ts FieldIssue). */
type Issue = { path: string; message: string };

const toIssues = (e: z.ZodError, prefix: string): Issue[] =>
  e.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: i.message,
  }));

/** Parses static params of `kind` (applying defaults), or returns field-level issues under `params.`. */
export function parseParams(
  kind: DeviceKind,
  params: unknown,
): { ok: true; params: Record<string, unknown> } | { ok: false; issues: Issue[] } {
  const r = deviceKinds[kind].params.safeParse(params);
  return r.success
    ? { ok: true, params: r.data as Record<string, unknown> }
    : { ok: false, issues: toIssues(r.error, 'params') };
}

/**
 * Checks a reading's values against the device's kind (and, for a generic sensor, against the quantities it
 * declares). Issues are reported under `values.`.
 */
export function parseValues(
  device: Pick<Device, 'kind' | 'params'>,
  values: unknown,
): { ok: true; values: Record<string, unknown> } | { ok: false; issues: Issue[] } {
  const r = deviceKinds[device.kind].values.safeParse(values);
  if (!r.success) return { ok: false, issues: toIssues(r.error, 'values') };
  if (device.kind === 'sensor') {
    const p = SensorParams.safeParse(device.params);
    if (p.success) {
      const issues = checkSensorValues(p.data, r.data as SensorValues);
      if (issues.length)
        return { ok: false, issues: issues.map((i) => ({ path: `values.${i.path}`, message: i.message })) };
    }
  }
  return { ok: true, values: r.data as Record<string, unknown> };
}

/** The reading fields a kind reports (undefined for a generic sensor without valid params: any name). */
function readingFields(device: Pick<Device, 'kind' | 'params'>): string[] | undefined {
  if (device.kind === 'sensor') {
    const p = SensorParams.safeParse(device.params);
    return p.success ? p.data.quantities.map((q) => q.name) : undefined;
  }
  const shape = (deviceKinds[device.kind].values as unknown as { shape: Record<string, unknown> }).shape;
  return Object.keys(shape).filter((k) => k !== 'extra');
}

/** Field-level problems of a device's `units` / `scale` against its kind (see models/DeviceUnits.ts). */
export function unitSettingsIssues(
  device: Pick<Device, 'kind' | 'params'>,
  units?: DeviceUnits | null,
  scale?: DeviceScale | null,
): Issue[] {
  return settingsIssues(readingFields(device), device.kind === 'env_monitor', units, scale);
}

/** A device as a GeoJSON Feature; a device placed only by its IFC element has a null geometry. */
export function deviceToFeature(d: Device) {
  const { location, ...props } = d;
  return {
    type: 'Feature' as const,
    id: d.id,
    geometry: location ? { type: 'Point' as const, coordinates: [location.lon, location.lat, location.height] } : null,
    properties: props,
  };
}
