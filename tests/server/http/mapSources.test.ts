import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientConfig } from '../../../models/ClientConfig.js';
import { ConfigError, loadConfig } from '../../../server/config.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

const TK = '0123456789abcdef0123456789abcdef';
const AMAP = {
  id: 'amap',
  name: '高德矢量',
  kind: 'xyz',
  url: 'https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}',
  subdomains: ['1', '2', '3', '4'],
  datum: 'gcj02',
  credit: '© 高德地图',
};

let t: TestServer | undefined;
/** One store for the file's servers: they differ only in their map settings, which the store does not hold. */
let store: TestStore;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => {
  await t?.close();
  await store?.cleanup();
});

describe('map sources as configuration', () => {
  it('lists nothing online by default: the offline base map only', async () => {
    t = await startTestServer({ store });
    const r = await t.api('GET', '/api/v1/config');
    expect(ClientConfig.parse(r.body).mapSources ?? []).toEqual([]);
    await t.close();
    t = undefined;
  });

  it('offers Tianditu imagery and vector maps with their annotation layers when TIANDITU_TK is set, then MAP_SOURCES', async () => {
    t = await startTestServer({ store, env: { TIANDITU_TK: TK, MAP_SOURCES: JSON.stringify([AMAP]) } });
    const r = await t.api('GET', '/api/v1/config');
    const c = ClientConfig.parse(r.body);
    expect(c.mapSources!.map((s) => s.id)).toEqual(['tianditu-img', 'tianditu-vec', 'amap']);
    const img = c.mapSources![0]!;
    expect(img).toMatchObject({ kind: 'xyz', datum: 'wgs84', subdomains: ['0', '1', '2', '3', '4', '5', '6', '7'] });
    expect(img.url).toContain('tianditu.gov.cn/img_w/wmts');
    expect(img.url).toContain(`tk=${TK}`);
    expect(img.url).toMatch(/TILEMATRIX=\{z\}&TILEROW=\{y\}&TILECOL=\{x\}/);
    expect(img.labelsUrl).toContain('/cia_w/wmts');
    expect(c.mapSources![1]!.labelsUrl).toContain('/cva_w/wmts');
    expect(c.mapSources![2]).toMatchObject({ id: 'amap', datum: 'gcj02' });
  });

  it('stops the start on a bad source list, naming the variable', () => {
    expect(() => loadConfig({ MAP_SOURCES: 'not json' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAP_SOURCES: 'not json' })).toThrow(/MAP_SOURCES/);
    expect(() => loadConfig({ MAP_SOURCES: JSON.stringify([{ ...AMAP, datum: 'bd09' }]) })).toThrow(/MAP_SOURCES/);
    expect(() => loadConfig({ MAP_SOURCES: JSON.stringify([{ ...AMAP, url: 'javascript:alert(1)' }]) })).toThrow(
      /MAP_SOURCES/,
    );
    expect(() => loadConfig({ MAP_SOURCES: JSON.stringify([AMAP, AMAP]) })).toThrow(/MAP_SOURCES.*unique/s);
    expect(() => loadConfig({ TIANDITU_TK: 'short key!' })).toThrow(/TIANDITU_TK/);
  });
});

describe('map pixel budget as configuration', () => {
  it('tells the client one 4K frame by default and MAP_MAX_PIXELS when set', async () => {
    t = await startTestServer({ store });
    expect(ClientConfig.parse((await t.api('GET', '/api/v1/config')).body).mapMaxPixels).toBe(8_300_000);
    await t.close();
    t = await startTestServer({ store, env: { MAP_MAX_PIXELS: '480000' } });
    expect(ClientConfig.parse((await t.api('GET', '/api/v1/config')).body).mapMaxPixels).toBe(480_000);
    await t.close();
    t = undefined;
  });

  it('stops the start on a budget that is not a whole number of pixels in range, naming the variable', () => {
    for (const bad of ['lots', '0', '99999', '150000.5', '100000001'])
      expect(() => loadConfig({ MAP_MAX_PIXELS: bad }), bad).toThrow(/MAP_MAX_PIXELS/);
  });
});

describe('map antialiasing as configuration', () => {
  it("tells the client Cesium's 4 samples by default and MAP_MSAA_SAMPLES when set (1: off)", async () => {
    t = await startTestServer({ store });
    expect(ClientConfig.parse((await t.api('GET', '/api/v1/config')).body).mapMsaaSamples).toBe(4);
    await t.close();
    t = await startTestServer({ store, env: { MAP_MSAA_SAMPLES: '1' } });
    expect(ClientConfig.parse((await t.api('GET', '/api/v1/config')).body).mapMsaaSamples).toBe(1);
    await t.close();
    t = undefined;
  });

  it('stops the start on a sample count other than 1, 2, 4 or 8, naming the variable', () => {
    for (const bad of ['many', '0', '3', '16', '2.5'])
      expect(() => loadConfig({ MAP_MSAA_SAMPLES: bad }), bad).toThrow(/MAP_MSAA_SAMPLES/);
  });
});
