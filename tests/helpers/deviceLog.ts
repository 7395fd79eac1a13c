/**
 * A device that sends numbered readings over HTTP in batches and keeps its own log: what the server acknowledged
 * (a 200 / 207 answer naming them accepted or duplicate) and what it must send again (no answer, or a 503).
 */
export class LoggingDevice {
  readonly acked = new Set<number>();
  private pending: number[] = [];
  private next = 1;
  errors = 0;
  answers = new Map<number, number>();
  /** Each 503 answer: its code and Retry-After header, and when it came (epoch ms). */
  readonly unavailable: { code: string; retryAfter: string | null; at: number }[] = [];
  /** When each acknowledgement came (epoch ms), and the longest a request took to be answered or given up. */
  readonly ackTimes: number[] = [];
  longestMs = 0;

  constructor(
    private readonly deviceId: string,
    private readonly apiKey: string,
    private readonly batch = 50,
    /** A request without an answer after this long is given up (counted in `errors`) and its readings sent again. */
    private readonly timeoutMs = 10_000,
  ) {}

  get sent(): number {
    return this.next - 1;
  }

  private reading(seq: number) {
    // Time follows seq so retries of one reading are the same reading.
    return {
      deviceId: this.deviceId,
      seq,
      time: 1_700_000_000_000 + seq * 10,
      values: { loadT: 1 + (seq % 5), ratedLoadT: 8, momentPct: 20 },
    };
  }

  /** One batch: the pending retries first, then new readings. Returns the HTTP status, or 0 when there was no answer. */
  async step(baseUrl: string, fresh = true): Promise<number> {
    const seqs = this.pending.splice(0, this.batch);
    while (fresh && seqs.length < this.batch) seqs.push(this.next++);
    if (!seqs.length) return 200;
    let status = 0;
    const t0 = Date.now();
    try {
      const res = await fetch(`${baseUrl}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
        body: JSON.stringify(seqs.map((s) => this.reading(s))),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      const body = (await res.json()) as { code?: string; rejected?: Array<{ index: number }> };
      if (status === 200 || status === 207) {
        const refused = new Set((body.rejected ?? []).map((r) => r.index));
        seqs.forEach((s, i) => (refused.has(i) ? this.pending.push(s) : this.acked.add(s)));
        this.ackTimes.push(Date.now());
      } else this.pending.unshift(...seqs);
      if (status === 503)
        this.unavailable.push({ code: String(body.code), retryAfter: res.headers.get('retry-after'), at: Date.now() });
    } catch {
      this.errors++;
      this.pending.unshift(...seqs);
    }
    this.longestMs = Math.max(this.longestMs, Date.now() - t0);
    this.answers.set(status, (this.answers.get(status) ?? 0) + 1);
    return status;
  }

  get unacked(): number {
    return this.pending.length;
  }

  /** Retries what was not acknowledged until nothing is left (or the deadline passes). */
  async flush(baseUrl: string, deadlineMs = 30_000): Promise<void> {
    const end = Date.now() + deadlineMs;
    while (this.pending.length && Date.now() < end) {
      if ((await this.step(baseUrl, false)) === 0) await new Promise((r) => setTimeout(r, 100));
    }
  }
}
