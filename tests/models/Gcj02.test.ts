import { describe, expect, it } from 'vitest';
import { gcj02ToWgs84, inChina, wgs84ToGcj02 } from '../../models/Gcj02.js';
import { distanceM } from '../../models/geodesy.js';

// Published pairs: googollee/eviltransform's tests (lat, lon as WGS84 -> GCJ-02), and wandergis/coordtransform's README
// (Beijing, lon/lat). Both implement the same leaked algorithm; agreement to 1e-9 degrees is float rounding.
const PAIRS: Array<{ name: string; wgs: [number, number]; gcj: [number, number] }> = [
  { name: 'Shanghai', wgs: [121.5272106, 31.1774276], gcj: [121.531541859215, 31.17530398364597] },
  { name: 'Shenzhen', wgs: [113.912316, 22.543847], gcj: [113.9171764808363, 22.540796131694766] },
  { name: 'Beijing', wgs: [116.377817, 39.911954], gcj: [116.38404722455657, 39.91334545536069] },
  { name: 'Beijing (coordtransform)', wgs: [116.404, 39.915], gcj: [116.41024449916938, 39.91640428150164] },
];

describe('wgs84ToGcj02', () => {
  it.each(PAIRS)('matches the published pair for $name to 1e-9 degrees', ({ wgs, gcj }) => {
    const [lon, lat] = wgs84ToGcj02(wgs[0], wgs[1]);
    expect(lon).toBeCloseTo(gcj[0], 9);
    expect(lat).toBeCloseTo(gcj[1], 9);
  });

  it('leaves points outside China alone', () => {
    expect(wgs84ToGcj02(2.35, 48.85)).toEqual([2.35, 48.85]);
    expect(inChina(2.35, 48.85)).toBe(false);
    expect(inChina(120.38, 36.07)).toBe(true);
  });

  it('shifts Qingdao by a few hundred metres (the offset the imagery would show uncorrected)', () => {
    const [lon, lat] = wgs84ToGcj02(120.38, 36.07);
    const d = distanceM({ lon: 120.38, lat: 36.07 }, { lon, lat });
    expect(d).toBeGreaterThan(100);
    expect(d).toBeLessThan(1000);
  });
});

describe('gcj02ToWgs84 (inverse by iteration)', () => {
  it.each(PAIRS)('recovers the WGS84 point of $name to < 0.01 m', ({ wgs, gcj }) => {
    const [lon, lat] = gcj02ToWgs84(gcj[0], gcj[1]);
    expect(distanceM({ lon, lat }, { lon: wgs[0], lat: wgs[1] })).toBeLessThan(0.01);
  });

  it('round-trips a grid over China to < 0.01 m', () => {
    let worst = 0;
    for (let lon = 74; lon <= 134; lon += 2.5) {
      for (let lat = 18; lat <= 53; lat += 2.5) {
        const [gl, ga] = wgs84ToGcj02(lon, lat);
        const [wl, wa] = gcj02ToWgs84(gl, ga);
        worst = Math.max(worst, distanceM({ lon, lat }, { lon: wl, lat: wa }));
      }
    }
    expect(worst).toBeLessThan(0.01);
  });
});
