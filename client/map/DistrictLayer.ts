import {
  ArcType,
  Cartesian3,
  Color,
  ColorMaterialProperty,
  ConstantProperty,
  CustomDataSource,
  Entity,
  PolygonHierarchy,
} from 'cesium';
import {
  figureOf,
  type DistrictFigureKey,
  type DistrictFigures,
  type DistrictFiguresResponse,
} from '../../models/District.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { t, type MessageKey } from '../i18n/i18n.js';
import type { BasemapTheme, District } from './BasemapLayer.js';
import type { MapView } from './MapView.js';
import { errorText } from '../api/errorText.js';

/** The figures a district can be coloured by, with their zh-CN / English names (the layer panel's choice). */
export const DISTRICT_FIGURES: Record<DistrictFigureKey, { zh: string; en: string; unit: string }> = {
  underConstruction: { zh: '在建项目', en: 'Under construction', unit: '个' },
  openAlarms: { zh: '未处理报警', en: 'Open alarms', unit: '条' },
  dustExceedances: { zh: '今日扬尘超标', en: 'Dust exceedances today', unit: '次' },
  workersOnSite: { zh: '在场工人', en: 'Workers on site', unit: '人' },
};

/** Colour ramps (low -> high) per theme; alarms in red, the others in the theme's accent. */
const RAMP: Record<BasemapTheme, Record<'alarm' | 'count', [string, string]>> = {
  // Purple for counts: blue would read as water next to the sea, orange as the pins' "under construction".
  dark: { alarm: ['#2a1a1f', '#e5534b'], count: ['#2a2140', '#a371f7'] },
  light: { alarm: ['#f6e1df', '#d1242f'], count: ['#efe6fb', '#8250df'] },
};

const SCRATCH = new Color();

/** 0..1 of a figure against the largest in view; 0 when every district is 0. */
export function shareOf(value: number, max: number): number {
  return max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
}

/** Camera heights (m) between which the district fill fades out, from district scale down to site scale. */
export const FILL_FULL_ABOVE_M = 15_000;
export const FILL_GONE_BELOW_M = 3_000;

/**
 * How much of the district fill to draw with the camera `heightM` above the ground: all of it at city and district
 * scale, fading out towards site scale (where one district fills the screen and a wash of colour says nothing; the
 * base map's district borders remain), in quarter steps so a zoom restyles the polygons a few times only.
 */
export function fillFade(heightM: number): number {
  const t = (heightM - FILL_GONE_BELOW_M) / (FILL_FULL_ABOVE_M - FILL_GONE_BELOW_M);
  return Math.round(Math.min(1, Math.max(0, t)) * 4) / 4;
}

/** Width (px) of the authority's region boundary at a fill fade: 4 at city scale, 1.5 at site scale. */
export function regionWidthPx(fade: number): number {
  return 1.5 + 2.5 * fade;
}

function rings(g: District['geometry']): number[][][][] {
  return g.type === 'Polygon' ? [g.coordinates as number[][][]] : (g.coordinates as number[][][][]);
}
const positions = (ring: number[][]) =>
  Cartesian3.fromDegreesArray(ring.slice(0, -1).flatMap(([lon, lat]) => [lon!, lat!]));

/**
 * Districts as a layer of the city tier: each district of the demo city filled by a chosen figure (projects under
 * construction, open alarms, dust exceedances today, workers on site; from `api.districts.figures`, scoped like the
 * project list), with its name, code and figure in the label (placed by the LabelPlacer), the authority's region
 * drawn as a bold boundary, and a click that picks a district (the app narrows the list and the KPIs to it).
 */
