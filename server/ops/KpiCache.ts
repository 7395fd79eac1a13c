import type { KpiQuery, Kpis } from '../../models/Kpis.js';

/** Computes the figures of a KPI query at `now` (computeKpis with the store bound). */
export type KpiCompute = (q: KpiQuery, now: number) => Promise<Kpis>;
/** Computes the figures of several queries at `now` in one go, in the queries' order (computeKpisMany). */
export type KpiComputeMany = (qs: readonly KpiQuery[], now: number) => Promise<Kpis[]>;

interface Entry {
  /** The newest figures computed for the key. */
  value?: Kpis;
  /** A computation running now, and the `now` it computes at. */
  running?: Promise<Kpis>;
  runningAt?: number;
}

/** Entries kept before the expired ones are swept out (each is one scope's figures, about a kilobyte). */
const SWEEP_AT = 512;

/**
 * The wall KPIs of a scope shared between the requests and pushes that ask for it within `freshMs` (KPI_CACHE_MS, at
 * most KPI_PUSH_MS: a viewer of the live push already sees figures that old just before the next push). A call
 * answers figures computed at most `freshMs` ago (their `at` says when), joins a computation of the same scope that
 * started less than `freshMs` ago, or computes. Once an answer is older than half the window, the call that sees it
 * starts the next computation in the background, so a scope asked for regularly is never waited for.
 *
 * The key is the query as the caller narrowed it (tier and id, after the access check and the region narrowing of
 * GET /kpis): the figures of one key are the same for everyone allowed to ask for it, and a caller only reaches the
 * cache with a key it was allowed. `freshMs` 0 turns it off (every call computes).
 */
export class KpiCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly compute: KpiCompute,
    readonly freshMs: number,
    private readonly clock: () => number = Date.now,
    private readonly onBackgroundError: (err: unknown, q: KpiQuery) => void = () => {},
    private readonly computeMany?: KpiComputeMany,
  ) {}

  /** The figures of `q`, computed at most `freshMs` ago. */
  get(q: KpiQuery): Promise<Kpis> {
    if (this.freshMs <= 0) return this.compute(q, this.clock());
    const now = this.clock();
    const e = this.entries.get(keyOf(q));
    if (e?.value && now - e.value.at < this.freshMs) {
      if (now - e.value.at >= this.freshMs / 2 && !e.running)
        this.refresh(q).catch((err: unknown) => this.onBackgroundError(err, q));
      return Promise.resolve(e.value);
    }
    if (e?.running && now - e.runningAt! < this.freshMs) return e.running;
    return this.refresh(q);
  }

  /**
   * Computes the figures of every query now, in one computation when the cache has `computeMany` (the live push of
   * every watched scope: one store pass a tick instead of one per scope), and keeps each for the callers of `get`.
   */
  refreshMany(qs: readonly KpiQuery[]): Promise<Kpis[]> {
    if (!this.computeMany || qs.length <= 1) return Promise.all(qs.map((q) => this.refresh(q)));
    const now = this.clock();
    const all = this.computeMany(qs, now);
    return Promise.all(
      qs.map((q, i) =>
        this.track(
          q,
          now,
          all.then((ks) => ks[i]!),
        ),
      ),
    );
  }

  /** Computes the figures of `q` now (the live push: always fresh) and keeps them for the callers of `get`. */
  refresh(q: KpiQuery): Promise<Kpis> {
    const now = this.clock();
    if (this.freshMs <= 0) return this.compute(q, now);
    return this.track(q, now, this.compute(q, now));
  }

  /** Keeps `running`, the computation of `q` at `now`, as the key's computation and, once done, its figures. */
  private track(q: KpiQuery, now: number, running: Promise<Kpis>): Promise<Kpis> {
    if (this.freshMs <= 0) return running;
    const key = keyOf(q);
    let e = this.entries.get(key);
    if (!e) {
      if (this.entries.size >= SWEEP_AT) this.sweep(now);
      this.entries.set(key, (e = {}));
    }
    const entry = e;
    entry.running = running;
    entry.runningAt = now;
    const done = () => {
      if (entry.running === running) {
        entry.running = undefined;
        entry.runningAt = undefined;
      }
    };
    return running.then(
      (v) => {
        done();
        // Two computations of a key may finish out of order: the later `now` wins.
        if (!entry.value || v.at >= entry.value.at) entry.value = v;
        return v;
      },
      (err: unknown) => {
        done();
        throw err;
      },
    );
  }

  /** Keys held (for tests). */
  get size(): number {
    return this.entries.size;
  }

  /** Drops the entries with nothing fresh and nothing running. */
  private sweep(now: number): void {
    for (const [k, e] of this.entries)
      if (!e.running && (!e.value || now - e.value.at >= this.freshMs)) this.entries.delete(k);
  }
}

/** The cache key of a query: its tier and id exactly (they are also echoed in the figures). */
function keyOf(q: KpiQuery): string {
  return JSON.stringify([q.tier, q.id ?? null]);
}
