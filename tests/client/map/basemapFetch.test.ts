import { afterEach, describe, expect, it, vi } from 'vitest';
import { setLocale } from '../../../client/i18n/i18n.js';
import { basemapErrorText, getBasemapJson } from '../../../client/map/basemapFetch.js';

const CJK = /[\u4e00-\u9fff]/;

afterEach(() => {
  vi.unstubAllGlobals();
  setLocale('zh-CN');
});

/** The error a base-map file's fetch fails with, when the server answers `status` (or the fetch itself rejects). */
async function failure(answer: () => Promise<Response>): Promise<unknown> {
  vi.stubGlobal('fetch', answer);
  return getBasemapJson('/api/v1/basemap/districts.geojson').then(
    () => expect.unreachable('the fetch should fail'),
    (err: unknown) => err,
  );
}

describe('base map load errors in the page language', () => {
  it('zh-CN: an HTTP failure names the file and the status in Chinese, not "…: HTTP 500"', async () => {
    setLocale('zh-CN');
    const text = basemapErrorText(await failure(() => Promise.resolve(new Response('x', { status: 500 }))));
    expect(text).toMatch(CJK);
    expect(text).toContain('districts.geojson');
    expect(text).toContain('500');
    expect(text).not.toMatch(/HTTP 500$/);
  });

  it('en: the same in English', async () => {
    setLocale('en');
    const text = basemapErrorText(await failure(() => Promise.resolve(new Response('x', { status: 503 }))));
    expect(text).not.toMatch(CJK);
    expect(text).toContain('districts.geojson');
    expect(text).toContain('503');
  });

  it('zh-CN: an unreachable server is worded as such, not the browser\'s "Failed to fetch"', async () => {
    setLocale('zh-CN');
    const text = basemapErrorText(await failure(() => Promise.reject(new TypeError('Failed to fetch'))));
    expect(text).toMatch(CJK);
    expect(text).not.toContain('Failed to fetch');
  });
});
