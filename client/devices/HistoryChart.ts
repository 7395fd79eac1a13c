import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ReadingHistory } from '../../models/Reading.js';
import { t } from '../i18n/i18n.js';

/** uPlot's data: x (seconds) then one series per line; null where a bucket has no value. */
export function historySeries(
  hist: ReadingHistory,
  field: string,
): [number[], (number | null)[], (number | null)[], (number | null)[]] {
  const x: number[] = [];
  const avg: (number | null)[] = [];
  const min: (number | null)[] = [];
  const max: (number | null)[] = [];
  for (const b of hist.buckets) {
    const s = b.values[field];
    x.push(b.time / 1000);
    avg.push(s?.avg ?? null);
    min.push(s?.min ?? null);
    max.push(s?.max ?? null);
  }
  return [x, avg, min, max];
}

/** A time-series chart of one field's bucketed history (average with min / max), drawn with uPlot. */
export class HistoryChart {
  private plot: uPlot | null = null;

  constructor(private readonly container: HTMLElement) {}

  show(hist: ReadingHistory, field: string, unit: string): number {
    this.plot?.destroy();
    const data = historySeries(hist, field);
    const width = Math.max(240, this.container.clientWidth || 320);
    this.plot = new uPlot(
      {
        width,
        height: 170,
        legend: { show: false },
        // The whole asked range, not just the buckets with data: an hour of data in a 24 h view reads as such.
        scales: { x: { time: true, range: [hist.from / 1000, hist.to / 1000] } },
        axes: [
          { stroke: '#9aa7bb', grid: { stroke: '#1f2a3d' }, ticks: { stroke: '#2a3850' } },
          { stroke: '#9aa7bb', grid: { stroke: '#1f2a3d' }, ticks: { stroke: '#2a3850' }, label: unit, size: 48 },
        ],
        series: [
          {},
          { label: t('chart.avg'), stroke: '#2f81f7', width: 2 },
          { label: t('chart.min'), stroke: 'rgba(47,129,247,0.35)', width: 1 },
          { label: t('chart.max'), stroke: 'rgba(242,163,58,0.6)', width: 1 },
        ],
      },
      data as uPlot.AlignedData,
      this.container,
    );
    return data[0].length;
  }

  clear(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}
