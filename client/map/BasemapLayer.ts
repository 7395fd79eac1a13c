import {
  Cartesian2,
  Cartesian3,
  Color,
  DistanceDisplayCondition,
  ImageryLayer,
  LabelCollection,
  type Label,
  LabelStyle,
  NearFarScalar,
  Rectangle,
  VerticalOrigin,
  type Viewer,
} from 'cesium';
import { api } from '../../models/api/index.js';
import { restAt } from '../api/ApiClient.js';
import type { Tool } from '../core/Tool.js';
import type { LabelItem, LabelSource } from './LabelPlacer.js';
import { interiorPoints, largestPolygon, type PolygonRings } from './labelAnchors.js';
import { shapesOf, VectorTileImageryProvider, type VectorGroup } from './VectorTileImageryProvider.js';
import { basemapErrorText, getBasemapJson } from './basemapFetch.js';
import { t } from '../i18n/i18n.js';

/** Colours of the base map for a dark command-center wall and for the (lighter) map page. */
export type BasemapTheme = 'dark' | 'light';

interface Palette {
  sea: string;
  land: string;
  neighbour: string;
  coast: string;
  district: string;
  label: string;
  labelOutline: string;
  code: string;
}

const PALETTES: Record<BasemapTheme, Palette> = {
  dark: {
    sea: '#06142a',
    land: '#20272e',
    neighbour: '#181d23',
    coast: '#3a9bd0',
    district: '#7d93b8',
    label: '#dbe6f5',
    labelOutline: '#05080f',
    code: '#8fa3c2',
  },
  light: {
    sea: '#9fc0dc',
    land: '#e9ebe6',
    neighbour: '#dcdfd8',
    coast: '#4f86b5',
    district: '#8a6aa8',
    label: '#1d2433',
    labelOutline: '#f7f8f5',
    code: '#4a5468',
  },
};

/** A district of the demo city as served by `api.basemap.layer` (`districts.geojson`). */
export interface District {
  code: string;
  name: string;
  labelLon: number;
  labelLat: number;
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] };
}

/** The extent of the cut data (server/basemap/cutBasemap.ts COAST_BOX). */
const EXTENT = Rectangle.fromDegrees(118.9, 35.0, 122.8, 38.0);
/** Below this terrain level (about 700 km across a tile) Natural Earth II shows alone: the far-zoom fallback. */
const MIN_TERRAIN_LEVEL = 5;
const DISTRICT_LABEL_NEAR_M = 4_000;
const DISTRICT_LABEL_FAR_M = 600_000;
/**
 * Placed after the labels of projects under construction (40) and with alarms (100+), before suspended, planned and
 * completed ones: a district label can move to another of its anchors, a project's cannot, so the active projects
 * keep their names and the districts take the room left (before: 50, and at city scale 3 of 10 districts named).
 */
const DISTRICT_LABEL_PRIORITY = 35;
/** Interior points offered per district besides its label point, when pins or other labels take that spot. */
const DISTRICT_LABEL_ALTERNATIVES = 6;

const districtFont = (scale: number) =>
  `600 ${Math.round(14 * scale)}px "Noto Sans CJK SC", "Microsoft YaHei", sans-serif`;
/** District labels shrink a little from district to region scale on a desk screen. */
const DISTRICT_SCALE_BY_DISTANCE = new NearFarScalar(20_000, 1, 300_000, 0.7);

/**
 * The offline base map of the demo city: sea, land, coast and district borders painted into globe tiles from the
 * server's vector data (VectorTileImageryProvider, sharp at every scale), and district labels with their GB/T 2260
 * codes. Over an online imagery source only the coast, the district borders and the labels are drawn.
 */
