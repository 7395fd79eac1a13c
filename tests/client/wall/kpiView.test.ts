import { describe, expect, it } from 'vitest';
import { figure, type Kpis } from '../../../models/Kpis.js';
import { ageNow, formatAge, kpiTiles, tradeRows } from '../../../client/wall/kpiView.js';

import { setLocale } from '../../../client/i18n/i18n.js';

// The expected texts below are the English catalogue's.
setLocale('en');
const NOW = 1_800_000_000_000;

function kpis(over: Partial<Kpis> = {}): Kpis {
  return {
    tier: 'city',
    id: null,
    at: NOW,
    dayStart: NOW - 3_600_000,
    projects: { total: 6, online: figure(4, NOW - 2_000, NOW, 60_000) },
    cranes: { total: 5, working: figure(3, NOW - 2_000, NOW, 60_000), inAlarm: figure(1, NOW - 2_000, NOW, 60_000) },
    openAlarms: { available: true, prewarning: 2, alarm: 1, ageMs: 30_000 },
    dust: { exceedances: figure(0, NOW - 700_000, NOW, 600_000), devicesOver: 0, devicesWithoutLimit: 0 },
    noise: { exceedances: figure(3, NOW - 1_000, NOW, 600_000), devicesOver: 1 },
    workers: { onSite: figure(12, null, NOW, 86_400_000), byTrade: { rebar: 5, concrete: 4, electrical: 3 } },
    ...over,
  };
}

describe('KPI tiles', () => {
  it('shows every figure with its tone and staleness', () => {
    const t = Object.fromEntries(kpiTiles(kpis()).map((x) => [x.key, x]));
    expect(Object.keys(t)).toEqual(['projects', 'cranes', 'cranesAlarm', 'alarms', 'dust', 'noise', 'workers']);
    expect(t.projects).toMatchObject({ value: '4 / 6', sub: '2 offline', tone: 'warn', stale: false, ageMs: 2_000 });
    expect(t.cranesAlarm).toMatchObject({ value: '1', tone: 'alarm' });
    expect(t.alarms).toMatchObject({ value: '3', sub: '1 alarm · 2 pre-warning', tone: 'alarm', stale: false });
    // The dust data is 700 s old against a 600 s interval: stale, with its age.
    expect(t.dust).toMatchObject({ value: '0', stale: true, ageMs: 700_000 });
    expect(t.noise).toMatchObject({ tone: 'warn', stale: false });
    // No gate event at all: stale, no age.
    expect(t.workers).toMatchObject({
      value: '12',
      stale: true,
      ageMs: null,
      sub: 'rebar 5 · concrete 4 · electrical 3',
    });
  });

  it('marks alarms unknown when the store has no alarm table', () => {
    const t = kpiTiles(kpis({ openAlarms: { available: false, prewarning: 0, alarm: 0, ageMs: null } })).find(
      (x) => x.key === 'alarms',
    )!;
    expect(t).toMatchObject({ value: '—', tone: 'idle', stale: true });
  });

  it('formats ages short and keeps ageing them on screen', () => {
    expect([0, 12_400, 61_000, 3_600_000 * 5, 86_400_000 * 3].map(formatAge)).toEqual([
      '0 s',
      '12 s',
      '1 min',
      '5 h',
      '3 d',
    ]);
    expect(formatAge(null)).toBe('no data');
    expect(ageNow(2_000, 10_000)).toBe(12_000);
    expect(ageNow(null, 10_000)).toBeNull();
    expect(ageNow(2_000, -50)).toBe(2_000); // a clock step back never makes data younger
  });

  it('sums the smallest trades as "other" past the row limit', () => {
    expect(tradeRows({ a: 1, b: 5, c: 3, d: 2 }, 3)).toEqual([
      ['b', 5],
      ['c', 3],
      ['other', 3],
    ]);
    expect(tradeRows({ a: 1, b: 1 }, 3)).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });
});

describe('tiles that are current are not greyed', () => {
  it('a count over no devices of its kind is a live zero, not stale', () => {
    const k = kpis({
      cranes: { total: 0, working: figure(0, null, NOW, 60_000), inAlarm: figure(0, null, NOW, 60_000) },
    });
    const t = Object.fromEntries(kpiTiles(k).map((x) => [x.key, x]));
    expect(t.cranes).toMatchObject({ value: '0 / 0', stale: false, sub: 'no cranes' });
    expect(t.cranesAlarm).toMatchObject({ value: '0', stale: false, tone: 'ok' });
  });
  it('the open-alarm count does not age against an interval: an alarm open for an hour is still a current count', () => {
    const t = kpiTiles(kpis({ openAlarms: { available: true, prewarning: 0, alarm: 1, ageMs: 3_600_000 } })).find(
      (x) => x.key === 'alarms',
    )!;
    expect(t).toMatchObject({ stale: false, interval: false });
    const dust = kpiTiles(kpis()).find((x) => x.key === 'dust')!;
    expect(dust.interval).toBe(true);
  });
  it('names trades in words', () => {
    setLocale('zh-CN');
    try {
      const t = kpiTiles(kpis()).find((x) => x.key === 'workers')!;
      expect(t.sub).toBe('钢筋工 5 · 混凝土工 4 · 电工 3');
      expect(t.label).toBe('在场工人');
    } finally {
      setLocale('en');
    }
  });
});
