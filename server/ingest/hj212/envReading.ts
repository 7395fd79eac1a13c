import type { Device } from '../../../models/Device.js';
import { scaleFactors } from '../../../models/DeviceUnits.js';
import { HJ212_CODE_FIELDS, type EnvMonitorValues } from '../../../models/EnvMonitor.js';
import { parseChinaTime, type Hj212Packet } from './packet.js';

/** A mass-concentration unit on the wire. */
export type MassUnit = 'ug/m3' | 'mg/m3';

/**
 * Which unit each particulate code arrives in. HJ 212-2017's code table names mg/m3 for mass concentrations, yet the
 * dust monitors on building sites send ug/m3 (public example frames: `a34004-Rtd=25`, `a34001-Rtd=132` next to
 * `a34002-Rtd=30`: mg/m3 would be a hundred times any limit). So the default is ug/m3 for all three, and the codes of
 * a vendor that follows the table are listed in HJ212_MGM3_CODES (e.g. `a34001`), which multiplies them by 1000.
 */
export type UnitPolicy = Record<'a34001' | 'a34002' | 'a34004', MassUnit>;
export const DEFAULT_UNITS: UnitPolicy = { a34001: 'ug/m3', a34002: 'ug/m3', a34004: 'ug/m3' };

/** Builds a policy from a comma list of codes that arrive in mg/m3. Unknown codes are refused by name. */
export function unitPolicyFromList(mgCodes: string): UnitPolicy {
  const policy = { ...DEFAULT_UNITS };
  for (const code of mgCodes
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(code in policy)) throw new Error(`HJ212_MGM3_CODES: ${code} is not one of a34001, a34002, a34004`);
    policy[code as keyof UnitPolicy] = 'mg/m3';
  }
  return policy;
}

/**
 * The server-wide policy for one device: a particulate code whose field has the device's own unit or scale setting
 * arrives as sent (ug/m3 here), and the ingest applies the device's setting, so the two never multiply together.
 */
export function policyForDevice(policy: UnitPolicy, device: Pick<Device, 'units' | 'scale'>): UnitPolicy {
  if (!device.units && !device.scale) return policy;
  const factors = scaleFactors(device.units, device.scale);
  if (!factors) return policy;
  const out = { ...policy };
  for (const code of Object.keys(out) as Array<keyof UnitPolicy>)
    if (factors.has(HJ212_CODE_FIELDS[code]!)) out[code] = 'ug/m3';
  return out;
}

type NumericField = Exclude<keyof EnvMonitorValues, 'extra'>;

/** HJ 212 code -> reading field, with the factor to the field's unit. */
const FIELDS: Record<string, { field: NumericField; factor?: (u: UnitPolicy) => number }> = {
  a34001: { field: 'tspUgm3', factor: (u) => (u.a34001 === 'mg/m3' ? 1000 : 1) },
  a34002: { field: 'pm10Ugm3', factor: (u) => (u.a34002 === 'mg/m3' ? 1000 : 1) },
  a34004: { field: 'pm25Ugm3', factor: (u) => (u.a34004 === 'mg/m3' ? 1000 : 1) },
  LA: { field: 'noiseDb' },
  a01001: { field: 'temperatureC' },
  a01002: { field: 'humidityPct' },
  a01006: { field: 'pressureKpa' },
  a01007: { field: 'windSpeedMps' },
  a01008: { field: 'windDirDeg' },
};

/** Codes of HJ 212-2005 and of vendor dialects that mean the same thing (seen in the wild). */
const ALIASES: Record<string, string> = {
  TSP: 'a34001',
  PM10: 'a34002',
  PM25: 'a34004',
  'PM2.5': 'a34004',
  Leq: 'LA',
  LAeq: 'LA',
  NOIS: 'LA',
  TEM: 'a01001',
  RH: 'a01002',
  PA: 'a01006',
  WS: 'a01007',
  WD: 'a01008',
};

/**
 * Data flags of HJ 212-2017 that mean the value is not a measurement of the air (stopped, maintenance, manual,
 * fault, calibration, communication lost). N (normal) and T (over limit) are real measurements.
 */
const UNUSABLE_FLAGS: Record<string, string> = {
  F: 'stopped',
  M: 'maintenance',
  S: 'manual',
  D: 'fault',
  C: 'calibration',
  B: 'comm_lost',
};

