import { UrlTemplateImageryProvider, WebMapTileServiceImageryProvider, WebMercatorTilingScheme } from 'cesium';
import { describe, expect, it } from 'vitest';
import { Gcj02TilingScheme } from '../../../client/map/Gcj02TilingScheme.js';
import { providerOf } from '../../../client/map/MapSourceSwitcher.js';
import { MapSource, tiandituSources } from '../../../models/MapSource.js';

describe('providerOf (configured map source -> Cesium imagery provider)', () => {
  it('shifts a GCJ-02 source (Gaode) and leaves Tianditu (CGCS2000 ~ WGS84) alone', () => {
    const amap = MapSource.parse({
      id: 'amap',
      name: '高德',
      kind: 'xyz',
      url: 'https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8',
      subdomains: ['1', '2'],
      datum: 'gcj02',
    });
    const a = providerOf(amap);
    expect(a).toBeInstanceOf(UrlTemplateImageryProvider);
    expect(a.tilingScheme).toBeInstanceOf(Gcj02TilingScheme);
    const [img] = tiandituSources('0123456789abcdef0123456789abcdef');
    const t = providerOf(img!);
    expect(t.tilingScheme).toBeInstanceOf(WebMercatorTilingScheme);
    expect(t.tilingScheme).not.toBeInstanceOf(Gcj02TilingScheme);
    expect(t.maximumLevel).toBe(18);
  });

  it('builds a WMTS provider for a RESTful WMTS template', () => {
    const s = MapSource.parse({
      id: 'w',
      name: 'WMTS',
      kind: 'wmts',
      url: 'https://example.org/wmts/{TileMatrix}/{TileRow}/{TileCol}.png',
      layer: 'base',
      style: 'default',
      tileMatrixSetID: 'GoogleMapsCompatible',
    });
    const p = providerOf(s) as WebMapTileServiceImageryProvider;
    expect(p).toBeInstanceOf(WebMapTileServiceImageryProvider);
    expect(p.tilingScheme).toBeInstanceOf(WebMercatorTilingScheme);
    expect(p.url).toContain('{TileMatrix}');
  });
});
