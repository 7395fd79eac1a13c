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
  recent: [],
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
    expect(texts.filter((s) => ENGLISH_WORD.test(s.replace(/PM|a34002=0\.001/g, '')))).toEqual([]);
  });

  it('en: the same in English, without Chinese', async () => {
    setLocale('en');
    const texts = await shown();
    expect(texts).toContain('Data quality');
    expect(texts).toContain('Out of range');
    expect(texts.filter((s) => CJK.test(s))).toEqual([]);
  });
});
