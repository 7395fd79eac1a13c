/**
 * A short history of numeric samples (a crane's slew, radius and hook height; a hoist cage's height) that is
 * evaluated at any instant by linear interpolation, so a pose moves smoothly between readings instead of jumping.
 * Fields flagged as angles (degrees) interpolate along the shorter arc. Storage is preallocated: `push` and
 * `evaluate` never allocate, so they can run every frame.
 */
export class SampleTrack {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private start = 0;
  private count = 0;

  constructor(
    readonly fields: number,
    private readonly angleFields: readonly boolean[] = [],
    readonly capacity = 16,
  ) {
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity * fields);
  }

  get size(): number {
    return this.count;
  }

  /** Time of the newest sample, or -Infinity when empty. */
  get lastTime(): number {
    return this.count ? this.times[(this.start + this.count - 1) % this.capacity]! : -Infinity;
  }

  clear(): void {
    this.count = 0;
    this.start = 0;
  }

  /**
   * Adds a sample. One older than the newest is dropped (readings can arrive out of order); one at the same time
   * replaces the newest. `values` may hold NaN for a field the reading did not carry: the previous value is kept.
   */
  push(time: number, values: ArrayLike<number>): void {
    const last = this.lastTime;
    if (time < last) return;
    let slot: number;
    if (time === last) slot = (this.start + this.count - 1) % this.capacity;
    else if (this.count < this.capacity) slot = (this.start + this.count++) % this.capacity;
    else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    const prev = this.count > 1 ? ((slot - 1 + this.capacity) % this.capacity) * this.fields : -1;
    this.times[slot] = time;
    for (let f = 0; f < this.fields; f++) {
      const v = values[f]!;
      this.values[slot * this.fields + f] = Number.isFinite(v) ? v : prev >= 0 ? this.values[prev + f]! : NaN;
    }
  }

  /**
   * Writes the state at `t` into `out`: interpolated between the two samples around it, held at the first / last
   * sample outside the range. Returns false when there is no sample yet.
   */
  evaluate(t: number, out: Float64Array | number[]): boolean {
    const n = this.count;
    if (!n) return false;
    const cap = this.capacity;
    const F = this.fields;
    let hi = -1;
    for (let i = 0; i < n; i++) {
      if (this.times[(this.start + i) % cap]! > t) {
        hi = i;
        break;
      }
    }
    if (hi === 0 || hi === -1) {
      const s = ((this.start + (hi === 0 ? 0 : n - 1)) % cap) * F;
      for (let f = 0; f < F; f++) out[f] = this.values[s + f]!;
      return true;
    }
    const a = (this.start + hi - 1) % cap;
    const b = (this.start + hi) % cap;
    const ta = this.times[a]!;
    const k = (t - ta) / (this.times[b]! - ta);
    for (let f = 0; f < F; f++) {
      const va = this.values[a * F + f]!;
      let d = this.values[b * F + f]! - va;
      if (this.angleFields[f]) d = ((((d + 180) % 360) + 360) % 360) - 180;
      out[f] = va + d * k;
    }
    return true;
  }
}

/**
 * The instant live poses are shown at: a little behind the newest reading, so the renderer is nearly always between
 * two samples (readings come about once a second) instead of holding the last one and then jumping. Device clocks
 * and this page's clock differ, so the lag between a reading's time and its arrival is measured, and the smallest
 * lag seen stands for the clock offset plus transport.
 */
export class LivePlaybackClock {
  private minLag = Infinity;

  constructor(readonly delayMs = 1200) {}

  /** Records a reading of time `readingTime` that arrived at `arrivedAt` (this page's clock). */
  observe(readingTime: number, arrivedAt: number): void {
    const lag = arrivedAt - readingTime;
    if (lag < this.minLag) this.minLag = lag;
  }

  /** The reading-clock instant to show at page time `now`. */
  displayTime(now: number): number {
    return now - (Number.isFinite(this.minLag) ? this.minLag : 0) - this.delayMs;
  }

  reset(): void {
    this.minLag = Infinity;
  }
}
