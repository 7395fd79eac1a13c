import type { Device } from '../../models/Device.js';
import { UNIT_FIELDS, UNIT_GROUPS, type DeviceScale, type DeviceUnits } from '../../models/DeviceUnits.js';
import type { DeviceQuality, StoredFieldRejection } from '../../models/FieldQuality.js';
import { t, tOr } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { formatTime } from '../ui/format.js';
import { deviceFieldSpec } from './deviceFields.js';
import { fetchDeviceQuality, saveUnitSettings } from './qualityApi.js';
import { errorText } from '../api/errorText.js';

/** A refusal's reason code as people read it, in the page's language (an unknown code as sent). */
export function refusalText(code: string): string {
  return tOr(`quality.reason.${code}`, code);
}

/**
 * One refused field in the page's language, from its code and values: "PM10 140600 高于合理上限 5000：该设备是否在发送
 * ng/m3？". The server's English `reason` is for other readers; a refusal without values (kept before they were, or a
 * wrong type) is worded from its code and field alone. Values are shown as sent, without grouping, like the raw frame.
 */
export function refusalReasonText(r: Pick<StoredFieldRejection, 'code' | 'details'>, field: string): string {
  const d = r.details;
  if (r.code === 'out_of_range' && d?.value !== undefined && d.limit !== undefined) {
    const params = { field, value: String(d.value), limit: String(d.limit) };
    const base = t(d.bound === 'min' ? 'quality.why.belowMin' : 'quality.why.aboveMax', params);
    if (d.unit) return base + t('quality.why.unitHint', { unit: d.unit });
    if (d.scale) return base + t('quality.why.scaleHint', { scale: String(d.scale) });
    return base;
  }
  return t('quality.why.field', { field, reason: refusalText(r.code) });
}

