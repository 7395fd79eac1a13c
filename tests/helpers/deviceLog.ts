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

  constructor(
    private readonly deviceId: string,
    private readonly apiKey: string,
    private readonly batch = 50,
  ) {}

  get sent(): number {
    return this.next - 1;
  }

  private reading(seq: number) {
    // Time follows seq so retries of one reading are the same reading.
    return { deviceId: this.deviceId, seq, time: 1_700_000_000_000 + seq * 10, values: { loadT: 1 + (seq % 5), ratedLoadT: 8, momentPct: 20 } };
  }

  /** One batch: the pending retries first, then new readings. Returns the HTTP status, or 0 when there was no answer. */
  async step(baseUrl: string, fresh = true): Promise<number> {
    const seqs = this.pending.splice(0, this.batch);
    while (fresh && seqs.length < this.batch) seqs.push(this.next++);
    if (!seqs.length) return 200;
    let status = 0;
    try {
      const res = await fetch(`${baseUrl}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
        body: JSON.stringify(seqs.map((s) => this.reading(s))),
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      const body = (await res.json()) as { rejected?: Array<{ index: number }> };
      if (status === 200 || status === 207) {
        const refused = new Set((body.rejected ?? []).map((r) => r.index));
        seqs.forEach((s, i) => (refused.has(i) ? this.pending.push(s) : this.acked.add(s)));
      } else this.pending.unshift(...seqs);
    } catch {
      this.errors++;
      this.pending.unshift(...seqs);
    }
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
