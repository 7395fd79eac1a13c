import {
  Credit,
  ImageryLayer,
  UrlTemplateImageryProvider,
  WebMapTileServiceImageryProvider,
  WebMercatorTilingScheme,
  type ImageryProvider,
  type Viewer,
} from 'cesium';
import type { MapSource } from '../../models/MapSource.js';
import type { Tool } from '../core/Tool.js';
import { t } from '../i18n/i18n.js';
import type { BasemapLayer } from './BasemapLayer.js';
import { Gcj02TilingScheme } from './Gcj02TilingScheme.js';

/** The always-present choice: the offline vector base map over Natural Earth II. */
export const OFFLINE_SOURCE_ID = 'offline';
const STORAGE_KEY = 'sitetwin.mapSource';

/** Builds the Cesium provider of a configured source (tile URL, GCJ-02 grid shift, WMTS parameters). */
export function providerOf(s: MapSource, url = s.url): ImageryProvider {
  const tilingScheme = s.datum === 'gcj02' ? new Gcj02TilingScheme() : new WebMercatorTilingScheme();
  const common = {
    tilingScheme,
    maximumLevel: s.maximumLevel,
    ...(s.subdomains ? { subdomains: s.subdomains } : {}),
    // On screen, not behind Cesium's English "Data attribution" link: a map service's terms ask for its credit shown.
    ...(s.credit ? { credit: new Credit(s.credit, true) } : {}),
  };
  if (s.kind === 'wmts')
    return new WebMapTileServiceImageryProvider({
      url,
      layer: s.layer ?? '',
      style: s.style ?? 'default',
      tileMatrixSetID: s.tileMatrixSetID ?? '',
      ...common,
    });
  return new UrlTemplateImageryProvider({ url, ...common });
}

/**
 * The map's layer switcher: the offline base map or one configured online source (`api.system.config` mapSources),
 * under the coast and district lines, with its annotation layer above them. The choice comes from `?map=<id>` (walls
 * have no pointer), else the last one picked on this browser, else offline; no tile is fetched from outside before a
 * source is chosen.
 */
export class MapSourceSwitcher implements Tool {
  enabled = true;
  private base: ImageryLayer | null = null;
  private labels: ImageryLayer | null = null;
  private _current = OFFLINE_SOURCE_ID;
  private readonly select: HTMLSelectElement | null = null;

  constructor(
    private readonly viewer: Viewer,
    private readonly basemap: BasemapLayer,
    private readonly sources: readonly MapSource[],
    private readonly onError: (source: string, message: string) => void,
    opts: { container?: HTMLElement; search?: string } = {},
  ) {
    if (opts.container && sources.length) {
      const select = document.createElement('select');
      select.className = 'map-source';
      select.dataset.testid = 'map-source';
      select.title = t('layers.basemap');
      select.setAttribute('aria-label', t('layers.basemap'));
      for (const c of this.choices) select.add(new Option(c.label, c.value));
      select.addEventListener('change', () => {
        this.show(select.value);
        try {
          localStorage.setItem(STORAGE_KEY, select.value);
        } catch {
          // private mode: the choice lasts for this page only
        }
      });
      opts.container.append(select);
      this.select = select;
    }
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(STORAGE_KEY);
    } catch {
      stored = null;
    }
    const wanted = new URLSearchParams(opts.search ?? '').get('map') ?? stored;
    if (wanted && sources.some((s) => s.id === wanted)) this.show(wanted);
  }

  /** Every source the switch offers: the offline base map first (the layer panel lists them). */
  get choices(): { value: string; label: string }[] {
    return [
      { value: OFFLINE_SOURCE_ID, label: t('layers.basemapOffline') },
      ...this.sources.map((s) => ({ value: s.id, label: s.name })),
    ];
  }

  /** The id shown now (`offline` or a source id). */
  get current(): string {
    return this._current;
  }

  /** Shows a source by id; an unknown id shows the offline base map. */
  show(id: string): void {
    const layers = this.viewer.imageryLayers;
    if (this.base) layers.remove(this.base, true);
    if (this.labels) layers.remove(this.labels, true);
    this.base = this.labels = null;
    const s = this.sources.find((x) => x.id === id);
    this._current = s ? s.id : OFFLINE_SOURCE_ID;
    if (this.select) this.select.value = this._current;
    this.basemap.groundShown = !s;
    if (s) {
      this.base = this.layerOf(s, s.url);
      // Just above Natural Earth II, below the coast and district lines.
      layers.add(this.base, 1);
      if (s.labelsUrl) {
        this.labels = this.layerOf(s, s.labelsUrl);
        layers.add(this.labels);
      }
    }
    this.viewer.scene.requestRender();
  }

  private layerOf(s: MapSource, url: string): ImageryLayer {
    const provider = providerOf(s, url);
    provider.errorEvent.addEventListener((err: { message: string; timesRetried: number }) => {
      if (err.timesRetried === 0) this.onError(s.name, err.message);
    });
    return new ImageryLayer(provider);
  }

  dispose(): void {
    this.select?.remove();
  }
}