/** `a34002=0.001, pm25Ugm3=0.001` <-> `{ a34002: 0.001, pm25Ugm3: 0.001 }`. */
export function formatScale(scale: DeviceScale | undefined): string {
  return Object.entries(scale ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
export function parseScale(text: string): DeviceScale | string {
  const out: DeviceScale = {};
  for (const part of text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z][\w.]*)\s*[=:]\s*(-?[\d.]+(?:e-?\d+)?)$/i.exec(part);
    if (!m || !Number.isFinite(Number(m[2])) || Number(m[2]) === 0) return t('quality.badScale', { part });
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/**
 * The device panel's data-quality section: when the device's data was last stored, its refused fields counted by
 * reason and by field, the last refused frame or payload as received, a flag when it sends only refused data, and
 * its unit and scale settings (saved with `api.devices.update`; a refusal's reason hints at a unit error).
 */
export class DeviceQualityView {
  readonly root: HTMLElement;
  private readonly ac = new AbortController();
  /** Our copy: a save updates it (the store's record follows through the live `device.updated`). */
  private readonly device: Device;

  constructor(device: Device) {
    this.device = { ...device };
    this.root = h(
      'section',
      { class: 'device-quality', 'data-testid': 'device-quality', 'data-state': 'loading' },
      h('h4', { text: t('project.quality') }),
      h('div', { class: 'dim', text: t('quality.loading') }),
    );
    this.root.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save(e.target as HTMLFormElement);
    });
  }

  /** Fetches and shows the device's quality (again). */
  async load(): Promise<void> {
    try {
      const q = await fetchDeviceQuality(this.device.id, this.ac.signal);
      if (!this.ac.signal.aborted) this.render(q);
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      this.root.dataset.state = 'error';
      this.root.replaceChildren(
        h('h4', { text: t('project.quality') }),
        h('div', { class: 'dim', text: t('quality.unavailable', { message: errorText(err) }) }),
      );
    }
  }

  private render(q: DeviceQuality): void {
    const codes = Object.entries(q.refusedByCode).sort((a, b) => b[1] - a[1]);
    const fields = Object.entries(q.refusedByField).sort((a, b) => b[1] - a[1]);
    const label = (f: string) => (f === 'time' ? t('quality.time') : deviceFieldSpec(this.device, f).label);
    this.root.dataset.state = 'loaded';
    this.root.dataset.onlyRefused = String(q.onlyRefused);
    this.root.replaceChildren(
      h('h4', { text: t('project.quality') }),
      ...(q.onlyRefused
        ? [
            h('div', {
              class: 'quality-flag',
              'data-testid': 'quality-flag',
              role: 'alert',
              text: t('quality.onlyRefused'),
            }),
          ]
        : []),
      h(
        'dl',
        { class: 'device-values' },
        h('dt', { text: t('quality.lastAccepted') }),
        h('dd', {
          'data-testid': 'quality-last-accepted',
          text: q.lastAcceptedAt ? formatTime(q.lastAcceptedAt) : t('quality.never'),
        }),
        h('dt', { text: t('quality.refusedFields') }),
        h('dd', { 'data-testid': 'quality-refused', text: String(q.refused) }),
        ...codes.flatMap(([c, n]) => [
          h('dt', { class: 'sub', text: refusalText(c) }),
          h('dd', { 'data-code': c, text: String(n) }),
        ]),
        ...fields.flatMap(([f, n]) => [
          h('dt', { class: 'sub', text: label(f) }),
          h('dd', { 'data-refused-field': f, text: String(n) }),
        ]),
      ),
      ...(q.recent.length
        ? [
            h(
              'ul',
              { class: 'quality-recent', 'data-testid': 'quality-recent' },
              ...q.recent
                .slice(0, 4)
                .map((r) =>
                  h('li', { 'data-field': r.field, 'data-code': r.code, text: refusalReasonText(r, label(r.field)) }),
                ),
            ),
          ]
        : []),
      ...(q.lastRefused
        ? [
            h('div', {
              class: 'row-sub',
              text: t('quality.lastRefused', {
                transport: q.lastRefused.transport.toUpperCase(),
                time: formatTime(q.lastRefused.at),
              }),
            }),
            h('pre', { class: 'quality-raw', 'data-testid': 'quality-raw', text: q.lastRefused.raw }),
          ]
        : [h('div', { class: 'dim', text: t('quality.nothingRefused') })]),
      this.settingsForm(),
    );
  }

  /** Unit selects for the fields this kind has with a unit family, and a free scale line. */
  private settingsForm(): HTMLElement {
    const units = this.device.units ?? {};
    const selects: HTMLElement[] = [];
    const names = this.device.kind === 'env_monitor' ? ['pm', 'pressureKpa'] : [];
    for (const name of names) {
      const family = UNIT_FIELDS[(UNIT_GROUPS[name] ?? [name])[0]!]!;
      const current = units[name];
      selects.push(
        h(
          'label',
          { class: 'unit-select' },
          name === 'pm' ? t('quality.pmSentIn') : t('quality.fieldSentIn', { field: label(name) }),
          h(
            'select',
            { name: `unit:${name}`, 'data-unit': name },
            ...Object.keys(family).map((u) =>
              h('option', { value: u, ...(u === (current ?? Object.keys(family)[0]) ? { selected: true } : {}) }, u),
            ),
          ),
        ),
      );
    }
    return h(
      'form',
      { class: 'quality-settings', 'data-testid': 'unit-settings' },
      ...selects,
      h(
        'label',
        { class: 'unit-select' },
        t('quality.scale'),
        h('input', {
          name: 'scale',
          'data-testid': 'scale-input',
          placeholder: 'a34002=0.001',
          value: formatScale(this.device.scale),
        }),
      ),
      h('button', { class: 'btn small', type: 'submit', text: t('quality.save') }),
      h('span', { class: 'row-sub', 'data-testid': 'unit-status' }),
    );
    function label(f: string) {
      return f === 'pressureKpa' ? t('quality.pressure') : f;
    }
  }

  private async save(form: HTMLFormElement): Promise<void> {
    const status = form.querySelector<HTMLElement>('[data-testid="unit-status"]')!;
    const units: DeviceUnits = { ...(this.device.units ?? {}) };
    for (const sel of form.querySelectorAll<HTMLSelectElement>('select[data-unit]')) {
      const name = sel.dataset.unit!;
      const native = Object.entries(UNIT_FIELDS[(UNIT_GROUPS[name] ?? [name])[0]!]!).find(([, f]) => f === 1)?.[0];
      if (sel.value === native) delete units[name];
      else units[name] = sel.value;
    }
    const scale = parseScale(form.querySelector<HTMLInputElement>('input[name="scale"]')!.value);
    if (typeof scale === 'string') return void (status.textContent = scale);
    status.textContent = t('quality.saving');
    try {
      const d = await saveUnitSettings(this.device.id, {
        units: Object.keys(units).length ? units : null,
        scale: Object.keys(scale).length ? scale : null,
      });
      Object.assign(this.device, { units: d.units, scale: d.scale });
      status.textContent = t('quality.saved');
    } catch (err) {
      status.textContent = t('quality.notSaved', { message: errorText(err) });
    }
  }

  dispose(): void {
    this.ac.abort();
    this.root.remove();
  }
}
