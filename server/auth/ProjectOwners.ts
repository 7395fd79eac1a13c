import type { Store } from '../store/Store.js';

/** The facts a scope check needs about a project. */
export interface ProjectOwner {
  id: string;
  enterpriseId: string;
  regionCode: string;
}

/**
 * A small cache of every project's enterprise and region, so a scope check costs a map lookup, not a query. It is
 * reloaded whole (one narrow query) when older than `ttlMs`, when a project is not in it (just created), or when a
 * project write invalidates it. A city has thousands of projects at most: the whole table fits in memory.
 */
export class ProjectOwners {
  private map = new Map<string, ProjectOwner>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  // A missing id reloads at most this often, so requests for made-up ids cannot turn into a query each.
  private lastMissReload = 0;
  private lastBackgroundReload = 0;

  constructor(
    private readonly store: Store,
    private readonly ttlMs = 10_000,
    private readonly missReloadMs = 250,
  ) {}

  invalidate(): void {
    this.loadedAt = 0;
  }

  private async reload(): Promise<void> {
    this.loading ??= this.store.users
      .projectOwners()
      .then((rows) => {
        this.map = new Map(rows.map((r) => [r.id, r]));
        this.loadedAt = Date.now();
      })
      .finally(() => {
        this.loading = null;
      });
    await this.loading;
  }

  private async fresh(): Promise<void> {
    if (Date.now() - this.loadedAt > this.ttlMs) await this.reload();
  }

  async get(id: string): Promise<ProjectOwner | undefined> {
    await this.fresh();
    let p = this.map.get(id);
    if (!p && Date.now() - this.lastMissReload > this.missReloadMs) {
      this.lastMissReload = Date.now();
      await this.reload();
      p = this.map.get(id);
    }
    return p;
  }

  /**
   * The cached entry, without waiting: for callers that must not await (the live push routes by it). An old cache
   * starts a reload in the background (at most one a second while the store fails).
   */
  peek(id: string): ProjectOwner | undefined {
    const now = Date.now();
    if (now - this.loadedAt > this.ttlMs && now - this.lastBackgroundReload > 1000) {
      this.lastBackgroundReload = now;
      this.reload().catch(() => {});
    }
    return this.map.get(id);
  }

  /** Records a project this node has just written, so `peek` knows it before the next reload. */
  learn(o: ProjectOwner): void {
    this.map.set(o.id, { id: o.id, enterpriseId: o.enterpriseId, regionCode: o.regionCode });
  }

  async all(): Promise<ProjectOwner[]> {
    await this.fresh();
    return [...this.map.values()];
  }
}
