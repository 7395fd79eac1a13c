import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../../client/i18n/en.js';
import { detectLocale, formatNumber, hasMessage, normaliseLocale, setLocale, t } from '../../../client/i18n/i18n.js';
import { zhCN } from '../../../client/i18n/zh-CN.js';
import { ROOT_DIR } from '../../../server/Server.js';

const CLIENT = join(ROOT_DIR, 'client');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(n) && !/\.d\.ts$/.test(n) ? [p] : [];
  });
}

/** Every literal key passed to t('…') / tOr('…') in the client sources, with the file it is in. */
function usedKeys(): { key: string; file: string }[] {
  const out: { key: string; file: string }[] = [];
  for (const file of sources(CLIENT)) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\bt\(\s*'([^']+)'/g)) out.push({ key: m[1]!, file: relative(ROOT_DIR, file) });
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('zh-CN and en hold the same keys, each with a non-empty text and the same placeholders', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const [k, zh] of Object.entries(zhCN)) {
      const e = (en as Record<string, string>)[k]!;
      expect(zh.trim(), k).not.toBe('');
      expect(e.trim(), k).not.toBe('');
      expect(placeholders(e), k).toEqual(placeholders(zh));
    }
  });

  it('every t(…) key used in client/ is in the catalogue', () => {
    const used = usedKeys();
    expect(used.length).toBeGreaterThan(100);
    const missing = used.filter((u) => !hasMessage(u.key)).map((u) => `${u.file}: ${u.key}`);
    expect(missing).toEqual([]);
  });

  it('fills parameters and formats numbers per locale', () => {
    setLocale('en');
    expect(t('login.failed', { message: 'boom' })).toBe('Login failed: boom');
    expect(formatNumber(12345.5)).toBe('12,345.5');
    setLocale('zh-CN');
    expect(t('login.failed', { message: 'boom' })).toBe('登录失败：boom');
    expect(t('login.submit')).toBe('登录');
  });
});

describe('locale choice', () => {
  const pick = (search: string, saved: string | null, languages: string[]) =>
    detectLocale({ search, saved, languages });
  it('takes ?lang= first, then the saved choice, then the browser, zh-CN when nothing says otherwise', () => {
    expect(pick('?lang=en', 'zh-CN', ['zh-CN'])).toBe('en');
    expect(pick('?lang=zh', 'en', ['en-US'])).toBe('zh-CN');
    expect(pick('?lang=fr', 'en', ['zh-CN'])).toBe('en');
    expect(pick('', 'en', ['zh-CN'])).toBe('en');
    expect(pick('', null, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(pick('', null, ['en-GB', 'zh-CN'])).toBe('en');
    expect(pick('', null, ['de-DE'])).toBe('en');
    expect(pick('', null, [])).toBe('zh-CN');
    expect(pick('?project=abc', 'garbage', [])).toBe('zh-CN');
  });
  it('normalises language tags', () => {
    expect(normaliseLocale('zh-Hans-CN')).toBe('zh-CN');
    expect(normaliseLocale('EN-us')).toBe('en');
    expect(normaliseLocale('english')).toBeNull();
    expect(normaliseLocale('')).toBeNull();
  });
});

describe('device fields and IFC classes in words', () => {
  it('names fields, not wire keys, in both languages', async () => {
    const { fieldSpec, deviceFieldSpec, humanField } = await import('../../../client/devices/deviceFields.js');
    setLocale('zh-CN');
    expect(fieldSpec('tower_crane', 'reeving').label).toBe('倍率');
    expect(fieldSpec('tower_crane', 'operatorId').label).toBe('司机编号');
    expect(fieldSpec('tower_crane', 'loadT').label).toBe('吊重');
    setLocale('en');
    expect(fieldSpec('tower_crane', 'operatorId').label).toBe('Operator ID');
    expect(
      deviceFieldSpec({ kind: 'sensor', params: { quantities: [{ name: 'strainUe', unit: 'µε' }] } }, 'strainUe'),
    ).toMatchObject({ label: 'Strain', unit: 'µε' });
    expect(humanField('boomAngleDeg')).toBe('Boom angle');
    expect(humanField('settlementRateX')).toBe('Settlement rate x');
  });
});
