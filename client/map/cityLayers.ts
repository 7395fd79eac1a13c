import {
  Cartesian3,
  Cesium3DTileFeature,
  ClippingPolygonCollection,
  Math as CesiumMath,
  SceneTransforms,
} from 'cesium';
import type { DistrictFigureKey } from '../../models/District.js';
import type { BimLayer } from '../bim/BimLayer.js';
import type { ToolRegistry } from '../core/Tool.js';
import type { SiteOverlays } from '../overlays/SiteOverlays.js';
import type { BasemapTheme } from './BasemapLayer.js';
import { DistrictLayer } from './DistrictLayer.js';
import { fetchDistrictFigures } from './districtsApi.js';
import { LabelPlacer, type LabelReport } from './LabelPlacer.js';
import { ContextClipping } from './ContextClipping.js';
import type { ProjectStore } from '../state/ProjectStore.js';
import { LayerPanel } from './LayerPanel.js';
import { cityLayerEntries } from './layerEntries.js';
import type { MapView } from './MapView.js';
import type { ProjectLayer } from './ProjectLayer.js';

/** What the city layers tell tests, as `window.__siteTwinCity` (map page and wall alike). */
export interface CityProbe {
  /** District outlines drawn and their first figures in (or failed). */
  districtsLoaded: boolean;
  districtCount: number;
  regionPrefix: string | null;
  selectedDistrict: string | null;
  /** Shows or hides the district fill (the base map's own pixel tests look under it). */
  showDistricts(v: boolean): void;
  /** Shows or hides the offline vector base map (sea, land, coast, district lines and labels): the frame bench. */
  showBasemap(v: boolean): void;
  /** Polygons clipping the context tileset around projects (0 without CONTEXT_TILESET_URL). */
  contextClipPolygons(): number;
  /** The context tileset's clipping as set on it: rings (lon/lat), enabled, and whether this WebGL can clip (WebGL 2). */
  contextClip(): { supported: boolean; enabled: boolean; rings: [number, number][][] };
  /** Everything a click at a WGS84 point (height m) would pass through, front to back (see pickAt for the kinds). */
  drillAt(lon: number, lat: number, height: number): string[];
  /** Looks straight down at a point from `rangeM` above (the context clipping's test looks down a footprint). */
  lookDown(lon: number, lat: number, rangeM: number): void;
  /** The context tileset loaded and its tiles for the current view in (false without one). */
  contextLoaded(): boolean;
  /** Switches the context clipping (tests compare with and without). */
  clipContext(v: boolean): void;
  /**
   * What a click at a WGS84 point (height m) would hit: `project:<id>`, `district:<code>` (its fill), `context`,
   * `other` or `none`.
   */
  pickAt(lon: number, lat: number, height: number): string;
  /**
   * Puts the camera at a pose at once with `camera.setView` (no flight), as a BCF viewpoint restore does; height in
   * metres above the ellipsoid.
   */
  setView(pose: { lon: number; lat: number; height: number; headingDeg: number; pitchDeg: number }): void;
  /** The district fill's fade as last applied (1 at city scale, 0 at site scale) and the camera height it is for. */
  districtFade(): { fade: number; heightM: number };
  /** Picks a district as a click on it would (null clears). */
  selectDistrict(code: string | null): void;
  /** The last label placement: candidates, placed boxes (CSS px in the canvas), hidden, clustered. */
  labels(): LabelReport;
  /** Forces a placement now (after a camera jump in a test) and returns it. */
  placeLabels(): LabelReport;
  alarmedProjects(): string[];
  /** District label texts (name, code, figure). */
  districtLabels(): string[];
}

declare global {
  interface Window {
    __siteTwinCity: CityProbe;
  }
}

export interface CityLayers {
  placer: LabelPlacer;
  districts: DistrictLayer;
  panel: LayerPanel | null;
}

/**
 * The city tier's map layers shared by the map page and the wall: the district layer (figures, region boundary,
 * click to narrow), the label placer over district and project labels, and the layer panel listing what the page
 * has (models and device kinds only where a site can be opened).
 */
