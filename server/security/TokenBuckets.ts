/** The answer of a take: allowed, or refused with the seconds until one token is back. */
export type Take = { ok: true } | { ok: false; retryAfterS: number };

/**
 * Token buckets by key (a user, an address, a device key), in memory. Each bucket holds up to `burst` tokens and
 * refills at `perSecond`. Memory is bounded: past `maxKeys` the oldest buckets go (a forgotten bucket is a full one,
 * so forgetting only ever errs towards allowing). Per node: behind a load balancer each node limits on its own.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly maxKeys = 100_000,
  ) {}

  take(key: string, cost = 1, now = Date.now()): Take {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
    }
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((cost - b.tokens) / this.perSecond)) };
  }

  get size(): number {
    return this.buckets.size;
  }
}
