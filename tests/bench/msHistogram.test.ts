import { describe, expect, it } from 'vitest';
import { MsHistogram } from '../../bench/msHistogram.js';

/** What bench/city.ts computed from the full sorted list before: the element at min(n - 1, floor(p / 100 * n)). */
const sortedPct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

describe('MsHistogram', () => {
  it('gives the same percentiles and max as the sorted list of all samples', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const n of [1, 2, 3, 10, 101, 5000]) {
      const xs = Array.from({ length: n }, () => Math.floor(rnd() < 0.95 ? rnd() * 80 : 200 + rnd() * 2000));
      const h = new MsHistogram();
      for (const x of xs) h.add(x);
      expect(h.n).toBe(n);
      for (const p of [0, 1, 50, 90, 99, 99.9, 100]) expect(h.pct(p), `n ${n}, p${p}`).toBe(sortedPct(xs, p));
      expect(h.max).toBe(Math.max(...xs));
    }
  });

  it('is empty as NaN, and keeps memory by distinct values, not by samples', () => {
    const h = new MsHistogram();
    expect(h.pct(50)).toBeNaN();
    expect(h.max).toBeNaN();
    for (let i = 0; i < 2_000_000; i++) h.add(i % 3 === 0 ? 40 : 41);
    expect(h.n).toBe(2_000_000);
    expect(h.pct(50)).toBe(41);
    expect(h.pct(33)).toBe(40);
    expect((h as unknown as { counts: Map<number, number> }).counts.size).toBe(2);
  });
});
