import { Cartesian3, Color, CustomDataSource, JulianDate } from 'cesium';
import { describe, expect, it } from 'vitest';
import { PIN_LABEL_DY, PIN_NEAR_M, pulseExtentPx, pulsePoint } from '../../../client/map/alarmPulse.js';
import { boxesOverlap, placeLabels } from '../../../client/map/labelPlacement.js';

const now = JulianDate.now();

describe('the alarm pulse ring under a project pin', () => {
  it('shows only where the pin shows: not at site scale, over the devices and their labels', () => {
    const ds = new CustomDataSource('pulses');
    const e = ds.entities.add({
      position: Cartesian3.fromDegrees(120.47, 36.1, 30),
      point: pulsePoint(
        () => 0.5,
        () => 1.75,
        Color.RED,
      ),
    });
    const ddc = e.point!.distanceDisplayCondition!.getValue(now);
    expect(ddc.near).toBe(PIN_NEAR_M);
    expect(ddc.far).toBe(Number.POSITIVE_INFINITY);
  });

  it('at its widest (outline on both sides) is no larger than the extent the probe and the placer use', () => {
    for (const scale of [1, 1.75, 3.5]) {
      let phase = 1;
      const ds = new CustomDataSource('pulses');
      const e = ds.entities.add({
        position: Cartesian3.fromDegrees(120.47, 36.1, 30),
        point: pulsePoint(
          () => phase,
          () => scale,
          Color.RED,
        ),
      });
      const widest = e.point!.pixelSize!.getValue(now) + 2 * e.point!.outlineWidth!.getValue(now);
      expect(widest).toBeCloseTo(pulseExtentPx(scale), 6);
      phase = 0;
      expect(e.point!.pixelSize!.getValue(now)).toBeLessThan(widest);
    }
  });

  it('keeps other labels off the ring and leaves room for its own label above it, at desk and wall scale', () => {
    for (const scale of [1, 1.75, 3.5]) {
      const ring = pulseExtentPx(scale);
      const pin = { id: 'alarmed', x: 400, y: 300, w: 120, h: 24, priority: 100, pin: true, pinPx: ring };
      const r = placeLabels(
        [
          { ...pin, dy: PIN_LABEL_DY * scale },
          // A device label centred on the pin: it would sit under the ring.
          { id: 'device', x: 400, y: 300, w: 80, h: 20, priority: 1 },
        ],
        { clusterPx: 0 },
      );
      expect(r.placed.map((p) => p.id)).toEqual(['alarmed']);
      const own = r.placed[0]!;
      const ringBox = { id: 'ring', x: 400 - ring / 2, y: 300 - ring / 2, w: ring, h: ring };
      expect(boxesOverlap(own, ringBox)).toBe(false);
    }
  });
});