export class DistrictLayer implements Tool {
  /** A district was clicked (code), or the selection was cleared (null). */
  readonly onPicked = new Event<{ code: string | null; name: string | null }>();
  /** The figures arrived (or were refreshed). */
  readonly onFigures = new Event<DistrictFiguresResponse>();
  readonly dataSource = new CustomDataSource('districts');
  private districts: District[] = [];
  private figures = new Map<string, DistrictFigures>();
  private _figure: DistrictFigureKey;
  private _selected: string | null = null;
  private _enabled = true;
  private _loaded = false;
  private _fade = 1;
  regionPrefix: string | null = null;
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly map: MapView,
    private readonly theme: BasemapTheme,
    private readonly loadFigures: () => Promise<DistrictFiguresResponse>,
    figure: DistrictFigureKey = 'underConstruction',
  ) {
    this._figure = figure;
    void map.viewer.dataSources.add(this.dataSource);
    this.offs.push(map.onClick.add(({ picked }) => this.clicked(picked)));
    const onFrame = () => {
      const f = fillFade(map.viewer.camera.positionCartographic.height);
      if (f === this._fade) return;
      this._fade = f;
      this.style();
    };
    map.viewer.scene.postRender.addEventListener(onFrame);
    this.offs.push(() => {
      if (!map.viewer.isDestroyed()) map.viewer.scene.postRender.removeEventListener(onFrame);
    });
    void map.basemap.districts.then(async (ds) => {
      this.districts = ds;
      this.draw();
      await this.refresh();
    });
  }

  /** The share of the fill drawn (fillFade of the camera height as of the last frame). */
  get fade(): number {
    return this._fade;
  }

  /** True once outlines and the first figures (or their failure) are in. */
  get loaded(): boolean {
    return this._loaded;
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    this.dataSource.show = v;
    if (v) this.relabel();
    else for (const d of this.districts) this.map.basemap.setLabelText(d.code, `${d.name} ${d.code}`);
    this.map.requestRender();
  }

  get figure(): DistrictFigureKey {
    return this._figure;
  }
  /** Recolours by another figure (no refetch: the answer carries all four). */
  set figure(k: DistrictFigureKey) {
    this._figure = k;
    this.style();
    this.relabel();
  }

  /** The selected district's code (the list and the KPIs are narrowed to it), or null. */
  get selected(): string | null {
    return this._selected;
  }
  select(code: string | null): void {
    if (code !== null && !this.districts.some((d) => d.code === code)) code = null;
    if (code === this._selected) return;
    this._selected = code;
    this.style();
    this.onPicked.trigger({ code, name: this.districts.find((d) => d.code === code)?.name ?? null });
  }

  /** Districts with their figure (for labels and tests). */
  list(): Array<District & { figures: DistrictFigures | undefined }> {
    return this.districts.map((d) => ({ ...d, figures: this.figures.get(d.code) }));
  }

  /** The label text of a district: name, code, and the figure when there is one. */
  labelOf(code: string): string {
    const d = this.districts.find((x) => x.code === code);
    if (!d) return code;
    const f = this.figures.get(code);
    if (!f) return `${d.name} ${d.code}`;
    return `${d.name} ${d.code}\n${t(`district.figure.${this._figure}` as MessageKey, { n: figureOf(f, this._figure) })}`;
  }

  /** Fetches the figures again (after a reload; the wall calls it on its KPI cadence). */
  async refresh(): Promise<void> {
    try {
      const r = await this.loadFigures();
      this.figures = new Map(r.districts.map((d) => [d.code, d]));
      this.regionPrefix = r.regionPrefix;
      this.drawRegion();
      this.style();
      this.relabel();
      this.onFigures.trigger(r);
    } catch (err) {
      this.map.onSourceError.trigger({ source: 'district figures', message: errorText(err) });
    }
    this._loaded = true;
    this.map.requestRender();
  }

  /** The district code of a pick result, if it is one of ours. */
  codeOf(picked: unknown): string | null {
    const e = (picked as { id?: unknown } | undefined)?.id;
    // The district's name on the base map (its labels stand inside the district, where a click means the district).
    const named = (e as { districtCode?: unknown } | undefined)?.districtCode;
    if (typeof named === 'string') return named;
    if (!(e instanceof Entity) || !this.dataSource.entities.contains(e)) return null;
    return (e.properties?.code?.getValue() as string | undefined) ?? null;
  }

  private clicked(picked: unknown): void {
    if (!this._enabled) return;
    const code = this.codeOf(picked);
    // A click on a project or a model is not "left the district"; only one on a district or empty sea/sky changes it.
    const other =
      (picked as { id?: unknown } | undefined)?.id ?? (picked as { primitive?: unknown } | undefined)?.primitive;
    if (code) this.select(code === this._selected ? null : code);
    else if (!other) this.select(null);
  }

  private relabel(): void {
    if (!this._enabled) return;
    for (const d of this.districts) this.map.basemap.setLabelText(d.code, this.labelOf(d.code));
  }

  private draw(): void {
    const entities = this.dataSource.entities;
    entities.suspendEvents();
    for (const d of this.districts) {
      rings(d.geometry).forEach((poly, i) => {
        const [outer, ...holes] = poly;
        entities.add({
          id: `district:${d.code}:${i}`,
          name: d.name,
          properties: { code: d.code },
          polygon: {
            hierarchy: new PolygonHierarchy(
              positions(outer!),
              holes.map((h) => new PolygonHierarchy(positions(h))),
            ),
            height: 0,
            material: new ColorMaterialProperty(Color.TRANSPARENT),
          },
        });
      });
    }
    entities.resumeEvents();
  }

  /** The authority's region as a boundary: the outer rings of every district in it. */
  private drawRegion(): void {
    const entities = this.dataSource.entities;
    for (const e of [...entities.values]) if (e.id.startsWith('region:')) entities.remove(e);
    const prefix = this.regionPrefix;
    if (!prefix) return;
    const colour = this.theme === 'dark' ? Color.fromCssColorString('#ffd166') : Color.fromCssColorString('#b35900');
    for (const d of this.districts.filter((x) => x.code.startsWith(prefix))) {
      rings(d.geometry).forEach((poly, i) => {
        entities.add({
          id: `region:${d.code}:${i}`,
          polyline: {
            positions: positions([...poly[0]!, poly[0]![0]!]),
            width: regionWidthPx(this._fade),
            arcType: ArcType.GEODESIC,
            material: new ColorMaterialProperty(colour),
          },
        });
      });
    }
  }

  private style(): void {
    const ramp = RAMP[this.theme][this._figure === 'openAlarms' ? 'alarm' : 'count'];
    const lo = Color.fromCssColorString(ramp[0]);
    const hi = Color.fromCssColorString(ramp[1]);
    const max = Math.max(0, ...[...this.figures.values()].map((f) => figureOf(f, this._figure)));
    for (const e of this.dataSource.entities.values) {
      if (!e.polygon) continue;
      const code = e.properties!.code!.getValue() as string;
      const f = this.figures.get(code);
      const t = f ? shareOf(figureOf(f, this._figure), max) : 0;
      const c = Color.lerp(lo, hi, t, SCRATCH);
      const sel = this._selected === code;
      const dim = this._selected !== null && !sel;
      // A district at 0 is left clear (only what is there is coloured); alpha never zero so it can still be clicked.
      // Near site scale the fill fades out and goes (fillFade).
      e.polygon.material = new ColorMaterialProperty(
        c.withAlpha(this._fade * (dim ? 0.08 : sel ? 0.55 : t > 0 ? 0.18 + 0.32 * t : 0.02)),
      );
      e.polygon.show = new ConstantProperty(this._fade > 0);
      e.polygon.outline = new ConstantProperty(false);
    }
    // The authority's boundary stays (it says whose region this is) but thins towards site scale, where 4 px read as
    // a wall across the site.
    const width = regionWidthPx(this._fade);
    for (const e of this.dataSource.entities.values)
      if (e.polyline && e.polyline.width?.getValue(undefined as never) !== width)
        e.polyline.width = new ConstantProperty(width);
    this.map.requestRender();
  }

  dispose(): void {
    for (const off of this.offs) off();
    this.onPicked.reset();
    this.onFigures.reset();
    if (!this.map.viewer.isDestroyed()) this.map.viewer.dataSources.remove(this.dataSource, true);
  }
}
