import type { DeviceKind } from '../../models/Device.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { CameraView } from './CameraView.js';
import { DeviceQualityView } from './DeviceQualityView.js';
import { fetchHistory } from './deviceApi.js';
import {
  chartableFields,
  deviceFieldSpec,
  formatAge,
  formatValue,
  HISTORY_RANGES,
  listedFields,
  type HistoryRangeId,
} from './deviceFields.js';
import type { DeviceStore } from './DeviceStore.js';
import { HistoryChart } from './HistoryChart.js';
import { formatDateTime, t } from '../i18n/i18n.js';
import { errorText } from '../api/errorText.js';

const kindText = (k: DeviceKind) => t(`kind.${k}`);

/**
 * The device panel: live values with units and the data's age (stale data is marked and greyed, never shown as
 * live), a history chart of one field over 1 h / 24 h / 7 d (bucketed by the server), the device's data quality
 * (DeviceQualityView), and for cameras the picture.
 */
export class DevicePanel implements Tool {
  enabled = true;
  readonly onClose = new Event<void>();
  private readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private deviceId: string | null = null;
  private field: string | null = null;
  private range: HistoryRangeId = '1h';
  private chart: HistoryChart | null = null;
  private camera: CameraView | null = null;
  private quality: DeviceQualityView | null = null;
  private ageTimer: ReturnType<typeof setInterval> | undefined;
  private fetchAbort: AbortController | null = null;
  private readonly off: () => void;

  constructor(
    container: HTMLElement,
    private readonly store: DeviceStore,
  ) {
    this.body = h('div', { class: 'device-body' });
    this.root = h(
      'section',
      { class: 'device-panel detail-panel', 'data-testid': 'device-panel', 'aria-label': t('device.panel') },
      this.body,
    );
    this.root.hidden = true;
    container.append(this.root);
    this.root.addEventListener('click', (e) => this.onClick(e));
    this.off = store.onChanged.add((c) => {
      if (!this.deviceId) return;
      if (c.kind === 'reset' || ('id' in c && c.id === this.deviceId)) {
        if (c.kind === 'removed') return this.close();
        this.renderValues();
      }
    });
  }

  get shownId(): string | null {
    return this.deviceId;
  }

  show(id: string): void {
    const s = this.store.get(id);
    if (!s) return;
    this.closeContent();
    this.deviceId = id;
    this.field = chartableFields(s.device.kind, s.values)[0] ?? null;
    const ranges = h(
      'div',
      { class: 'range-buttons', role: 'group', 'aria-label': t('device.historyRange') },
      ...HISTORY_RANGES.map((r) =>
        h(
          'button',
          { type: 'button', class: `btn small${r.id === this.range ? ' active' : ''}`, 'data-range': r.id },
          r.label,
        ),
      ),
    );
    const fieldSel = h(
      'select',
      { class: 'field-select', 'aria-label': t('device.field'), 'data-testid': 'chart-field' },
      ...chartableFields(s.device.kind, s.values).map((f) =>
        h('option', { value: f, ...(f === this.field ? { selected: true } : {}) }, deviceFieldSpec(s.device, f).label),
      ),
    );
    fieldSel.addEventListener('change', () => {
      this.field = fieldSel.value;
      void this.loadHistory();
    });
    const chartBox = h('div', { class: 'chart-box', 'data-testid': 'device-chart' });
    this.body.replaceChildren(
      h(
        'div',
        { class: 'detail-head' },
        h(
          'div',
          {},
          h('h3', { class: 'detail-name', 'data-testid': 'device-name' }, s.device.name),
          h('div', { class: 'row-sub' }, kindText(s.device.kind)),
          // A device of a vendor on the authority's blacklist (issue 16): flagged, with the reason on hover.
          ...(s.device.vendorBlacklisted
            ? [
                h('span', {
                  class: 'badge vendor-flag',
                  'data-testid': 'device-vendor-flag',
                  title: s.device.vendorBlacklistReason ?? '',
                  text: t('vendor.flag'),
                }),
              ]
            : []),
        ),
        h('button', { class: 'close', type: 'button', 'data-action': 'close', 'aria-label': t('common.close') }, '×'),
      ),
      h('div', { class: 'device-age', 'data-testid': 'device-age' }),
      h('dl', { class: 'device-values', 'data-testid': 'device-values' }),
      ...(s.device.kind === 'camera'
        ? []
        : [
            h('div', { class: 'chart-head' }, fieldSel, ranges),
            chartBox,
            h('div', { class: 'chart-status', 'data-testid': 'chart-status' }),
          ]),
    );
    if (s.device.kind === 'camera') {
      this.camera = new CameraView(s.device.params, s.values.online !== false);
      this.body.append(this.camera.root);
    } else {
      this.chart = new HistoryChart(chartBox);
      // What the device sent that was not used (refused fields, last refused payload) and its unit settings.
      this.quality = new DeviceQualityView(s.device);
      this.body.append(this.quality.root);
      void this.quality.load();
    }
    this.root.hidden = false;
    this.renderValues();
    this.ageTimer = setInterval(() => this.renderAge(), 1000);
    void this.loadHistory();
  }

