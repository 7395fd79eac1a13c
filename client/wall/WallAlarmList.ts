import type { Alarm } from '../../models/Alarm.js';
import { levelRank } from '../../models/Alarm.js';

/**
 * The open alarms a wall shows, bounded: at most `max`, the worst and newest first. Raised and updated alarms are
 * upserted by id, cleared ones removed; beyond `max`, the least important falls off. A wall runs for days, so nothing
 * here grows with time.
 */
export class WallAlarmList {
  private readonly byId = new Map<string, Alarm>();
  private sorted: Alarm[] | null = null;

  constructor(readonly max = 30) {}

  get size(): number {
    return this.byId.size;
  }

  /** Replaces everything with a loaded list (after a (re)connect). */
  reset(alarms: readonly Alarm[]): void {
    this.byId.clear();
    for (const a of alarms) if (a.state !== 'cleared') this.byId.set(a.id, a);
    this.sorted = null;
    this.trim();
  }

  /** Applies a live alarm change; returns true when the list changed. */
  apply(kind: 'raised' | 'updated' | 'cleared', a: Alarm): boolean {
    if (kind === 'cleared' || a.state === 'cleared') {
      if (!this.byId.delete(a.id)) return false;
    } else {
      const old = this.byId.get(a.id);
      if (old && old.updatedAt > a.updatedAt) return false;
      this.byId.set(a.id, a);
    }
    this.sorted = null;
    this.trim();
    return true;
  }

  /** Worst level first, then newest. */
  list(): readonly Alarm[] {
    this.sorted ??= [...this.byId.values()].sort(
      (x, y) => levelRank(y.level) - levelRank(x.level) || y.raisedAt - x.raisedAt || x.id.localeCompare(y.id),
    );
    return this.sorted;
  }

  private trim(): void {
    if (this.byId.size <= this.max) return;
    const keep = this.list().slice(0, this.max);
    this.byId.clear();
    for (const a of keep) this.byId.set(a.id, a);
    this.sorted = keep;
  }
}
