import type { Alarm } from '../../models/Alarm.js';
import { FIELDS, formatValue, type FieldSpec } from '../devices/deviceFields.js';
import { t } from '../i18n/i18n.js';
import { ruleLabel } from './alarmNames.js';

/** Quantities of the alarm rules that no device field lists, with their unit. */
const EXTRA: Record<string, { unit: string; digits: number }> = {
  tiltDeg: { unit: '°', digits: 2 },
  clearanceM: { unit: 'm', digits: 1 },
  loadPct: { unit: '%', digits: 1 },
};

function specOf(quantity: string): Pick<FieldSpec, 'unit' | 'digits'> | undefined {
  for (const specs of Object.values(FIELDS)) {
    const s = specs.find((x) => x.key === quantity);
    if (s) return s;
  }
  return EXTRA[quantity];
}

/**
 * An alarm's reason in the page's language, from its facts (rule, value, the line crossed): "噪声 62.0 dB(A)（报警线
 * 55.0 dB(A)）" / "Noise 62.0 dB(A) (alarm at 55.0 dB(A))". The server's `message` is English; it is kept only for a
 * quantity the client cannot name (a notice past its deadline, a generic sensor's own quantity).
 */
export function alarmText(
  a: Pick<Alarm, 'rule' | 'quantity' | 'level' | 'value' | 'threshold' | 'message'>,
  deviceName: (id: string) => string | undefined,
): string {
  const spec = specOf(a.quantity);
  if (!spec) return a.message;
  const v = (n: number) => formatValue({ key: a.quantity, label: '', unit: spec.unit, digits: spec.digits }, n);
  return t(a.level === 'alarm' ? 'alarm.text.alarm' : 'alarm.text.prewarning', {
    what: ruleLabel(a.rule, deviceName),
    value: v(a.value),
    line: v(a.threshold),
  });
}
