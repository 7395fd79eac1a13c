import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Device } from '../../../models/Device.js';
import type { DeviceQuality } from '../../../models/FieldQuality.js';
import { setLocale } from '../../../client/i18n/i18n.js';
import { CJK, ENGLISH_WORD, installFakeDom, uiTexts, type FakeElement } from '../fakeDom.js';

const quality: DeviceQuality = {
  deviceId: '11111111-1111-4111-8111-111111111111',
  lastAcceptedAt: Date.UTC(2026, 11, 6, 8),
  refused: 3,
  refusedByCode: { out_of_range: 2, wrong_type: 1 },
  refusedByField: { pm10Ugm3: 2, time: 1 },
  lastRefused: { at: Date.UTC(2026, 11, 6, 8, 5), transport: 'http', raw: '{"pm10Ugm3":140600}' },
  onlyRefused: true,
  // The server's English reasons stay in the answer for other readers; the panel words each from its code and values.
  recent: [
    {
      time: Date.UTC(2026, 11, 6, 8, 5),
      field: 'pm10Ugm3',
      raw: 140600,
      code: 'out_of_range',
      reason: 'PM10 140600 is above the plausible maximum 5000: is this device sending ng/m3?',
      details: { value: 140600, limit: 5000, bound: 'max', unit: 'ng/m3' },
      transport: 'http',
      receivedAt: Date.UTC(2026, 11, 6, 8, 5),
    },
    {
      time: Date.UTC(2026, 11, 6, 8, 4),
      field: 'humidityPct',
      raw: 180,
      code: 'out_of_range',
      reason: 'humidityPct 180 is above the plausible maximum 100',
      details: { value: 180, limit: 100, bound: 'max' },
      transport: 'http',
      receivedAt: Date.UTC(2026, 11, 6, 8, 4),
    },
    {
      time: Date.UTC(2026, 11, 6, 8, 3),
      field: 'time',
      raw: 1,
      code: 'wrong_type',
      reason: 'time: Invalid input: expected number, received string',
      transport: 'http',
      receivedAt: Date.UTC(2026, 11, 6, 8, 3),
    },
  ],
};
vi.mock('../../../client/devices/qualityApi.js', () => ({
  fetchDeviceQuality: () => Promise.resolve(quality),
  saveUnitSettings: () => Promise.reject(new Error('not in this test')),
}));

const device: Device = {
  id: quality.deviceId,
  projectId: '22222222-2222-4222-8222-222222222222',
  kind: 'env_monitor',
  name: '扬尘监测仪',
  params: {},
  createdAt: 0,
  updatedAt: 0,
};

beforeAll(() => installFakeDom());
afterEach(() => setLocale('zh-CN'));

async function shown(): Promise<string[]> {
  const { DeviceQualityView } = await import('../../../client/devices/DeviceQualityView.js');
  const v = new DeviceQualityView(device);
  const before = uiTexts(v.root as unknown as FakeElement);
  await v.load();
  // The raw payload and the server's reasons are data, shown as received.
  const root = v.root as unknown as FakeElement;
  root.querySelector('pre')?.remove();
  return [...before, ...uiTexts(root)];
}

describe('DeviceQualityView speaks the page language', () => {
  it('zh-CN: headings, counts by reason, the flag, the unit form, without English words', async () => {
    setLocale('zh-CN');
    const texts = await shown();
    expect(texts).toContain('数据质量');
    expect(texts.filter((s) => ENGLISH_WORD.test(s.replace(/PM|ng\/m3|a34002=0\.001/g, '')))).toEqual([]);
  });

  it('zh-CN: each recent refusal is worded from its code and values (field, value, limit, suggested unit)', async () => {
    setLocale('zh-CN');
    const texts = await shown();
    const pm = texts.find((s) => s.includes('140600'));
    expect(pm).toMatch(/PM10/);
    expect(pm).toMatch(/5000/);
    expect(pm).toMatch(/ng\/m3/);
    expect(pm).toMatch(CJK);
    expect(texts.find((s) => s.includes('180'))).toMatch(/100/);
    expect(texts.some((s) => s.includes('is above') || s.includes('Invalid input'))).toBe(false);
  });

  it('en: the same in English, without Chinese', async () => {
    setLocale('en');
    const texts = await shown();
    expect(texts).toContain('Data quality');
    expect(texts).toContain('Out of range');
    // The catalogue's words, not the server's reason (which in the fixture lacks the "(set its units)" advice).
    expect(texts.find((s) => s.includes('140600'))).toBe(
      'PM10 140600 is above the plausible maximum 5000: is this device sending ng/m3? (set its units)',
    );
    expect(texts.filter((s) => CJK.test(s))).toEqual([]);
  });
});
