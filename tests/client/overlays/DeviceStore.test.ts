import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeviceStore, type DeviceChange } from '../../../client/devices/DeviceStore.js';
import { makeDevice } from './fixtures.js';

const pid = randomUUID();

function recorded(s: DeviceStore): DeviceChange[] {
  const out: DeviceChange[] = [];
  s.onChanged.add((c) => out.push(c));
  return out;
}

describe('DeviceStore', () => {
  it('loads a project snapshot and merges telemetry field by field, newer wins', () => {
    const s = new DeviceStore();
    const crane = makeDevice(pid);
    const other = makeDevice(randomUUID());
    s.reset(pid);
    const changes = recorded(s);
    expect(
      s.apply({
        type: 'snapshot',
        scope: { kind: 'project', projectId: pid },
        devices: [crane, other],
        latest: [
          { deviceId: crane.id, projectId: pid, kind: 'tower_crane', time: 1000, values: { slewDeg: 10, loadT: 1 } },
        ],
      }),
    ).toBe(true);
    expect(s.size).toBe(1); // the other project's device is not ours
    expect(s.get(crane.id)!.values).toEqual({ slewDeg: 10, loadT: 1 });
    s.apply({
      type: 'telemetry.batch',
      scope: { kind: 'project', projectId: pid },
      readings: [{ deviceId: crane.id, projectId: pid, kind: 'tower_crane', time: 3000, values: { slewDeg: 30 } }],
    });
    // A late reading: its slew is older than what is held, its wind is new.
    s.apply({
      type: 'telemetry.batch',
      scope: { kind: 'project', projectId: pid },
      readings: [
        {
          deviceId: crane.id,
          projectId: pid,
          kind: 'tower_crane',
          time: 2000,
          values: { slewDeg: 20, windSpeedMps: 4 },
        },
      ],
    });
    expect(s.get(crane.id)!.values).toEqual({ slewDeg: 30, loadT: 1, windSpeedMps: 4 });
    expect(s.get(crane.id)!.time).toBe(3000);
    expect(s.get(crane.id)!.fieldTimes).toEqual({ slewDeg: 3000, loadT: 1000, windSpeedMps: 2000 });
    expect(changes.map((c) => c.kind)).toEqual(['reset', 'reading', 'reading']);
    // Another project's snapshot changes nothing.
    expect(
      s.apply({ type: 'snapshot', scope: { kind: 'project', projectId: randomUUID() }, devices: [], latest: [] }),
    ).toBe(false);
    expect(s.size).toBe(1);
  });

  it('marks data stale past the kind expected interval, and a device that never reported', () => {
    const s = new DeviceStore();
    const crane = makeDevice(pid);
    const pit = makeDevice(pid, 'pit_gauge');
    s.reset(
      pid,
      [crane, pit],
      [{ deviceId: crane.id, projectId: pid, kind: 'tower_crane', time: 0, values: { loadT: 1 } }],
    );
    expect(s.isStale(crane.id, 59_000)).toBe(false);
    expect(s.isStale(crane.id, 61_000)).toBe(true); // cranes report every few seconds: a minute is stale
    expect(s.ageMs(crane.id, 61_000)).toBe(61_000);
    expect(s.isStale(pit.id, 0)).toBe(true);
    expect(s.ageMs(pit.id, 0)).toBe(null);
  });

  it('follows device create, update and delete of its project only', () => {
    const s = new DeviceStore();
    s.reset(pid);
    const changes = recorded(s);
    const d = makeDevice(pid, 'hoist');
    s.apply({ type: 'device.created', device: d });
    s.apply({ type: 'device.updated', device: { ...d, name: 'renamed' } });
    s.apply({ type: 'device.created', device: makeDevice(randomUUID()) });
    expect(s.get(d.id)!.device.name).toBe('renamed');
    s.apply({ type: 'device.deleted', deviceId: d.id, projectId: pid });
    expect(s.size).toBe(0);
    expect(changes).toEqual([
      { kind: 'added', id: d.id },
      { kind: 'updated', id: d.id },
      { kind: 'removed', id: d.id },
    ]);
  });

  it('shows replayed state in replay mode, keeps merging live, and returns to live state', () => {
    const s = new DeviceStore();
    const crane = makeDevice(pid);
    s.reset(
      pid,
      [crane],
      [{ deviceId: crane.id, projectId: pid, kind: 'tower_crane', time: 5000, values: { slewDeg: 50 } }],
    );
    const changes = recorded(s);
    s.applyReplay(crane.id, 100, { slewDeg: 1 }); // not in replay mode: ignored
    s.setMode('replay');
    expect(s.get(crane.id)!.values).toEqual({});
    s.applyReplay(crane.id, 100, { slewDeg: 1 });
    expect(s.get(crane.id)!.values).toEqual({ slewDeg: 1 });
    expect(s.isStale(crane.id, 10_000_000)).toBe(false);
    s.apply({
      type: 'telemetry.batch',
      scope: { kind: 'project', projectId: pid },
      readings: [{ deviceId: crane.id, projectId: pid, kind: 'tower_crane', time: 6000, values: { slewDeg: 60 } }],
    });
    expect(s.get(crane.id)!.values).toEqual({ slewDeg: 1 }); // live goes on underneath, unannounced
    s.setMode('live');
    expect(s.get(crane.id)!.values).toEqual({ slewDeg: 60 });
    expect(changes.map((c) => c.kind + ('source' in c ? `:${c.source}` : ''))).toEqual([
      'reset:replay',
      'reading:replay',
      'reset:live',
    ]);
  });
});