export function addCityLayers(
  tools: ToolRegistry,
  map: MapView,
  projects: ProjectLayer,
  theme: BasemapTheme,
  store: ProjectStore,
  opts: { panelHost?: HTMLElement; site?: SiteOverlays; bim?: BimLayer; figure?: DistrictFigureKey } = {},
): CityLayers {
  const clipping = tools.add(new ContextClipping(store));
  if (map.contextTileset) clipping.attach(map.contextTileset);
  map.onContextTileset.add((ts) => clipping.attach(ts));
  const placer = tools.add(new LabelPlacer(map));
  placer.add(map.basemap);
  placer.add(projects);
  map.basemap.onLabelsChanged = () => placer.invalidate();
  projects.onLabelsChanged = () => placer.invalidate();
  const districts = tools.add(new DistrictLayer(map, theme, () => fetchDistrictFigures(), opts.figure));
  let panel: LayerPanel | null = null;
  if (opts.panelHost) {
    const entries = cityLayerEntries({
      bim: opts.bim,
      site: opts.site,
      placer,
      pulses: projects.pulses,
      requestRender: () => map.requestRender(),
      districts,
      sources: map.sources,
      basemap: map.basemap,
    });
    panel = tools.add(new LayerPanel(opts.panelHost, entries));
  }
  const kindOf = (picked: unknown): string => {
    const id = projects.projectIdOf(picked);
    if (id) return `project:${id}`;
    const district = districts.codeOf(picked);
    if (district) return `district:${district}`;
    if (
      picked &&
      (picked instanceof Cesium3DTileFeature || (picked as { primitive?: unknown }).primitive === map.contextTileset)
    )
      return 'context';
    return picked ? 'other' : 'none';
  };
  window.__siteTwinCity = {
    get districtsLoaded() {
      return districts.loaded;
    },
    get districtCount() {
      return districts.list().length;
    },
    get regionPrefix() {
      return districts.regionPrefix;
    },
    get selectedDistrict() {
      return districts.selected;
    },
    selectDistrict: (code) => districts.select(code),
    showDistricts: (v) => (districts.enabled = v),
    showBasemap: (v) => (map.basemap.enabled = v),
    contextClipPolygons: () => clipping.polygonCount,
    contextLoaded: () => !!map.contextTileset?.tilesLoaded,
    clipContext: (v) => ((clipping.enabled = v), map.requestRender()),
    contextClip: () => ({ ...clipping.state, supported: ClippingPolygonCollection.isSupported(map.viewer.scene) }),
    pickAt: (lon, lat, height) => {
      const w = SceneTransforms.worldToWindowCoordinates(map.viewer.scene, Cartesian3.fromDegrees(lon, lat, height));
      return w ? kindOf(map.viewer.scene.pick(w)) : 'off-screen';
    },
    drillAt: (lon, lat, height) => {
      const w = SceneTransforms.worldToWindowCoordinates(map.viewer.scene, Cartesian3.fromDegrees(lon, lat, height));
      return w ? map.viewer.scene.drillPick(w).map(kindOf) : ['off-screen'];
    },
    lookDown: (lon, lat, rangeM) => map.lookAt(lon, lat, rangeM, -89.9),
    setView: ({ lon, lat, height, headingDeg, pitchDeg }) => {
      map.viewer.camera.setView({
        destination: Cartesian3.fromDegrees(lon, lat, height),
        orientation: { heading: CesiumMath.toRadians(headingDeg), pitch: CesiumMath.toRadians(pitchDeg), roll: 0 },
      });
      map.requestRender();
    },
    districtFade: () => ({ fade: districts.fade, heightM: map.viewer.camera.positionCartographic.height }),
    labels: () => placer.report,
    placeLabels: () => (placer.place(), placer.report),
    alarmedProjects: () => projects.alarmedIds(),
    districtLabels: () => districts.list().map((d) => districts.labelOf(d.code)),
  };
  return { placer, districts, panel };
}
