/**
 * The 24 h trend of each wall KPI, kept by the wall from the KPI sets it receives (pushed every few seconds, or
 * polled): the KPI endpoint answers the current figures only, so the trend starts when the wall starts and is
 * bounded to one point per 5-minute bucket per tile (288 a day), whatever the push rate or the uptime.
 */
export const TREND_SPAN_MS = 24 * 3_600_000;
export const TREND_BUCKET_MS = 5 * 60_000;

export class KpiTrend {
  private readonly series = new Map<string, [number, number][]>();

  /** Records `value` of tile `key` at `at`: the last value of each bucket wins; points older than 24 h are dropped. */
  add(key: string, value: number | null, at: number): void {
    if (value === null || !Number.isFinite(value)) return;
    const bucket = Math.floor(at / TREND_BUCKET_MS) * TREND_BUCKET_MS;
    const s = this.series.get(key) ?? [];
    const last = s[s.length - 1];
    if (last && last[0] === bucket) last[1] = value;
    else if (!last || last[0] < bucket) s.push([bucket, value]);
    while (s.length && s[0]![0] < at - TREND_SPAN_MS) s.shift();
    this.series.set(key, s);
  }

  /** The points of `key` within 24 h of `now`, oldest first. */
  points(key: string, now: number): [number, number][] {
    return (this.series.get(key) ?? []).filter(([t]) => t >= now - TREND_SPAN_MS);
  }
}

/**
 * An SVG path of points over the last 24 h to `now`, in a `width` x `height` box (time on x, value on y from 0 or the
 * minimum to the maximum). One point is drawn as a flat line to now.
 */
export function sparklinePath(points: readonly [number, number][], now: number, width: number, height: number): string {
  if (!points.length) return '';
  const t0 = now - TREND_SPAN_MS;
  const vs = points.map(([, v]) => v);
  const lo = Math.min(0, ...vs);
  const hi = Math.max(...vs);
  const span = hi - lo || 1;
  const x = (t: number) => Math.round(((Math.max(t, t0) - t0) / TREND_SPAN_MS) * width * 10) / 10;
  const y = (v: number) => Math.round((height - ((v - lo) / span) * height) * 10) / 10;
  const pts = points.length === 1 ? [points[0]!, [now, points[0]![1]] as [number, number]] : points;
  return pts.map(([t, v], i) => `${i ? 'L' : 'M'}${x(t)} ${y(v)}`).join(' ');
}
