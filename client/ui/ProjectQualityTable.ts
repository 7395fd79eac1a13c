import type { ProjectQuality } from '../../models/FieldQuality.js';
import { fetchProjectQuality } from '../devices/qualityApi.js';
import { t, tOr } from '../i18n/i18n.js';
import { refusalText } from '../devices/DeviceQualityView.js';
import { h } from './dom.js';
import { formatTime } from './format.js';
import { errorText } from '../api/errorText.js';

/**
 * A project's data quality as a small table: per device, when its data was last stored, how many fields were refused
 * and why, and a flag for a device that sends only refused data (listed first). Opened from the project panel.
 */
export class ProjectQualityTable {
  readonly root: HTMLElement;
  private readonly ac = new AbortController();

  constructor(private readonly projectId: string) {
    this.root = h(
      'div',
      { class: 'project-quality', 'data-testid': 'project-quality', 'data-state': 'loading' },
      h('div', { class: 'dim', text: t('quality.loadingTable') }),
    );
  }

  async load(): Promise<void> {
    try {
      const q = await fetchProjectQuality(this.projectId, this.ac.signal);
      if (!this.ac.signal.aborted) this.render(q);
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      this.root.dataset.state = 'error';
      this.root.replaceChildren(
        h('div', { class: 'dim', text: t('quality.tableUnavailable', { message: errorText(err) }) }),
      );
    }
  }

  private render(q: ProjectQuality): void {
    this.root.dataset.state = 'loaded';
    const reasons = (by: Record<string, number>) =>
      Object.entries(by)
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${refusalText(c)} ${n}`)
        .join(', ') || '—';
    this.root.replaceChildren(
      h(
        'table',
        { class: 'quality-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { text: t('quality.device') }),
            h('th', { text: t('quality.lastAccepted') }),
            h('th', { text: t('quality.refused') }),
            h('th', { text: t('quality.why') }),
          ),
        ),
        h(
          'tbody',
          {},
          ...q.devices.map((d) =>
            h(
              'tr',
              { 'data-device-id': d.deviceId, 'data-only-refused': String(d.onlyRefused) },
              h('td', {
                text: d.onlyRefused ? `⚠ ${d.name}` : d.name,
                title: d.onlyRefused ? t('quality.onlyRefused') : tOr(`kind.${d.kind}`, d.kind),
              }),
              h('td', { text: d.lastAcceptedAt ? formatTime(d.lastAcceptedAt) : t('quality.never') }),
              h('td', { class: 'num', 'data-refused': String(d.refused), text: String(d.refused) }),
              h('td', { text: reasons(d.refusedByCode) }),
            ),
          ),
        ),
      ),
    );
  }

  dispose(): void {
    this.ac.abort();
    this.root.remove();
  }
}
