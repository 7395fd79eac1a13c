import { describe, expect, it } from 'vitest';
import { MAX_READING_TIME, MIN_READING_TIME, parseReadingIn, ReadingIn } from '../../models/Reading.js';

// parseReadingIn must answer exactly as the schema does, on the common readings and on every near miss.
const id = '2afc3e01-555a-43ac-bc9d-09623aa36654';
const base = {
  deviceId: id,
  seq: 7,
  time: Date.UTC(2026, 0, 1),
  values: { pm10Ugm3: 41, nested: { a: [1, 'x'] } },
  key: 'stk_abc',
};
const variants: unknown[] = [
  base,
  { deviceId: id, seq: 0, values: {} },
  { deviceId: id, time: MIN_READING_TIME, values: { a: 1 } },
  { deviceId: id, values: { a: 1 } }, // neither time nor seq
  { ...base, deviceId: id.toUpperCase() },
  { ...base, deviceId: '2afc3e01-555a-03ac-bc9d-09623aa36654' }, // version nibble 0
  { ...base, deviceId: '2afc3e01-555a-43ac-7c9d-09623aa36654' }, // variant nibble 7
  { ...base, deviceId: `${id} ` },
  { ...base, deviceId: 42 },
  { ...base, time: MIN_READING_TIME - 1 },
  { ...base, time: 1.5e12 + 0.5 },
  { ...base, time: '1767225600000' },
  { ...base, time: Number.MAX_SAFE_INTEGER + 2 },
  { ...base, time: MAX_READING_TIME },
  { ...base, time: MAX_READING_TIME + 1 }, // a safe integer no Date can hold

  { ...base, seq: -1 },
  { ...base, seq: 1.5 },
  { ...base, seq: Number.MAX_SAFE_INTEGER },
  { ...base, seq: null },
  { ...base, key: '' },
  { ...base, key: 'k'.repeat(256) },
  { ...base, key: 'k'.repeat(257) },
  { ...base, key: 5 },
  { ...base, extra: 1 },
  { ...base, time: undefined },
  { ...base, values: [] },
  { ...base, values: null },
  { ...base, values: 'x' },
  { ...base, values: JSON.parse('{"__proto__": {"polluted": 1}, "a": 2}') },
  { ...base, values: Object.create(null) },
  JSON.parse(`{"deviceId":"${id}","seq":1,"values":{"a":1},"__proto__":{"x":1}}`),
  Object.assign(Object.create({ inherited: 1 }), base),
  [base],
  null,
  42,
  'reading',
];

describe('parseReadingIn (fast path of ReadingIn)', () => {
  it.each(variants.map((v, i) => [i, v] as const))(
    'variant %i: same outcome, data and issues as the schema',
    (_i, v) => {
      const fast = parseReadingIn(v);
      const slow = ReadingIn.safeParse(v);
      expect(fast.success).toBe(slow.success);
      if (slow.success) expect(fast.data).toEqual(slow.data);
      else expect(fast.error!.issues).toEqual(slow.error.issues);
    },
  );

  it('refuses a time no Date can hold, with a field reason (the ingest formats times as ISO dates)', () => {
    const r = parseReadingIn({ ...base, time: MAX_READING_TIME + 1 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['time']);
    expect(() => new Date(MAX_READING_TIME).toISOString()).not.toThrow();
  });

  it('takes the fast path for a plain valid reading (returns the object itself, no copy)', () => {
    const r = parseReadingIn(base);
    expect(r.success && r.data).toBe(base);
  });
});