export class BasemapLayer implements Tool, LabelSource {
  /** Sea, land, coast and districts. */
  private readonly full: ImageryLayer;
  /** Coast and districts only, over online imagery. */
  private readonly linesOnly: ImageryLayer;
  private _groundShown = true;
  /** Resolves with the districts once loaded (empty if the server has none). */
  readonly districts: Promise<District[]>;
  private readonly labels: LabelCollection;
  private readonly labelByCode = new Map<string, Label>();
  /** Where each district's label may stand: its label point, then interior points deepest first. */
  private readonly anchorsByCode = new Map<string, Cartesian3[]>();
  /** Called when a district label's text changed (the LabelPlacer places again). */
  onLabelsChanged: () => void = () => {};
  private _enabled = true;
  private _loaded = false;
  private _textScale = 1;

  constructor(
    private readonly viewer: Viewer,
    theme: BasemapTheme,
    onError: (message: string) => void,
    baseUrl = '',
  ) {
    const pal = PALETTES[theme];
    const layerUrl = (file: string) => restAt(baseUrl).url(api.basemap.layer, { file });
    const data = Promise.all([
      getBasemapJson<{ features: Array<{ properties: District; geometry: District['geometry'] }> }>(
        layerUrl('districts.geojson'),
      ),
      getBasemapJson<{ features: Array<{ geometry: { type: string; coordinates: unknown } }> }>(
        layerUrl('coastline.geojson'),
      ),
      getBasemapJson<{ features: Array<{ geometry: { type: string; coordinates: unknown } }> }>(
        layerUrl('land.geojson'),
      ),
    ]).catch((err: Error) => {
      onError(basemapErrorText(err));
      return [{ features: [] }, { features: [] }, { features: [] }] as const;
    });
    this.districts = data.then(([d]) => d.features.map((f) => ({ ...f.properties, geometry: f.geometry })));
    const groups = data.then(([d, coast, land]) => {
      const districtShapes = shapesOf(d.features.map((f) => f.geometry));
      return {
        ground: [
          { kind: 'polygon', shapes: shapesOf(land.features.map((f) => f.geometry)), style: { fill: pal.neighbour } },
          { kind: 'polygon', shapes: districtShapes, style: { fill: pal.land } },
        ] satisfies VectorGroup[],
        lines: [
          {
            kind: 'polygon',
            shapes: districtShapes,
            style: { stroke: pal.district, widthPx: 1.5, dash: [6, 4], minLevel: 7 },
          },
          {
            kind: 'line',
            shapes: shapesOf(coast.features.map((f) => f.geometry)),
            style: { stroke: pal.coast, widthPx: 2 },
          },
        ] satisfies VectorGroup[],
      };
    });
    // One layer paints everything (each layer costs a texture per globe tile, which a software renderer feels); the
    // lines-only one replaces it when an online imagery source lies below.
    const layer = (g: Promise<VectorGroup[]>, background?: string) =>
      new ImageryLayer(
        new VectorTileImageryProvider(g, EXTENT, t('map.attribution'), background, () =>
          viewer.scene.requestRender(),
        ).asImageryProvider(),
        {
          minimumTerrainLevel: MIN_TERRAIN_LEVEL,
        },
      );
    this.full = layer(
      groups.then((g) => [...g.ground, ...g.lines]),
      pal.sea,
    );
    this.linesOnly = layer(groups.then((g) => g.lines));
    this.linesOnly.show = false;
    viewer.imageryLayers.add(this.full);
    viewer.imageryLayers.add(this.linesOnly);

    this.labels = viewer.scene.primitives.add(new LabelCollection());
    void this.districts.then((ds) => {
      if (this.labels.isDestroyed()) return;
      for (const d of ds) {
        const label = this.labels.add({
          // A click on a district's name is a click on the district (DistrictLayer.codeOf).
          id: { districtCode: d.code },
          position: Cartesian3.fromDegrees(d.labelLon, d.labelLat, 0),
          text: `${d.name} ${d.code}`,
          font: districtFont(this._textScale),
          fillColor: Color.fromCssColorString(pal.label),
          outlineColor: Color.fromCssColorString(pal.labelOutline),
          outlineWidth: 3,
          style: LabelStyle.FILL_AND_OUTLINE,
          verticalOrigin: VerticalOrigin.CENTER,
          pixelOffset: Cartesian2.ZERO,
          // City to district scale; at site scale the borders are enough and the label would sit on the projects.
          distanceDisplayCondition: new DistanceDisplayCondition(DISTRICT_LABEL_NEAR_M, DISTRICT_LABEL_FAR_M),
          scaleByDistance: this._textScale === 1 ? DISTRICT_SCALE_BY_DISTANCE : undefined,
          disableDepthTestDistance: Number.POSITIVE_INFINITY,
        });
        this.labelByCode.set(d.code, label);
        const polys = (
          d.geometry.type === 'Polygon' ? [d.geometry.coordinates] : d.geometry.coordinates
        ) as PolygonRings[];
        const inner = interiorPoints(largestPolygon(polys) ?? [], DISTRICT_LABEL_ALTERNATIVES);
        this.anchorsByCode.set(d.code, [
          // A copy: a Label's position getter hands out the object its setter writes into.
          Cartesian3.fromDegrees(d.labelLon, d.labelLat, 0),
          ...inner.map((p) => Cartesian3.fromDegrees(p.lon, p.lat, 0)),
        ]);
      }
      this._loaded = true;
      this.onLabelsChanged();
      viewer.scene.requestRender();
    });
  }

