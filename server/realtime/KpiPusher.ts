import type { KpiQuery } from '../../models/Kpis.js';
import { roomOf, type LiveScope, type LiveServerMessage } from '../../models/protocol.js';
import type { Logger } from '../log.js';
import { computeKpis } from '../ops/opsFigures.js';
import type { Store } from '../store/Store.js';
import { kpiRoomOf, type LiveHub } from './LiveHub.js';

/** The scope of a tier room, or null for any other room (a socket's own id, say). */
export function scopeOfRoom(room: string): LiveScope | null {
  if (room === 'city') return { kind: 'city' };
  const m = /^(project|enterprise):([0-9a-f-]{36})$/i.exec(room);
  if (!m) return null;
  return m[1] === 'project' ? { kind: 'project', projectId: m[2]! } : { kind: 'enterprise', enterpriseId: m[2]! };
}

const queryOf = (s: LiveScope): KpiQuery =>
  s.kind === 'city' ? { tier: 'city' } : s.kind === 'enterprise' ? { tier: 'enterprise', id: s.enterpriseId } : { tier: 'project', id: s.projectId };

/**
 * Pushes `kpis` to the viewers of each tier room that asked for them (`subscribe` with `kpis: true`, e.g. wall mode),
 * every `periodMs`, and to such a viewer right after it subscribes.
 * Rooms without viewers cost nothing; a tick that is still computing when the next is due makes the next one skip,
 * so a slow store never piles up queries.
 */
export class KpiPusher {
  private readonly timer: NodeJS.Timeout;
  private running = false;
  private disposed = false;

  constructor(
    private readonly live: LiveHub,
    private readonly store: Store,
    private readonly log: Logger,
    periodMs: number,
  ) {
    this.timer = setInterval(() => void this.tick(), periodMs);
    this.timer.unref();
    live.onSubscribe(async (socket, scope, opts) => {
      if (!opts.kpis) return;
      await socket.join(kpiRoomOf(roomOf(scope)));
      const m: LiveServerMessage = { type: 'kpis', scope, kpis: await computeKpis(this.store, queryOf(scope)) };
      socket.emit('msg', m);
    });
  }

  /** Computes and emits the KPIs of each watched tier room; returns how many rooms were sent to. */
  async tick(): Promise<number> {
    if (this.running || this.disposed) return 0;
    this.running = true;
    let sent = 0;
    try {
      for (const [kpiRoom, members] of this.live.nsp.adapter.rooms) {
        if (!members.size || !kpiRoom.startsWith('kpis:')) continue;
        const scope = scopeOfRoom(kpiRoom.slice('kpis:'.length));
        if (!scope) continue;
        const room = kpiRoom;
        try {
          const m: LiveServerMessage = { type: 'kpis', scope, kpis: await computeKpis(this.store, queryOf(scope)) };
          if (this.disposed) break;
          this.live.nsp.to(room).emit('msg', m);
          sent++;
        } catch (err) {
          this.log.warn({ room, err }, 'kpis: computing failed');
        }
      }
    } finally {
      this.running = false;
    }
    return sent;
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
  }
}
