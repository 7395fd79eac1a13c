/**
 * Counts of whole-millisecond samples (ingest -> viewer latencies), for percentiles over runs too long to keep every
 * sample: the 1-hour city soak delivers ~170 M readings to its viewers, and a plain array of them outgrew what V8 lets
 * one array hold ("invalid size error", the viewers' process aborted 30 min in). One entry per distinct millisecond
 * value, so memory follows the spread of the latencies, not their number. Percentiles are exact for integer samples:
 * the same element a sorted array of all samples would give at index min(n - 1, floor(p / 100 * n)).
 */
export class MsHistogram {
  private readonly counts = new Map<number, number>();
  n = 0;

  add(ms: number): void {
    const k = Math.round(ms);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    this.n++;
  }

  /** The p-th percentile (0-100), NaN when empty. */
  pct(p: number): number {
    if (this.n === 0) return NaN;
    const index = Math.min(this.n - 1, Math.floor((p / 100) * this.n));
    let seen = 0;
    for (const k of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(k)!;
      if (seen > index) return k;
    }
    return NaN; // not reached: the counts add up to n
  }

  get max(): number {
    return this.n === 0 ? NaN : Math.max(...this.counts.keys());
  }
}