  private renderValues(): void {
    const s = this.deviceId ? this.store.get(this.deviceId) : undefined;
    if (!s) return;
    const dl = this.body.querySelector<HTMLElement>('.device-values');
    if (!dl) return;
    const listed = listedFields(s.device);
    const keys = [
      ...listed.filter((k) => k in s.values),
      ...Object.keys(s.values).filter((k) => !listed.includes(k) && k !== 'alarms' && k !== 'extra'),
    ];
    dl.replaceChildren(
      ...keys.flatMap((k) => {
        const spec = deviceFieldSpec(s.device, k);
        return [h('dt', {}, spec.label), h('dd', { 'data-field': k }, formatValue(spec, s.values[k]))];
      }),
    );
    if (!keys.length) dl.replaceChildren(h('dd', { class: 'dim' }, t('device.noData')));
    this.renderAge();
  }

  private renderAge(): void {
    const id = this.deviceId;
    const el = this.body.querySelector<HTMLElement>('.device-age');
    if (!id || !el) return;
    const now = Date.now();
    const age = this.store.ageMs(id, now);
    const stale = this.store.isStale(id, now);
    const replay = this.store.mode === 'replay';
    const s = this.store.get(id);
    this.root.dataset.stale = String(stale);
    el.dataset.stale = String(stale);
    el.textContent =
      replay && s?.time
        ? t('device.replayAsOf', { time: formatDateTime(s.time, { dateStyle: 'medium', timeStyle: 'medium' }) })
        : age === null
          ? t('device.never')
          : stale
            ? t('device.stale', { age: formatAge(age) })
            : t('device.live', { age: formatAge(age) });
  }

  private async loadHistory(): Promise<void> {
    const id = this.deviceId;
    const field = this.field;
    const chart = this.chart;
    const status = this.body.querySelector<HTMLElement>('.chart-status');
    if (!id || !field || !chart || !status) return;
    const s = this.store.get(id)!;
    const range = HISTORY_RANGES.find((r) => r.id === this.range)!;
    this.fetchAbort?.abort();
    const ac = (this.fetchAbort = new AbortController());
    status.textContent = t('device.loadingHistory');
    status.dataset.state = 'loading';
    const to = Date.now();
    try {
      const hist = await fetchHistory(id, to - range.spanMs, to, range.bucket, ac.signal);
      if (ac.signal.aborted || this.deviceId !== id) return;
      const points = chart.show(hist, field, deviceFieldSpec(s.device, field).unit);
      const withData = hist.buckets.filter((b) => b.values[field]).length;
      status.textContent = t('device.historyStatus', {
        field: deviceFieldSpec(s.device, field).label,
        range: range.label,
        n: withData,
        total: points,
      });
      status.dataset.state = 'loaded';
      status.dataset.points = String(withData);
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      status.textContent = t('device.historyFailed', { message: errorText(err) });
      status.dataset.state = 'error';
    }
  }

  private onClick(e: MouseEvent): void {
    const t = e.target as HTMLElement;
    if (t.closest('[data-action="close"]')) return this.close();
    const r = t.closest<HTMLElement>('[data-range]')?.dataset.range as HistoryRangeId | undefined;
    if (r) {
      this.range = r;
      for (const b of this.body.querySelectorAll<HTMLElement>('[data-range]'))
        b.classList.toggle('active', b.dataset.range === r);
      void this.loadHistory();
    }
  }

  private closeContent(): void {
    clearInterval(this.ageTimer);
    this.fetchAbort?.abort();
    this.chart?.clear();
    this.chart = null;
    this.camera?.dispose();
    this.camera = null;
    this.quality?.dispose();
    this.quality = null;
  }

  close(): void {
    this.closeContent();
    this.deviceId = null;
    this.root.hidden = true;
    this.onClose.trigger();
  }

  dispose(): void {
    this.closeContent();
    this.off();
    this.onClose.reset();
    this.root.remove();
  }
}