  /** Size of the district labels (1 on a desk screen; the wall scales them with its text, at every distance). */
  get textScale(): number {
    return this._textScale;
  }
  set textScale(s: number) {
    if (s === this._textScale) return;
    this._textScale = s;
    for (const l of this.labelByCode.values()) {
      l.font = districtFont(s);
      l.scaleByDistance = s === 1 ? DISTRICT_SCALE_BY_DISTANCE : (undefined as never);
    }
    this.onLabelsChanged();
    this.viewer.scene.requestRender();
  }

  /** Sets a district's label (the district layer adds its figure under name and code). */
  setLabelText(code: string, text: string): void {
    const l = this.labelByCode.get(code);
    if (l && l.text !== text) {
      l.text = text;
      this.onLabelsChanged();
    }
  }

  labelItems(out: LabelItem[]): void {
    if (!this._enabled) return;
    for (const [code, l] of this.labelByCode) {
      const [position, ...alternatives] = this.anchorsByCode.get(code) ?? [l.position];
      out.push({
        id: `district:${code}`,
        position: position!,
        alternatives,
        text: l.text,
        font: l.font,
        priority: DISTRICT_LABEL_PRIORITY,
        near: DISTRICT_LABEL_NEAR_M,
        far: DISTRICT_LABEL_FAR_M,
      });
    }
  }

  applyPlacement(
    shown: ReadonlySet<string>,
    _absorbed: ReadonlySet<string>,
    _clusters: ReadonlyMap<string, readonly string[]>,
    moved: ReadonlyMap<string, number>,
  ): void {
    for (const [code, l] of this.labelByCode) {
      const id = `district:${code}`;
      l.show = shown.has(id);
      const anchors = this.anchorsByCode.get(code);
      const alt = moved.get(id);
      const at = anchors?.[alt === undefined ? 0 : alt + 1];
      if (at && !Cartesian3.equals(at, l.position)) l.position = at;
    }
  }

  /** True once the district data arrived and the labels are placed. */
  get loaded(): boolean {
    return this._loaded;
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    this.full.show = v && this._groundShown;
    this.linesOnly.show = v && !this._groundShown;
    this.labels.show = v;
    this.viewer.scene.requestRender();
  }

  /** Sea and land shown (the offline base) or hidden (an online imagery source lies below the lines). */
  set groundShown(v: boolean) {
    this._groundShown = v;
    this.enabled = this._enabled;
  }

  dispose(): void {
    if (!this.labels.isDestroyed() && !this.viewer.isDestroyed()) this.viewer.scene.primitives.remove(this.labels);
  }
}
