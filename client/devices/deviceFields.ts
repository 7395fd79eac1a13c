import { formatNumber, t, tOr } from '../i18n/i18n.js';
import type { Device, DeviceKind } from '../../models/Device.js';
import { SensorParams } from '../../models/Sensor.js';

/** How a reading field is shown: label, unit, decimals. */
export interface FieldSpec {
  key: string;
  label: string;
  unit: string;
  digits: number;
}

/**
 * A field spec whose label is read from the catalogue (`field.<key>`) each time it is shown, so it follows the page's
 * language; `label` is the English fallback for a key the catalogue lacks, turned into words (`humanField`).
 */
const f = (key: string, label: string, unit: string, digits = 1): FieldSpec => ({
  key,
  get label() {
    return tOr(`field.${key}`, label);
  },
  unit: unit ? tOr(`unit.${unit}`, unit) : unit,
  digits,
});

/** Unit suffixes the wire keeps in field names (models/*.ts): `strainUe` -> "strain" (µε). */
const UNIT_SUFFIX = /(Ue|Mm|M|Mps|Deg|Pct|Kn|Kg|T|C|Db|Ugm3|MmPerDay|Pa|Kpa|Hz|V|A|W)$/;

/** "operatorId" -> "Operator id", "strainUe" -> "Strain": a readable label for a field the catalogue does not name. */
export function humanField(key: string): string {
  const bare = key.length > 3 ? key.replace(UNIT_SUFFIX, '') || key : key;
  const words = bare
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The fields the device panel lists per kind, in order, with their units (the wire keeps SI units in field names:
 * models/*.ts). Fields a device sends beyond these are still listed, unit-less, after them.
 */
export const FIELDS: Record<DeviceKind, FieldSpec[]> = {
  tower_crane: [
    f('loadT', 'Load', 't', 2),
    f('ratedLoadT', 'Rated load', 't', 2),
    f('momentPct', 'Load moment', '%'),
    f('radiusM', 'Radius', 'm'),
    f('slewDeg', 'Slew', '°'),
    f('hookHeightM', 'Hook height', 'm'),
    f('windSpeedMps', 'Wind', 'm/s'),
    f('tiltXDeg', 'Tilt X', '°', 3),
    f('tiltYDeg', 'Tilt Y', '°', 3),
  ],
  hoist: [
    f('loadKg', 'Load', 'kg', 0),
    f('loadPct', 'Load of rated', '%'),
    f('persons', 'Persons', '', 0),
    f('floor', 'Floor', '', 0),
    f('heightM', 'Height', 'm'),
    f('speedMps', 'Speed', 'm/s', 2),
    f('windSpeedMps', 'Wind', 'm/s'),
  ],
  env_monitor: [
    f('pm25Ugm3', 'PM2.5', 'µg/m³'),
    f('pm10Ugm3', 'PM10', 'µg/m³'),
    f('tspUgm3', 'TSP', 'µg/m³'),
    f('noiseDb', 'Noise', 'dB(A)'),
    f('windSpeedMps', 'Wind', 'm/s'),
    f('windDirDeg', 'Wind from', '°', 0),
    f('temperatureC', 'Temperature', '°C'),
    f('humidityPct', 'Humidity', '%', 0),
  ],
  pit_gauge: [
    f('settlementMm', 'Settlement', 'mm', 2),
    f('displacementMm', 'Displacement', 'mm', 2),
    f('rateMmPerDay', 'Rate', 'mm/d', 3),
    f('strutForceKn', 'Strut force', 'kN', 0),
    f('waterLevelM', 'Groundwater', 'm', 2),
  ],
  camera: [f('headingDeg', 'Heading', '°', 0), f('pitchDeg', 'Pitch', '°', 0), f('zoom', 'Zoom', '×')],
  gate: [f('onSite', 'On site', '', 0)],
  sensor: [],
};

/** The field spec of `key` for a kind (a bare one for fields outside the list). */
export function fieldSpec(kind: DeviceKind, key: string): FieldSpec {
  return FIELDS[kind].find((s) => s.key === key) ?? f(key, humanField(key), '', 2);
}

/**
 * The field spec of `key` for a device: as `fieldSpec`, except that a generic sensor's quantities carry the unit its
 * params declare (`strainUe` in µε).
 */
export function deviceFieldSpec(device: Pick<Device, 'kind' | 'params'>, key: string): FieldSpec {
  if (device.kind !== 'sensor') return fieldSpec(device.kind, key);
  const p = SensorParams.safeParse(device.params);
  const q = p.success ? p.data.quantities.find((x) => x.name === key) : undefined;
  return q ? f(key, humanField(key), q.unit, 2) : fieldSpec('sensor', key);
}

/** The fields a device's panel lists first, in order: its kind's list, or a generic sensor's declared quantities. */
export function listedFields(device: Pick<Device, 'kind' | 'params'>): string[] {
  if (device.kind !== 'sensor') return FIELDS[device.kind].map((x) => x.key);
  const p = SensorParams.safeParse(device.params);
  return p.success ? p.data.quantities.map((q) => q.name) : [];
}

/**
 * The lines of a generic sensor's map label: its declared quantities in order with their units ("—" for one not
 * reported yet), at most `max`, then "+n more".
 */
export function sensorValueLines(
  device: Pick<Device, 'kind' | 'params'>,
  values: Record<string, unknown>,
  max = 4,
): string[] {
  const declared = listedFields(device);
  const names = declared.length ? declared : Object.keys(values).filter((k) => typeof values[k] === 'number');
  const lines = names
    .slice(0, max)
    .map((n) => `${deviceFieldSpec(device, n).label} ${formatValue(deviceFieldSpec(device, n), values[n])}`);
  if (names.length > max) lines.push(t('field.more', { n: names.length - max }));
  return lines;
}

/** A value with its unit ("12.5 µg/m³", "yes", "—" for nothing). */
export function formatValue(spec: FieldSpec, v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'number')
    return `${formatNumber(v, { minimumFractionDigits: spec.digits, maximumFractionDigits: spec.digits })}${spec.unit ? ` ${spec.unit}` : ''}`;
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** How old data is, short: "4 s", "12 min", "3 h", "2 d". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** The numeric fields a chart can draw for a device: the kind's listed ones first, then others seen in its values. */
export function chartableFields(kind: DeviceKind, values: Record<string, unknown>): string[] {
  const listed = FIELDS[kind].map((s) => s.key);
  const extra = Object.keys(values).filter((k) => typeof values[k] === 'number' && !listed.includes(k));
  return [...listed.filter((k) => kind !== 'gate' || k in values), ...extra];
}

/** History ranges of the chart and the bucket asked for each (about 120-170 points per range). */
export const HISTORY_RANGES = [
  { id: '1h', label: '1 h', spanMs: 3_600_000, bucket: '30s' },
  { id: '24h', label: '24 h', spanMs: 86_400_000, bucket: '10m' },
  { id: '7d', label: '7 d', spanMs: 7 * 86_400_000, bucket: '1h' },
] as const;
export type HistoryRangeId = (typeof HISTORY_RANGES)[number]['id'];