/** The suffix that carries the value: real-time data (2011) has `-Rtd`, minute/hour/day data (2051/2061/2031) `-Avg`. */
function valueSuffix(cn: string | undefined): 'Rtd' | 'Avg' {
  return cn === '2051' || cn === '2061' || cn === '2031' ? 'Avg' : 'Rtd';
}

/** Commands that carry measured values. */
export const DATA_COMMANDS = new Set(['2011', '2051', '2061', '2031']);

/**
 * Data commands by rank among readings of one DataTime: day (2031), hour (2061) and minute (2051) averages, then
 * real-time data (2011), which is what the latest state shows when they share a DataTime.
 */
const CN_RANK: Record<string, number> = { '2031': 0, '2061': 1, '2051': 2, '2011': 3 };

/**
 * The `seq` of an HJ 212 reading: its DataTime (epoch ms) and its data command. A monitor sends real-time data and,
 * at the top of a minute / hour / day, the averages with the very same whole-second DataTime: keyed by time alone,
 * the averages were taken for repeats of the real-time reading and dropped (yet answered 9014). With this seq only a
 * resend of the same command and DataTime is a repeat; it grows with time, so the latest state still moves forward.
 */
export function hj212Seq(time: number, cn: string): number {
  const rank = CN_RANK[cn];
  if (rank === undefined) throw new RangeError(`CN ${cn} carries no data`);
  return time * 4 + rank;
}

export interface EnvMapping {
  time?: number;
  values: EnvMonitorValues;
  /** Values not mapped to a field and why (`fault flag D`, `not a number`), for the log. */
  dropped: Array<{ key: string; value: string; why: string }>;
}

/**
 * Turns the CP of a data packet into env_monitor values. Unknown codes and the extra statistics (`-Min`, `-Max`,
 * `-Cou`, `-ZsRtd`, …) are kept in `extra` under their wire key; a value flagged unusable goes to `extra` too, with
 * its flag, and not into the field that alarms and charts read.
 */
export function envReadingFrom(p: Hj212Packet, units: UnitPolicy = DEFAULT_UNITS): EnvMapping {
  const suffix = valueSuffix(p.cn);
  const values: Record<string, number> = {};
  const extra: Record<string, number | string> = {};
  const dropped: EnvMapping['dropped'] = [];
  const time = parseChinaTime(p.cp.get('DataTime')) ?? undefined;
  if (p.cp.has('DataTime') && time === undefined)
    dropped.push({ key: 'DataTime', value: p.cp.get('DataTime')!, why: 'not a date' });

  for (const [key, raw] of p.cp) {
    if (key === 'DataTime') continue;
    const dash = key.lastIndexOf('-');
    const wireCode = dash > 0 ? key.slice(0, dash) : key;
    const part = dash > 0 ? key.slice(dash + 1) : '';
    const code = ALIASES[wireCode] ?? wireCode;
    const spec = FIELDS[code];
    if (!spec || part !== suffix) {
      if (part === 'Flag' && spec) continue; // read with its value below
      putExtra(extra, key, raw);
      continue;
    }
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n)) {
      dropped.push({ key, value: raw, why: 'not a number' });
      putExtra(extra, key, raw);
      continue;
    }
    const flag = p.cp.get(`${wireCode}-Flag`)?.toUpperCase();
    if (flag && UNUSABLE_FLAGS[flag]) {
      dropped.push({ key, value: raw, why: `flag ${flag} (${UNUSABLE_FLAGS[flag]})` });
      putExtra(extra, key, n);
      putExtra(extra, `${wireCode}-Flag`, flag);
      continue;
    }
    values[spec.field] = round(n * (spec.factor?.(units) ?? 1));
  }
  const out: EnvMonitorValues = { ...values } as EnvMonitorValues;
  if (Object.keys(extra).length) out.extra = extra;
  return { time, values: out, dropped };
}

/** Extra keys are at most 64 chars and values at most 256 (the schema's bounds): clip rather than lose the reading. */
function putExtra(extra: Record<string, number | string>, key: string, value: number | string): void {
  if (Object.keys(extra).length >= 64) return;
  const k = key.slice(0, 64);
  if (typeof value === 'number') extra[k] = value;
  else {
    const n = Number(value);
    extra[k] = value !== '' && Number.isFinite(n) && /^-?[\d.]+$/.test(value) ? n : value.slice(0, 256);
  }
}

/** Scaling by 1000 turns 0.0756 into 75.60000000000001; keep 6 significant decimals. */
function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
