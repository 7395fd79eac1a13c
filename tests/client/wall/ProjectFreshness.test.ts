import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProjectFreshness } from '../../../client/wall/ProjectFreshness.js';

const P1 = randomUUID();
const P2 = randomUUID();
const CRANE = randomUUID();
const DUST = randomUUID();
const GATE = randomUUID();
const NOW = 1_800_000_000_000;
const reading = (deviceId: string, projectId: string, kind: 'tower_crane' | 'env_monitor' | 'gate', time: number) =>
  ({ deviceId, projectId, kind, time, seq: 1, values: {} }) as never;
const device = (id: string, projectId: string, kind: string) => ({ id, projectId, kind }) as never;

describe('ProjectFreshness', () => {
  it('calls a project online while one device reports within its kind interval', () => {
    const f = new ProjectFreshness();
    f.apply({
      type: 'snapshot',
      scope: { kind: 'city' },
      devices: [device(CRANE, P1, 'tower_crane'), device(DUST, P1, 'env_monitor'), device(GATE, P2, 'gate')],
      latest: [reading(CRANE, P1, 'tower_crane', NOW - 90_000)],
    });
    // The crane's last reading is 90 s old (interval 60 s), the dust monitor never reported: offline.
    expect(f.liveness(NOW).get(P1)).toEqual({ online: false, devices: 2, reporting: 0, newest: NOW - 90_000 });
    f.apply({
      type: 'telemetry.batch',
      scope: { kind: 'city' },
      readings: [reading(DUST, P1, 'env_monitor', NOW - 300_000)],
    });
    expect(f.liveness(NOW).get(P1)).toMatchObject({ online: true, reporting: 1, newest: NOW - 90_000 });
    // Ten minutes later nothing is fresh any more.
    expect(f.liveness(NOW + 600_000).get(P1)?.online).toBe(false);
    expect(f.liveness(NOW).get(P2)).toEqual({ online: false, devices: 1, reporting: 0, newest: null });
  });

  it('keeps the newest time when batches arrive out of order, and forgets deleted devices and projects', () => {
    const f = new ProjectFreshness();
    f.apply({ type: 'telemetry.batch', scope: { kind: 'city' }, readings: [reading(CRANE, P1, 'tower_crane', NOW)] });
    f.apply({
      type: 'telemetry.batch',
      scope: { kind: 'city' },
      readings: [reading(CRANE, P1, 'tower_crane', NOW - 50_000)],
    });
    expect(f.liveness(NOW).get(P1)?.newest).toBe(NOW);
    f.apply({ type: 'device.deleted', deviceId: CRANE, projectId: P1 });
    expect(f.deviceCount).toBe(0);
    f.apply({ type: 'telemetry.batch', scope: { kind: 'city' }, readings: [reading(GATE, P2, 'gate', NOW)] });
    f.apply({ type: 'project.deleted', projectId: P2 });
    expect(f.liveness(NOW).size).toBe(0);
  });

  it('holds one entry per device however long it runs', () => {
    const f = new ProjectFreshness();
    for (let i = 0; i < 50_000; i++)
      f.apply({
        type: 'telemetry.batch',
        scope: { kind: 'city' },
        readings: [reading(CRANE, P1, 'tower_crane', NOW + i * 1000)],
      });
    expect(f.deviceCount).toBe(1);
  });
});
