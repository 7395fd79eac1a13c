import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setLocale } from '../../../client/i18n/i18n.js';
import { cityLayerEntries } from '../../../client/map/layerEntries.js';
import { LayerPanel } from '../../../client/map/LayerPanel.js';
import { MapSourceSwitcher } from '../../../client/map/MapSourceSwitcher.js';
import { CJK, ENGLISH_WORD, installFakeDom, uiTexts, type FakeDocument } from '../fakeDom.js';

let doc: FakeDocument;
beforeAll(() => (doc = installFakeDom()));
afterEach(() => setLocale('zh-CN'));

/** The map page's layer panel with every group (models, device kinds, city, base maps) and the base-map select. */
function texts(): string[] {
  const host = doc.createElement('div');
  const sources = new MapSourceSwitcher(
    {} as never,
    {} as never,
    [{ id: 'tdt', name: '天地图', kind: 'xyz', url: 'https://t{s}.example/{z}/{x}/{y}', maximumLevel: 18 } as never],
    () => undefined,
    { container: host as unknown as HTMLElement },
  );
  const entries = cityLayerEntries({
    bim: { enabled: true },
    site: { kindShown: () => true, setKindShown: () => undefined, env: { heatmapVisible: false } },
    placer: { enabled: true },
    pulses: { show: true },
    requestRender: () => undefined,
    districts: { enabled: true, figure: 'underConstruction' },
    sources,
    basemap: { enabled: true },
  });
  new LayerPanel(host as unknown as HTMLElement, entries);
  // The configured source's own name ("天地图") is data from the server's config.
  return uiTexts(host).filter((s) => s !== '天地图');
}

describe('layer panel and base-map switch speak the page language', () => {
  it('zh-CN: groups, layers, choices and the switch title in Chinese only', () => {
    setLocale('zh-CN');
    const got = texts();
    expect(got).toContain('图层');
    expect(got).toContain('塔吊');
    expect(got.filter((s) => ENGLISH_WORD.test(s))).toEqual([]);
  });

  it('en: the same in English, without Chinese', () => {
    setLocale('en');
    const got = texts();
    expect(got).toContain('Layers');
    expect(got).toContain('Base map');
    expect(got.filter((s) => CJK.test(s))).toEqual([]);
  });
});
