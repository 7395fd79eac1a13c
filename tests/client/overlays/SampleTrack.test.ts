import { describe, expect, it } from 'vitest';
import { LivePlaybackClock, SampleTrack } from '../../../client/overlays/SampleTrack.js';

describe('SampleTrack', () => {
  it('interpolates linearly between the samples around t and holds outside them', () => {
    const tr = new SampleTrack(2);
    const out = new Float64Array(2);
    expect(tr.evaluate(0, out)).toBe(false);
    tr.push(1000, [10, 100]);
    tr.push(2000, [20, 50]);
    tr.evaluate(1500, out);
    expect([...out]).toEqual([15, 75]);
    tr.evaluate(1250, out);
    expect(out[0]).toBeCloseTo(12.5, 9);
    tr.evaluate(0, out);
    expect([...out]).toEqual([10, 100]);
    tr.evaluate(9999, out);
    expect([...out]).toEqual([20, 50]);
  });

  it('turns angles by the shorter arc across north', () => {
    const tr = new SampleTrack(1, [true]);
    const out = [0];
    tr.push(0, [350]);
    tr.push(1000, [10]);
    tr.evaluate(500, out);
    expect(((out[0]! % 360) + 360) % 360).toBeCloseTo(0, 9);
    tr.evaluate(250, out);
    expect(out[0]).toBeCloseTo(355, 9);
  });

  it('drops late samples, replaces a same-time one, keeps the previous value for a missing field', () => {
    const tr = new SampleTrack(2);
    const out = [0, 0];
    tr.push(1000, [1, 1]);
    tr.push(2000, [2, NaN]);
    tr.push(1500, [99, 99]); // older than the newest: ignored
    tr.evaluate(2000, out);
    expect(out).toEqual([2, 1]);
    tr.push(2000, [3, 3]);
    tr.evaluate(2000, out);
    expect(out).toEqual([3, 3]);
    expect(tr.size).toBe(2);
  });

  it('keeps the newest samples once full (ring buffer)', () => {
    const tr = new SampleTrack(1, [], 4);
    for (let i = 0; i < 10; i++) tr.push(i * 1000, [i]);
    expect(tr.size).toBe(4);
    const out = [0];
    tr.evaluate(0, out); // before the oldest kept (6 s): held at it
    expect(out[0]).toBe(6);
    tr.evaluate(8500, out);
    expect(out[0]).toBeCloseTo(8.5, 9);
    expect(tr.lastTime).toBe(9000);
  });
});

describe('LivePlaybackClock', () => {
  it('shows the reading clock a fixed delay behind, whatever the clock offset', () => {
    const c = new LivePlaybackClock(1000);
    // The device clock runs 5 s behind the page: readings arrive 5.2 s after their stamp, then 5.05 s.
    c.observe(10_000, 15_200);
    c.observe(11_000, 16_050);
    expect(c.displayTime(16_050)).toBe(10_000);
    c.reset();
    expect(c.displayTime(5000)).toBe(4000);
  });
});
