import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Alarm } from '../../../models/Alarm.js';
import { WallAlarmList } from '../../../client/wall/WallAlarmList.js';

function alarm(over: Partial<Alarm> = {}): Alarm {
  return {
    id: randomUUID(),
    projectId: randomUUID(),
    deviceId: randomUUID(),
    rule: 'crane.load',
    quantity: 'loadPct',
    level: 'prewarning',
    value: 95,
    threshold: 90,
    message: 'Load 95 %',
    state: 'open',
    raisedAt: 1000,
    updatedAt: 1000,
    ...over,
  };
}

describe('WallAlarmList', () => {
  it('orders alarms before pre-warnings, newest first, and applies updates and clears by id', () => {
    const f = new WallAlarmList(10);
    const a = alarm({ raisedAt: 1 });
    const b = alarm({ raisedAt: 2 });
    const c = alarm({ raisedAt: 3, level: 'alarm' });
    f.reset([a, b, c]);
    expect(f.list().map((x) => x.id)).toEqual([c.id, b.id, a.id]);
    expect(f.apply('updated', { ...a, level: 'alarm', updatedAt: 2000 })).toBe(true);
    expect(f.list().map((x) => x.id)).toEqual([c.id, a.id, b.id]);
    // A late, older update does not roll the alarm back.
    expect(f.apply('updated', { ...a, level: 'prewarning', updatedAt: 1500 })).toBe(false);
    expect(f.apply('cleared', { ...c, state: 'cleared' })).toBe(true);
    expect(f.apply('cleared', { ...c, state: 'cleared' })).toBe(false);
    expect(f.list().map((x) => x.id)).toEqual([a.id, b.id]);
  });

  it('stays bounded however many alarms come in: the least important fall off', () => {
    const f = new WallAlarmList(5);
    const big = alarm({ level: 'alarm', raisedAt: 0 });
    f.apply('raised', big);
    for (let i = 1; i <= 10_000; i++) f.apply('raised', alarm({ raisedAt: i }));
    expect(f.size).toBe(5);
    const ids = f.list().map((x) => x.id);
    expect(ids[0]).toBe(big.id); // the one real alarm survives a flood of pre-warnings
    expect(
      f
        .list()
        .slice(1)
        .map((x) => x.raisedAt),
    ).toEqual([10_000, 9_999, 9_998, 9_997]);
  });

  it('ignores cleared alarms in a loaded list', () => {
    const f = new WallAlarmList(5);
    f.reset([alarm({ state: 'cleared' }), alarm({ state: 'acknowledged' })]);
    expect(f.size).toBe(1);
  });
});
