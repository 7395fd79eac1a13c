/**
 * What a rule reports for one quantity of one reading: its value and the lines it is judged against. Rules are pure
 * and stateless; whether an alarm is raised, escalated or cleared is decided by the state machine in
 * `../alarmState.ts`, which adds hysteresis and a minimum duration.
 */
export interface Measure {
  /** Stable name of the check, e.g. `crane.load`; (device, rule) identifies one alarm condition. */
  rule: string;
  /** The reading field (or derived quantity) judged, e.g. `loadPct`. */
  quantity: string;
  value: number;
  /** Pre-warning line; absent when the quantity has one level only (alarm bits). */
  prewarnAt?: number;
  alarmAt: number;
  /** `above` (default): higher is worse. `below`: lower is worse (a clearance, a falling level). */
  direction?: 'above' | 'below';
  unit: string;
  /** How long a level must hold before it is raised or cleared (reading time, ms). */
  minDurationMs: number;
  /** Width of the hysteresis band in % of the line: a raised level clears only below line - band. */
  hysteresisPct: number;
  /** Words for the message, e.g. `Load`. */
  label: string;
}

/** A measure's lines without the value: what the state machine needs besides the sample. */
export type MeasureLines = Pick<Measure, 'prewarnAt' | 'alarmAt' | 'direction' | 'minDurationMs' | 'hysteresisPct'>;

/** Alarm bits become measures of value 1 (set) or 0 (reset) with one line at 1: the device already decided. */
export function bitMeasures(
  prefix: string,
  bits: Record<string, boolean | undefined> | undefined,
  minDurationMs: number,
): Measure[] {
  if (!bits) return [];
  const out: Measure[] = [];
  for (const [name, set] of Object.entries(bits)) {
    if (typeof set !== 'boolean') continue;
    out.push({
      rule: `${prefix}.bit.${name}`,
      quantity: `alarms.${name}`,
      value: set ? 1 : 0,
      alarmAt: 1,
      unit: '',
      minDurationMs,
      hysteresisPct: 0,
      label: `Device alarm bit "${name}"`,
    });
  }
  return out;
}

/** A number when `v` is a finite number, else undefined (readings carry only what changed). */
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
