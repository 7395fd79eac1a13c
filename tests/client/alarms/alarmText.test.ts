import { afterEach, describe, expect, it } from 'vitest';
import type { Alarm } from '../../../models/Alarm.js';
import { alarmText } from '../../../client/alarms/alarmText.js';
import { setLocale } from '../../../client/i18n/i18n.js';

const noise: Pick<Alarm, 'rule' | 'quantity' | 'level' | 'value' | 'threshold' | 'message'> = {
  rule: 'env.noise',
  quantity: 'noiseDb',
  level: 'alarm',
  value: 62,
  threshold: 55,
  message: 'Noise (night limit) 62.0 dB(A) (alarm at 55.0 dB(A))',
};
const none = () => undefined;
afterEach(() => setLocale('zh-CN'));

describe('alarmText: an alarm row in the page language, from the alarm facts (the server words it in English)', () => {
  it('zh-CN: rule, value with unit, the line crossed, no English', () => {
    setLocale('zh-CN');
    expect(alarmText(noise, none)).toBe('噪声 62.0 dB(A)（报警线 55.0 dB(A)）');
    const moment = alarmText(
      { ...noise, rule: 'crane.moment', quantity: 'momentPct', level: 'prewarning', value: 96, threshold: 90 },
      none,
    );
    expect(moment).toBe('塔吊力矩 96.0 %（预警线 90.0 %）');
    expect(/[a-z]{2}/.test(moment)).toBe(false);
  });

  it('en: the same in English', () => {
    setLocale('en');
    expect(alarmText(noise, none)).toBe('Noise 62.0 dB(A) (alarm at 55.0 dB(A))');
  });

  it('keeps the server text for a quantity it cannot name (a notice, a generic sensor)', () => {
    const odd = { ...noise, rule: 'notice.overdue:x', quantity: 'overdueDays', message: 'Notice ZG-1 overdue' };
    expect(alarmText(odd, none)).toBe('Notice ZG-1 overdue');
  });
});
