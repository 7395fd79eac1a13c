import { fetchProjectReadiness } from '../api/opsApi.js';
import type { Tool } from '../core/Tool.js';
import type { SelectionState } from '../state/SelectionState.js';
import { h } from '../ui/dom.js';
import { t } from '../i18n/i18n.js';
import { readinessDetail } from './readinessDetail.js';
import { GRADE_STYLE, itemLabel } from './readinessSort.js';

/** The selected project's readiness: score, grade, and which items are met, under the project panel. */
export class ReadinessCard implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly off: () => void;
  private seq = 0;

  constructor(
    container: HTMLElement,
    private readonly selection: SelectionState,
  ) {
    // Focusable: on a phone the card scrolls inside the map area, and a keyboard must be able to scroll it too (axe).
    this.root = h('aside', {
      class: 'panel detail-panel readiness-card',
      'data-testid': 'readiness-card',
      tabindex: 0,
      'aria-label': t('readiness.title'),
    });
    this.root.hidden = true;
    container.append(this.root);
    this.off = selection.onChanged.add(() => void this.load());
  }

  private async load(): Promise<void> {
    const id = this.selection.selectedId;
    const seq = ++this.seq;
    if (!id) return void (this.root.hidden = true);
    try {
      const r = await fetchProjectReadiness(id);
      if (seq !== this.seq) return;
      const g = GRADE_STYLE[r.grade];
      this.root.hidden = false;
      this.root.replaceChildren(
        h(
          'div',
          { class: 'readiness-head' },
          h('span', { class: 'readiness-score', 'data-testid': 'readiness-score', text: String(r.score) }),
          h('span', { class: 'badge', style: `--c:${g.color}`, 'data-testid': 'readiness-grade', text: g.label }),
          h('span', { class: 'row-sub', text: t('readiness.points', { earned: r.earned, max: r.max }) }),
        ),
        h(
          'ul',
          { class: 'readiness-items' },
          ...r.items
            .filter((i) => i.status !== 'not_applicable')
            .map((i) =>
              h('li', {
                class: `item-${i.status}`,
                title: readinessDetail(i),
                text: `${i.status === 'met' ? '●' : i.status === 'partial' ? '◐' : '○'} ${itemLabel(i.id, i.label)}${i.veto && i.status !== 'met' ? ` ${t('readiness.veto')}` : ''}`,
              }),
            ),
        ),
        // Devices of blacklisted vendors (issue 16): each counts against its item; listed with vendor and reason.
        ...(r.blacklistedDevices.length
          ? [
              h(
                'div',
                { class: 'readiness-blacklist', 'data-testid': 'readiness-blacklist' },
                h('div', {
                  class: 'vendor-flag',
                  text: t('readiness.blacklisted', { n: r.blacklistedDevices.length }),
                }),
                h(
                  'ul',
                  {},
                  ...r.blacklistedDevices.map((b) =>
                    h('li', {
                      text: t('readiness.blacklistedRow', {
                        device: b.deviceName,
                        vendor: b.vendorName,
                        reason: b.reason,
                      }),
                    }),
                  ),
                ),
              ),
            ]
          : []),
      );
    } catch {
      if (seq === this.seq) this.root.hidden = true;
    }
  }

  dispose(): void {
    this.off();
    this.root.remove();
  }
}
