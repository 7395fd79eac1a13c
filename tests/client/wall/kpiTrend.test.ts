import { describe, expect, it } from 'vitest';
import { KpiTrend, sparklinePath, TREND_BUCKET_MS, TREND_SPAN_MS } from '../../../client/wall/kpiTrend.js';

const T0 = 1_800_000_000_000 - (1_800_000_000_000 % TREND_BUCKET_MS);

describe('KPI trend', () => {
  it('keeps one point per 5-minute bucket (the last value wins) and nothing older than 24 h', () => {
    const tr = new KpiTrend();
    tr.add('workers', 3, T0);
    tr.add('workers', 5, T0 + 60_000);
    tr.add('workers', 7, T0 + TREND_BUCKET_MS);
    tr.add('workers', null, T0 + 2 * TREND_BUCKET_MS);
    expect(tr.points('workers', T0 + TREND_BUCKET_MS)).toEqual([
      [T0, 5],
      [T0 + TREND_BUCKET_MS, 7],
    ]);
    // A day of pushes every 2 s is still at most 289 points.
    for (let t = T0; t < T0 + TREND_SPAN_MS + 3_600_000; t += 2000) tr.add('alarms', t % 7, t);
    const now = T0 + TREND_SPAN_MS + 3_600_000;
    const pts = tr.points('alarms', now);
    expect(pts.length).toBeLessThanOrEqual(289);
    expect(pts[0]![0]).toBeGreaterThanOrEqual(now - TREND_SPAN_MS - TREND_BUCKET_MS);
  });

  it('draws the series over 24 h, from 0 to the maximum', () => {
    const now = T0 + TREND_SPAN_MS;
    expect(sparklinePath([], now, 100, 10)).toBe('');
    expect(
      sparklinePath(
        [
          [T0, 0],
          [now, 10],
        ],
        now,
        100,
        10,
      ),
    ).toBe('M0 10 L100 0');
    expect(sparklinePath([[T0 + TREND_SPAN_MS / 2, 4]], now, 100, 10)).toBe('M50 0 L100 0');
  });
});

describe('camera grid', () => {
  it('lays out 1, 2-4 and 5-9 cameras in 1, 2 and 3 columns', async () => {
    const { gridColumns, MAX_CAMERAS } = await import('../../../client/wall/CameraGrid.js');
    expect([1, 2, 4, 5, 9].map(gridColumns)).toEqual([1, 2, 2, 3, 3]);
    expect(MAX_CAMERAS).toBe(9);
  });
});
