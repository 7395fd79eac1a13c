import { describe, expect, it } from 'vitest';
import { AlarmStore, MAX_KEPT_ALARMS } from '../../../client/alarms/AlarmStore.js';
import { makeAlarm } from './fixtures.js';

describe('AlarmStore', () => {
  it('lists active alarms newest first, then cleared ones', () => {
    const s = new AlarmStore();
    const old = makeAlarm({ raisedAt: 1000, updatedAt: 1000 });
    const recent = makeAlarm({ raisedAt: 3000, updatedAt: 3000, level: 'prewarning' });
    const cleared = makeAlarm({ raisedAt: 5000, updatedAt: 6000, state: 'cleared', clearedAt: 6000 });
    s.reset([old, cleared, recent]);
    expect(s.list().map((a) => a.id)).toEqual([recent.id, old.id, cleared.id]);
    expect(s.active().map((a) => a.id)).toEqual([recent.id, old.id]);
  });

  it('applies raise, acknowledge and clear, ignores stale messages, and the device level follows', () => {
    const s = new AlarmStore();
    s.reset([]);
    const a = makeAlarm({ level: 'prewarning', updatedAt: 1000 });
    const kinds: string[] = [];
    s.onChanged.add((c) => kinds.push(c.kind));
    s.apply({ type: 'alarm.raised', alarm: a });
    expect(s.levelOf(a.deviceId!)).toBe('prewarning');
    s.apply({ type: 'alarm.updated', alarm: { ...a, level: 'alarm', updatedAt: 2000 } });
    expect(s.levelOf(a.deviceId!)).toBe('alarm');
    s.apply({
      type: 'alarm.updated',
      alarm: { ...a, state: 'acknowledged', acknowledgedBy: 'li', updatedAt: 3000, level: 'alarm' },
    });
    expect(s.apply({ type: 'alarm.updated', alarm: { ...a, updatedAt: 1500 } })).toBe(false);
    expect(s.get(a.id)!.state).toBe('acknowledged');
    // Cleared by a reading stamped before the server's acknowledgement time: still a later state, so it applies.
    s.apply({ type: 'alarm.cleared', alarm: { ...a, state: 'cleared', clearedAt: 2500, updatedAt: 2500 } });
    expect(s.apply({ type: 'alarm.updated', alarm: { ...a, state: 'acknowledged', updatedAt: 9000 } })).toBe(false); // never reopened
    expect(s.levelOf(a.deviceId!)).toBe(null);
    expect(kinds).toEqual(['raised', 'updated', 'updated', 'cleared']);
  });

  it('keeps a live change that is newer than a list fetched before it', () => {
    const s = new AlarmStore();
    const a = makeAlarm({ updatedAt: 1000 });
    s.apply({ type: 'alarm.cleared', alarm: { ...a, state: 'cleared', updatedAt: 2000 } });
    const b = makeAlarm();
    s.reset([a, b]); // the list still says open
    expect(s.get(a.id)!.state).toBe('cleared');
    expect(s.size).toBe(2);
  });

  it('drops the oldest cleared alarms past the cap, never an active one', () => {
    const s = new AlarmStore();
    const active = makeAlarm({ raisedAt: 0 });
    const cleared = Array.from({ length: MAX_KEPT_ALARMS + 10 }, (_, i) =>
      makeAlarm({ raisedAt: i + 1, state: 'cleared' }),
    );
    s.reset([active, ...cleared]);
    expect(s.size).toBe(MAX_KEPT_ALARMS);
    expect(s.get(active.id)).toBeDefined();
    expect(s.get(cleared[0]!.id)).toBeUndefined();
  });
});
