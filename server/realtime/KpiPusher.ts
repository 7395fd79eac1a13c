import type { KpiQuery, Kpis } from '../../models/Kpis.js';
import type { LiveScope, LiveServerMessage } from '../../models/protocol.js';
import type { Logger } from '../log.js';
import type { KpiCache } from '../ops/KpiCache.js';
import type { LivePublisher } from './LiveHub.js';

/** The KPI query of a scope; a region is the city tier narrowed to the region (as `GET /kpis?tier=city&id=`). */
const queryOf = (s: LiveScope): KpiQuery =>
  s.kind === 'city'
    ? { tier: 'city' }
    : s.kind === 'region'
      ? { tier: 'city', id: s.regionPrefix }
      : s.kind === 'enterprise'
        ? { tier: 'enterprise', id: s.enterpriseId }
        : { tier: 'project', id: s.projectId };

/**
 * Pushes `kpis` to the viewers of each scope that asked for them (`subscribe` with `kpis: true`, e.g. wall mode),
 * every `periodMs`, and to such a viewer right after it subscribes. A viewer is only in a scope's room when it reads
 * every project of the scope (the hub's join rule), so the scope's figures are the viewer's narrowed figures.
 * Scopes without viewers cost nothing; a tick that is still computing when the next is due makes the next one skip,
 * so a slow store never piles up queries.
 */
export class KpiPusher {
  private readonly timer: NodeJS.Timeout;
  private running = false;
  private disposed = false;

  constructor(
    private readonly live: LivePublisher,
    private readonly kpis: KpiCache,
    private readonly log: Logger,
    periodMs: number,
  ) {
    this.timer = setInterval(() => void this.tick(), periodMs);
    this.timer.unref();
    live.onSubscribe(async (viewer, scope, opts) => {
      if (!opts.kpis) return;
      // The scope's figures as a GET /kpis would answer them now (at most KPI_CACHE_MS old).
      viewer.send({ type: 'kpis', scope, kpis: await this.kpis.get(queryOf(scope)) });
    });
  }

  /**
   * Computes and emits the KPIs of each watched scope; returns how many scopes were sent to. The scopes are computed
   * together (KpiCache.refreshMany: one store pass of per-project figures that each scope adds up), where one query
   * per scope after another cost PostgreSQL more than the ingest itself in bench/city.ts (city tier ~220 ms,
   * enterprise ~50 ms each, every 5 s).
   */
  async tick(): Promise<number> {
    if (this.running || this.disposed) return 0;
    this.running = true;
    let sent = 0;
    try {
      const scopes = this.live.kpiScopes();
      if (!scopes.length) return 0;
      let all: Kpis[];
      try {
        // Computed fresh every period, and kept for GET /kpis and new subscribers of the scope (KpiCache).
        all = await this.kpis.refreshMany(scopes.map(queryOf));
      } catch (err) {
        this.log.warn({ scopes: scopes.length, err }, 'kpis: computing failed');
        return 0;
      }
      for (let i = 0; i < scopes.length && !this.disposed; i++) {
        const m: LiveServerMessage = { type: 'kpis', scope: scopes[i]!, kpis: all[i]! };
        this.live.toKpiViewers(scopes[i]!, m);
        sent++;
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
