import type { Vendor } from '../../models/Vendor.js';
import { fetchVendors, setVendorBlacklist } from '../api/vendorsApi.js';
import type { Tool } from '../core/Tool.js';
import { t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { errorText } from '../api/errorText.js';

/**
 * The registry of device vendors with the authority's blacklist (issue 16), as a modal opened by `?vendors=1`: one row
 * per vendor (name, credit code, models, blacklist state and reason) and, for the authority, a toggle with the reason
 * it asks for. The server decides who may toggle (403 for others): the refusal shows in the status line.
 */
export class VendorPanel implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly status: HTMLElement;

  constructor(container: HTMLElement) {
    this.list = h('ul', { class: 'vendor-list', 'data-testid': 'vendor-list' });
    this.status = h('p', { class: 'progress-status', 'data-testid': 'vendor-status' });
    this.root = h(
      'div',
      { class: 'modal', 'data-testid': 'vendor-modal' },
      h(
        'div',
        { class: 'modal-card' },
        h(
          'header',
          { class: 'detail-head' },
          h('h2', { class: 'detail-name', text: t('vendors.title') }),
          h('button', { class: 'icon-btn', 'data-action': 'close', 'aria-label': t('common.close'), text: '×' }),
        ),
        this.status,
        h('div', { class: 'modal-scroll' }, this.list),
      ),
    );
    this.root.hidden = true;
    container.append(this.root);
    this.root.addEventListener('click', (e) => {
      const el = e.target as HTMLElement;
      if (el === this.root || el.closest('[data-action="close"]')) return void (this.root.hidden = true);
      const btn = el.closest<HTMLElement>('[data-action="toggle-blacklist"]');
      if (btn) void this.toggle(btn.closest<HTMLElement>('[data-vendor-id]')!);
    });
  }

  async open(): Promise<void> {
    this.root.hidden = false;
    await this.load();
  }

  private async load(): Promise<void> {
    try {
      const vendors = await fetchVendors();
      this.status.textContent = vendors.length ? '' : t('vendors.empty');
      this.list.replaceChildren(...vendors.map((v) => this.row(v)));
    } catch (err) {
      this.status.textContent = t('vendors.failed', { message: errorText(err) });
    }
  }

  private row(v: Vendor): HTMLElement {
    return h(
      'li',
      { 'data-vendor-id': v.id, 'data-blacklisted': String(v.blacklisted) },
      h('strong', { text: v.name }),
      h('span', { class: 'row-sub', text: ` ${v.uscc}` }),
      ...(v.models.length
        ? [
            h('div', {
              class: 'row-sub',
              text: t('vendors.models', { models: v.models.map((m) => m.model).join(', ') }),
            }),
          ]
        : []),
      ...(v.blacklisted
        ? [h('div', { class: 'vendor-flag', text: `${t('vendors.blacklisted')}: ${v.blacklistReason ?? ''}` })]
        : [h('input', { type: 'text', class: 'vendor-reason', placeholder: t('vendors.reason'), maxlength: 500 })]),
      h('button', {
        class: 'btn small',
        type: 'button',
        'data-action': 'toggle-blacklist',
        text: v.blacklisted ? t('vendors.unblacklist') : t('vendors.blacklist'),
      }),
    );
  }

  private async toggle(li: HTMLElement): Promise<void> {
    const id = li.dataset.vendorId!;
    const on = li.dataset.blacklisted !== 'true';
    const reason = li.querySelector<HTMLInputElement>('.vendor-reason')?.value.trim() ?? '';
    if (on && !reason) return void li.querySelector<HTMLInputElement>('.vendor-reason')?.focus();
    try {
      const v = await setVendorBlacklist(id, on ? { blacklisted: true, reason } : { blacklisted: false });
      li.replaceWith(this.row(v));
      this.status.textContent = '';
    } catch (err) {
      this.status.textContent = t('vendors.failed', { message: errorText(err) });
    }
  }

  dispose(): void {
    this.root.remove();
  }
}
