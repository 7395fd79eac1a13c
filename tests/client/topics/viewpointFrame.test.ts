import { describe, expect, it } from 'vitest';
import { geodeticToEcef } from '../../../models/geodesy.js';
import {
  bcfCameraFromEcef,
  ecefPoseOf,
  pointFromEcef,
  pointToEcef,
  viewFrameOf,
} from '../../../client/topics/viewpointFrame.js';

const placed = {
  id: '7d3c3a4e-0a0b-4c6f-9a43-6f1f1d0d2b11',
  status: 'ready' as const,
  fragmentsUrl: '/f.frag',
  georeference: { lon: 120.4012, lat: 36.0675, height: 0, headingDeg: 12, source: 'manual' as const, warnings: [] },
};

describe('viewpointFrame', () => {
  it('writes viewpoints in the frame of the first ready, placed model; without one, east-north-up at the project', () => {
    const loc = { lon: 120.4, lat: 36.06, height: 0 };
    expect(viewFrameOf([{ ...placed, status: 'converting' }, placed], loc).modelId).toBe(placed.id);
    const enu = viewFrameOf([{ ...placed, fragmentsUrl: null }], loc);
    expect(enu.modelId).toBeNull();
    // 100 m north of the project is (0, 100, 0) in its east-north-up frame.
    const north = pointFromEcef(enu, geodeticToEcef(loc.lon, loc.lat + 100 / 111_000, 0));
    expect(north[0]).toBeCloseTo(0, 1);
    expect(north[1]).toBeGreaterThan(99);
    expect(north[1]).toBeLessThan(101.5);
  });

  it("turns with the model's heading, and a camera goes to BCF and back unchanged", () => {
    const f = viewFrameOf([placed], { lon: 0, lat: 0, height: 0 });
    // The model's +Y points 12 degrees east of north: a point 50 m along it lies east of the origin's meridian.
    const y50 = pointToEcef(f, [0, 50, 0]);
    const o = geodeticToEcef(120.4012, 36.0675, 0);
    expect(Math.hypot(y50[0] - o[0], y50[1] - o[1], y50[2] - o[2])).toBeCloseTo(50, 6);
    const pose = {
      position: pointToEcef(f, [30, -80, 45]),
      direction: (() => {
        const a = pointToEcef(f, [30, -80, 45]);
        const b = pointToEcef(f, [0, 0, 10]);
        const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
        const n = Math.hypot(...d);
        return d.map((x) => x / n);
      })(),
      up: (() => {
        const a = pointToEcef(f, [0, 0, 0]);
        const b = pointToEcef(f, [0, 0, 1]);
        return [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
      })(),
    };
    const cam = bcfCameraFromEcef(f, pose, 45);
    expect(cam.position[0]).toBeCloseTo(30, 6);
    expect(cam.position[1]).toBeCloseTo(-80, 6);
    expect(cam.position[2]).toBeCloseTo(45, 6);
    expect(cam.up[2]).toBeCloseTo(1, 9);
    const back = ecefPoseOf(f, cam);
    for (let i = 0; i < 3; i++) {
      expect(back.position[i]).toBeCloseTo(pose.position[i]!, 6);
      expect(back.direction[i]).toBeCloseTo(pose.direction[i]!, 9);
    }
  });
});
