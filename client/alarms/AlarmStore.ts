import { levelRank, type Alarm, type AlarmLevel } from '../../models/Alarm.js';
import type { LiveServerMessage } from '../../models/protocol.js';
import { Event } from '../core/Event.js';

export type AlarmChange = { kind: 'reset' } | { kind: 'raised' | 'updated' | 'cleared'; alarm: Alarm };

const STATE_RANK = { open: 0, acknowledged: 1, cleared: 2 } as const;

/**
 * True when `next` is a later version of `held`. The lifecycle only moves forward (open -> acknowledged -> cleared),
 * and `updatedAt` orders versions within a state only: an acknowledgement is stamped by the server's clock and a
 * clearing by the reading's time, so across states the timestamps of two clocks cannot be compared.
 */
export function isNewer(next: Alarm, held: Alarm): boolean {
  const a = STATE_RANK[next.state];
  const b = STATE_RANK[held.state];
  return a !== b ? a > b : next.updatedAt >= held.updatedAt;
}

/** Cleared alarms kept in the feed (as history below the open ones) before the oldest is dropped. */
export const MAX_KEPT_ALARMS = 200;

/**
 * The alarms the feed shows: the open ones from `api.alarms.list` (`state=open`), then kept current by `/live`
 * (`alarm.raised`, `alarm.updated`, `alarm.cleared`). A version older than what is held (see `isNewer`) is ignored,
 * so a late list answer cannot reopen an alarm that a message already cleared.
 */
export class AlarmStore {
  readonly onChanged = new Event<AlarmChange>();
  private readonly byId = new Map<string, Alarm>();

  /** Replaces everything with a fetched list, keeping what live messages brought that is newer. */
  reset(alarms: Alarm[]): void {
    const previous = new Map(this.byId);
    this.byId.clear();
    for (const a of alarms) {
      const p = previous.get(a.id);
      this.byId.set(a.id, p && !isNewer(a, p) ? p : a);
    }
    // Raised or cleared live while the list was on its way: keep them too.
    for (const [id, p] of previous) if (!this.byId.has(id)) this.byId.set(id, p);
    this.trim();
    this.onChanged.trigger({ kind: 'reset' });
  }

  /** Applies a live alarm message; returns true when it changed the store. */
  apply(m: LiveServerMessage): boolean {
    if (m.type !== 'alarm.raised' && m.type !== 'alarm.updated' && m.type !== 'alarm.cleared') return false;
    const held = this.byId.get(m.alarm.id);
    if (held && !isNewer(m.alarm, held)) return false;
    this.byId.set(m.alarm.id, m.alarm);
    this.trim();
    this.onChanged.trigger({
      kind: m.type === 'alarm.raised' ? 'raised' : m.type === 'alarm.updated' ? 'updated' : 'cleared',
      alarm: m.alarm,
    });
    return true;
  }

  get(id: string): Alarm | undefined {
    return this.byId.get(id);
  }

  /** Not-cleared alarms first, each group newest raised first. */
  list(): Alarm[] {
    return [...this.byId.values()].sort(
      (a, b) => Number(a.state === 'cleared') - Number(b.state === 'cleared') || b.raisedAt - a.raisedAt,
    );
  }

  /** Alarms not cleared yet (open or acknowledged). */
  active(): Alarm[] {
    return this.list().filter((a) => a.state !== 'cleared');
  }

  /** The worst level among a device's active alarms, or null. */
  levelOf(deviceId: string): AlarmLevel | null {
    let best: AlarmLevel | null = null;
    for (const a of this.byId.values())
      if (a.deviceId === deviceId && a.state !== 'cleared' && levelRank(a.level) > levelRank(best)) best = a.level;
    return best;
  }

  get size(): number {
    return this.byId.size;
  }

  private trim(): void {
    if (this.byId.size <= MAX_KEPT_ALARMS) return;
    const cleared = [...this.byId.values()]
      .filter((a) => a.state === 'cleared')
      .sort((a, b) => a.raisedAt - b.raisedAt);
    for (const a of cleared) {
      if (this.byId.size <= MAX_KEPT_ALARMS) break;
      this.byId.delete(a.id);
    }
  }
}
