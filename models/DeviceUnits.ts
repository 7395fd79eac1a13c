import { z } from 'zod';
import { HJ212_CODE_FIELDS } from './EnvMonitor.js';

/**
 * Per-device unit and scale settings, applied at ingest before the values are checked: real monitors send PM in
 * ng/m3 or mg/m3, pressure in hPa, or values scaled by a vendor factor, and a device cannot be re-flashed to suit us.
 *
 * - `units`: the unit the device sends a field in, keyed by reading field (`pm10Ugm3`) or by a group (`pm` = TSP,
 *   PM10 and PM2.5). Only fields with a unit family are listed (UNIT_FIELDS).
 * - `scale`: a factor the device's value is multiplied by, keyed by reading field (`pm10Ugm3`, a sensor's quantity)
 *   or by HJ 212 code (`a34002`), which means that code's field.
 *
 * Both apply (unit factor x scale). A PATCH replaces a map; `null` removes it.
 */

/** Mass concentration: the field's unit is ug/m3. */
const MASS = { 'ug/m3': 1, 'mg/m3': 1000, 'ng/m3': 0.001 } as const;
/** Pressure: the field's unit is kPa. */
const PRESSURE = { kPa: 1, hPa: 0.1, Pa: 0.001 } as const;

/** Reading fields whose unit a device may declare, with each unit's factor to the field's own unit. */
export const UNIT_FIELDS: Record<string, Record<string, number>> = {
  tspUgm3: MASS,
  pm10Ugm3: MASS,
  pm25Ugm3: MASS,
  pressureKpa: PRESSURE,
};

/** Names that set the unit of several fields at once. */
export const UNIT_GROUPS: Record<string, string[]> = { pm: ['tspUgm3', 'pm10Ugm3', 'pm25Ugm3'] };

const KEY = z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,63}$/, 'a field name, group or HJ 212 code');

/** The unit each field (or group) arrives in; see UNIT_FIELDS / UNIT_GROUPS. */
export const DeviceUnits = z
  .record(KEY, z.string().min(1).max(16))
  .refine((m) => Object.keys(m).length <= 32, 'at most 32 entries');
export type DeviceUnits = z.infer<typeof DeviceUnits>;

/** A factor per field or HJ 212 code (finite, not 0). */
export const DeviceScale = z
  .record(
    KEY,
    z
      .number()
      .finite()
      .refine(
        (x) => x !== 0 && Math.abs(x) <= 1e9 && Math.abs(x) >= 1e-9,
        'a factor is non-zero, between 1e-9 and 1e9',
      ),
  )
  .refine((m) => Object.keys(m).length <= 64, 'at most 64 entries');
export type DeviceScale = z.infer<typeof DeviceScale>;

type Issue = { path: string; message: string };

/**
 * Field-level problems of a device's settings against its kind: a unit key must be a field with a unit family (or a
 * group) and the unit one of that family; a scale key a field the kind reports (any name for a generic sensor's
 * declared quantities) or an HJ 212 code of an env monitor. `fields` lists the kind's reading fields (undefined =
 * any name, for a generic sensor).
 */
export function settingsIssues(
  fields: readonly string[] | undefined,
  hj212: boolean,
  units?: DeviceUnits | null,
  scale?: DeviceScale | null,
): Issue[] {
  const issues: Issue[] = [];
  const known = (f: string) => fields === undefined || fields.includes(f);
  for (const [k, unit] of Object.entries(units ?? {})) {
    const targets = UNIT_GROUPS[k] ?? [k];
    const family = UNIT_FIELDS[targets[0]!];
    if (!family || !targets.every(known)) {
      const names = [...Object.keys(UNIT_GROUPS), ...Object.keys(UNIT_FIELDS)].filter((f) =>
        (UNIT_GROUPS[f] ?? [f]).every(known),
      );
      issues.push({
        path: `units.${k}`,
        message: names.length
          ? `no unit setting for ${k}; this device has ${names.join(', ')}`
          : 'this device has no field with a unit setting',
      });
    } else if (!(unit in family))
      issues.push({
        path: `units.${k}`,
        message: `${unit} is not a unit of ${k}: use ${Object.keys(family).join(', ')}`,
      });
  }
  for (const k of Object.keys(scale ?? {})) {
    const field = hj212 ? (HJ212_CODE_FIELDS[k] ?? k) : k;
    if (!known(field) || k === 'extra')
      issues.push({
        path: `scale.${k}`,
        message: `${k} is not a field${hj212 ? ' or HJ 212 code' : ''} of this device`,
      });
  }
  return issues;
}

/**
 * The factor per reading field that a device's settings give, or null when none (the common case: the ingest then
 * does nothing). Computed once per cached device.
 */
export function scaleFactors(units?: DeviceUnits, scale?: DeviceScale): Map<string, number> | null {
  if (!units && !scale) return null;
  const out = new Map<string, number>();
  for (const [k, unit] of Object.entries(units ?? {})) {
    for (const f of UNIT_GROUPS[k] ?? [k]) {
      const factor = UNIT_FIELDS[f]?.[unit];
      if (factor !== undefined) out.set(f, factor);
    }
  }
  for (const [k, factor] of Object.entries(scale ?? {})) {
    const f = HJ212_CODE_FIELDS[k] ?? k;
    out.set(f, (out.get(f) ?? 1) * factor);
  }
  return out.size ? out : null;
}

/** Scaling by 0.001 turns 140600 into 140.60000000000002: keep 9 significant decimals. */
const round = (n: number) => Math.round(n * 1e9) / 1e9;

/** A copy of `values` with each numeric field that has a factor multiplied by it (others, and non-numbers, as sent). */
export function applyScale(values: Record<string, unknown>, factors: Map<string, number>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [f, factor] of factors) {
    const v = values[f];
    if (typeof v !== 'number' || !Object.prototype.hasOwnProperty.call(values, f)) continue;
    out ??= { ...values };
    out[f] = round(v * factor);
  }
  return out ?? values;
}
