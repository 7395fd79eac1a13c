import { describe, expect, it } from 'vitest';
import { azimuthDeg, distanceM } from '../../models/geodesy.js';
import { rectangleAround } from '../../models/geo.js';
import { KpiQuery, figure, regionPrefix } from '../../models/Kpis.js';
import { defaultCityTour, defaultProjectTour, lookAt } from '../../models/Tour.js';

const site = {
  id: '00000000-0000-4000-8000-000000000001',
  name: '青岛工地',
  footprint: rectangleAround({ lon: 120.4, lat: 36.1 }, 100, 100),
  heightM: 100,
};

describe('tour geometry', () => {
  it('generated tours pitch down at least maxPitchDeg (a portrait screen), from the same distance, and keep their default otherwise', () => {
    const now = Date.now();
    const flat = [defaultCityTour([site], now), defaultProjectTour(site, now)];
    const steep = [
      defaultCityTour([site], now, { maxPitchDeg: -42 }),
      defaultProjectTour(site, now, { maxPitchDeg: -42 }),
    ];
    for (const [i, t] of flat.entries())
      for (const [j, v] of t.viewpoints.entries()) {
        const s = steep[i]!.viewpoints[j]!;
        expect(v.pitchDeg).toBeGreaterThan(-42); // the defaults (-35, -31) are shallower
        expect(s.pitchDeg).toBeCloseTo(-42, 0);
        // Same place on the ground (the site stays centred), higher up.
        expect(s.lon).toBeCloseTo(v.lon, 9);
        expect(s.lat).toBeCloseTo(v.lat, 9);
        expect(s.height).toBeGreaterThan(v.height);
      }
    // A bound shallower than the default changes nothing.
    expect(defaultCityTour([site], now, { maxPitchDeg: -10 }).viewpoints).toEqual(flat[0]!.viewpoints);
  });

  it('places each camera on the far side of its heading, looking at the target', () => {
    const target = { lon: 120.4, lat: 36.1 };
    for (const heading of [0, 90, 180, 270, 45]) {
      const v = lookAt(target, heading, 500, 300);
      expect(distanceM({ lon: v.lon, lat: v.lat }, target)).toBeCloseTo(500, -1); // horizontal
      const az = azimuthDeg(v, target);
      expect(Math.min(Math.abs(az - heading), 360 - Math.abs(az - heading))).toBeLessThan(0.5);
      expect(v.pitchDeg).toBeCloseTo(-31, 0);
    }
  });

  it('generates a four-sided project tour and a city tour in name order', () => {
    const p = defaultProjectTour(site, 1);
    expect(p.viewpoints.map((v) => v.headingDeg)).toEqual([0, 270, 180, 90]);
    for (const v of p.viewpoints)
      expect(distanceM({ lon: v.lon, lat: v.lat }, { lon: 120.4, lat: 36.1 })).toBeCloseTo(400, -1);
    const c = defaultCityTour(
      [
        { ...site, id: '00000000-0000-4000-8000-000000000002', name: 'B' },
        { ...site, name: 'A' },
      ],
      1,
    );
    expect(c.viewpoints.map((v) => v.caption)).toEqual(['A', 'B']);
  });
});

describe('KPI helpers', () => {
  it('narrows regions and marks stale figures', () => {
    expect(regionPrefix('370200')).toBe('3702');
    expect(regionPrefix('370000')).toBe('37');
    expect(regionPrefix('370212')).toBe('370212');
    expect(figure(3, 1000, 61_001, 60_000)).toEqual({
      value: 3,
      ageMs: 60_001,
      expectedIntervalMs: 60_000,
      stale: true,
    });
    expect(figure(3, 1000, 2000, 60_000).stale).toBe(false);
    expect(figure(0, null, 2000, 60_000)).toMatchObject({ ageMs: null, stale: true });
    expect(KpiQuery.safeParse({ tier: 'enterprise' }).success).toBe(false);
    expect(KpiQuery.safeParse({ tier: 'city', id: 'x' }).success).toBe(false);
    expect(KpiQuery.parse({})).toEqual({ tier: 'city' });
  });
});
