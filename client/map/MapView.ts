import {
  BoundingSphere,
  buildModuleUrl,
  Cartesian2,
  Cartesian3,
  Cesium3DTileset,
  CesiumTerrainProvider,
  Color,
  EllipsoidTerrainProvider,
  HeadingPitchRange,
  ImageryLayer,
  Math as CesiumMath,
  ScreenSpaceEventHandler,
  ScreenSpaceEventType,
  SceneTransforms,
  Terrain,
  TileMapServiceImageryProvider,
  UrlTemplateImageryProvider,
  Viewer,
} from 'cesium';
import { MAP_MAX_PIXELS_DEFAULT, MAP_MSAA_SAMPLES_DEFAULT, type ClientConfig } from '../../models/ClientConfig.js';
import { Event } from '../core/Event.js';
import { BasemapLayer, type BasemapTheme } from './BasemapLayer.js';
import { CameraNoiseGuard } from './CameraNoiseGuard.js';
import { SkyCulling, type SkyScene } from './SkyCulling.js';
import { MapSourceSwitcher, OFFLINE_SOURCE_ID } from './MapSourceSwitcher.js';
import { mapResolutionScale } from './mapResolution.js';
import { pitchClearOfHorizon } from './viewPitch.js';
import { t } from '../i18n/i18n.js';
import type { Tool } from '../core/Tool.js';
import { errorText } from '../api/errorText.js';

/** Where the camera looks when there is nothing to fit: the demo city, Qingdao. */
export const DEFAULT_VIEW = { lon: 120.38, lat: 36.13, radiusM: 15_000 };

export interface MapPick {
  /** What Cesium picked (an Entity's pick id, a primitive), or undefined for empty globe/sky. */
  picked: unknown;
  position: Cartesian2;
}

/**
 * The Cesium globe. Fully offline by default: Natural Earth II shipped with Cesium as the base layer, the WGS84
 * ellipsoid as terrain, no ion token, geocoder or layer picker; only URLs the server's config names are ever
 * fetched. Renders on demand (requestRenderMode), so callers that change the scene call `requestRender()`.
 */
export class MapView implements Tool {
  readonly viewer: Viewer;
  readonly onClick = new Event<MapPick>();
  readonly onHover = new Event<MapPick>();
  /** A non-fatal problem with an optional source (imagery, terrain, context tiles): the map keeps working. */
  readonly onSourceError = new Event<{ source: string; message: string }>();
  /** The city context tileset (`CONTEXT_TILESET_URL`) loaded and added (ContextClipping clips it around projects). */
  readonly onContextTileset = new Event<Cesium3DTileset>();
  /** The context tileset once loaded, else null. */
  contextTileset: Cesium3DTileset | null = null;
  /** Home button pressed (the app decides what "home" is: all projects). */
  readonly onHome = new Event<void>();
  /** The offline vector base map of the demo city (sea, land, coast, districts with labels). */
  readonly basemap: BasemapLayer;
  /** Offline base map or a configured online source (Tianditu, XYZ/WMTS/TMS, GCJ-02 corrected). */
  readonly sources: MapSourceSwitcher;

  private readonly handler: ScreenSpaceEventHandler;
  private readonly noiseGuard: CameraNoiseGuard;
  private readonly skyCulling: SkyCulling;
  /** Most device pixels drawn per frame (the server's MAP_MAX_PIXELS). */
  private readonly maxPixels: number;
  private _entitiesReady = false;
  private hoverFrame = 0;
  private _enabled = true;

  constructor(
    container: HTMLElement,
    config: ClientConfig,
    /** `creditContainer`: where the data credits go (the wall gives them a strip under its map); default, on the map. */
    opts: { theme?: BasemapTheme; switcher?: boolean; creditContainer?: HTMLElement } = {},
  ) {
    this.maxPixels = config.mapMaxPixels ?? MAP_MAX_PIXELS_DEFAULT;
    const baseLayer = ImageryLayer.fromProviderAsync(
      TileMapServiceImageryProvider.fromUrl(buildModuleUrl('Assets/Textures/NaturalEarthII')),
      {
        // A muted base map keeps the coloured footprints the brightest thing on screen.
        brightness: 0.7,
        saturation: 0.55,
        contrast: 1.1,
      },
    );
    this.viewer = new Viewer(container, {
      baseLayer,
      ...(config.terrainUrl
        ? { terrain: new Terrain(CesiumTerrainProvider.fromUrl(config.terrainUrl)) }
        : { terrainProvider: new EllipsoidTerrainProvider() }),
      geocoder: false,
      baseLayerPicker: false,
      timeline: false,
      animation: false,
      homeButton: true,
      sceneModePicker: false,
      navigationHelpButton: false,
      fullscreenButton: false,
      infoBox: false,
      selectionIndicator: false,
      requestRenderMode: true,
      maximumRenderTimeChange: Infinity,
      // The server's MAP_MSAA_SAMPLES: 1 (off) on a PC without a GPU, where software WebGL resolves every sample.
      msaaSamples: config.mapMsaaSamples ?? MAP_MSAA_SAMPLES_DEFAULT,
      ...(opts.creditContainer ? { creditContainer: opts.creditContainer } : {}),
    });
    const scene = this.viewer.scene;
    // Without it, at some poses Cesium's own rounding keeps the camera "moving": never idle, rendering every frame.
    this.noiseGuard = new CameraNoiseGuard(scene);
    // No stars or sky atmosphere drawn behind a globe that fills the view: on software WebGL they cost a third of a frame.
    this.skyCulling = new SkyCulling(scene as unknown as SkyScene);
    scene.globe.baseColor = Color.fromCssColorString('#0b1220');
    scene.backgroundColor = Color.fromCssColorString('#05080f');
    // Per-pixel ground atmosphere washes out the dark theme and is the most expensive globe shader on software
    // WebGL (wall displays without a GPU, headless tests). The ellipsoid has no relief to refine, so a coarser
    // screen-space error loads fewer tiles for the same picture.
    scene.globe.showGroundAtmosphere = false;
    scene.globe.maximumScreenSpaceError = 3;
    // Drawn at the screen's device pixel ratio (Cesium's default draws at CSS pixels and upscales: soft on a 4K screen
    // or a phone), capped at one 4K frame of device pixels; refitted when the window or the ratio changes.
    this.viewer.useBrowserRecommendedResolution = false;
    this.fitResolution();
    window.addEventListener('resize', this.fitResolution);
    // Double-click would start tracking an entity, fighting our own fly-to.
    this.viewer.cesiumWidget.screenSpaceEventHandler.removeInputAction(ScreenSpaceEventType.LEFT_DOUBLE_CLICK);
    // Cesium's own tooltip is English ("View Home"); the button flies to the city overview.
    this.viewer.homeButton.viewModel.tooltip = t('map.home');
    this.viewer.homeButton.viewModel.command.beforeExecute.addEventListener((e: { cancel: boolean }) => {
      e.cancel = true;
      this.onHome.trigger();
    });

    // DataSourceDisplay.ready latches true after the first success, so it cannot tell that geometry added later is
    // still being built in a worker. Its per-tick update result can: keep the last one.
    const display = this.viewer.dataSourceDisplay;
    const update = display.update.bind(display);
    display.update = (time) => (this._entitiesReady = update(time));

    // No graticule any more: it stood in for detail that Natural Earth II lacks close up; the base map below gives the
    // eye coast, districts and scale, and one layer less per globe tile keeps a 4K wall on software WebGL in time.
    if (config.imageryUrl) this.addImagery(config.imageryUrl);
    // Over Natural Earth II (which stays the far-zoom fallback) and the grid: below the footprints and models.
    this.basemap = new BasemapLayer(this.viewer, opts.theme ?? 'dark', (message) =>
      this.onSourceError.trigger({ source: 'base map', message }),
    );
    this.sources = new MapSourceSwitcher(
      this.viewer,
      this.basemap,
      config.mapSources ?? [],
      (source, message) => this.onSourceError.trigger({ source, message }),
      {
        ...(opts.switcher === false ? {} : { container }),
        search: location.search,
      },
    );
    // IMAGERY_URL is an imagery base of its own: keep only the lines and labels over it.
    if (config.imageryUrl && this.sources.current === OFFLINE_SOURCE_ID) this.basemap.groundShown = false;
    if (config.terrainUrl) {
      const terrain = (this.viewer.scene as unknown as { terrain?: Terrain }).terrain;
      terrain?.errorEvent.addEventListener((err: Error) =>
        this.onSourceError.trigger({ source: 'terrain', message: err.message }),
      );
    }
    if (config.contextTilesetUrl) void this.addContextTiles(config.contextTilesetUrl);

    this.handler = new ScreenSpaceEventHandler(scene.canvas);
    this.handler.setInputAction((e: { position: Cartesian2 }) => {
      if (this._enabled) this.onClick.trigger({ picked: scene.pick(e.position), position: e.position });
    }, ScreenSpaceEventType.LEFT_CLICK);
    this.handler.setInputAction((e: { endPosition: Cartesian2 }) => {
      // Picking renders a pick pass: at most once per animation frame, and only when someone listens.
      if (!this._enabled || this.onHover.size === 0 || this.hoverFrame) return;
      const pos = Cartesian2.clone(e.endPosition);
      this.hoverFrame = requestAnimationFrame(() => {
        this.hoverFrame = 0;
        this.onHover.trigger({ picked: scene.pick(pos), position: pos });
      });
    }, ScreenSpaceEventType.MOUSE_MOVE);
  }

  get enabled(): boolean {
    return this._enabled;
  }
  /** Disabled: clicks and hovers are ignored (e.g. while a tour drives the camera). */
  set enabled(v: boolean) {
    this._enabled = v;
  }

  requestRender(): void {
    this.viewer.scene.requestRender();
  }

  /** Flies to look at a sphere from the side: heading/pitch in degrees, range in metres. */
  flyToSphere(
    sphere: BoundingSphere,
    view: { headingDeg: number; pitchDeg: number; rangeM: number },
    durationS = 2,
  ): void {
    const frustum = this.viewer.camera.frustum as { fovy?: number };
    const fovyDeg = typeof frustum.fovy === 'number' ? CesiumMath.toDegrees(frustum.fovy) : undefined;
    this.viewer.camera.flyToBoundingSphere(sphere, {
      offset: new HeadingPitchRange(
        CesiumMath.toRadians(view.headingDeg),
        CesiumMath.toRadians(fovyDeg === undefined ? view.pitchDeg : pitchClearOfHorizon(view.pitchDeg, fovyDeg)),
        view.rangeM,
      ),
      duration: durationS,
    });
    this.requestRender();
  }

  /** The default city view, used when there are no projects to fit. */
  flyToDefault(durationS = 0): void {
    const sphere = new BoundingSphere(Cartesian3.fromDegrees(DEFAULT_VIEW.lon, DEFAULT_VIEW.lat), DEFAULT_VIEW.radiusM);
    this.flyToSphere(sphere, { headingDeg: 0, pitchDeg: -50, rangeM: DEFAULT_VIEW.radiusM * 3 }, durationS);
  }

  /** True when every entity's geometry was built and shown as of the last frame. */
  get entitiesReady(): boolean {
    return this._entitiesReady;
  }

  /** True once the globe has loaded the tiles of the current view (after at least one render) and the base map's data. */
  get tilesLoaded(): boolean {
    return this.viewer.scene.globe.tilesLoaded && this.basemap.loaded;
  }

  /** Looks straight down-ish at a point from `rangeM` away (tests, tours and the district click use it). */
  lookAt(lon: number, lat: number, rangeM: number, pitchDeg = -60): void {
    this.viewer.camera.flyToBoundingSphere(new BoundingSphere(Cartesian3.fromDegrees(lon, lat), 1), {
      offset: new HeadingPitchRange(0, CesiumMath.toRadians(pitchDeg), rangeM),
      duration: 0,
    });
    this.requestRender();
  }

  /** Page position (CSS px) of a point on the ellipsoid, or null when behind the globe or off the canvas. */
  pagePositionOf(lon: number, lat: number): { x: number; y: number } | null {
    const scene = this.viewer.scene;
    const w = SceneTransforms.worldToWindowCoordinates(scene, Cartesian3.fromDegrees(lon, lat, 0));
    if (!w) return null;
    const r = scene.canvas.getBoundingClientRect();
    if (w.x < 0 || w.y < 0 || w.x > r.width || w.y > r.height) return null;
    return { x: r.left + w.x, y: r.top + w.y };
  }

  private addImagery(url: string): void {
    const provider = new UrlTemplateImageryProvider({ url });
    provider.errorEvent.addEventListener((err: { message: string; timesRetried: number }) => {
      if (err.timesRetried === 0) this.onSourceError.trigger({ source: 'imagery', message: err.message });
    });
    this.viewer.imageryLayers.addImageryProvider(provider);
  }

  private async addContextTiles(url: string): Promise<void> {
    try {
      const tileset = await Cesium3DTileset.fromUrl(url);
      if (this.viewer.isDestroyed()) return;
      this.viewer.scene.primitives.add(tileset);
      this.contextTileset = tileset;
      this.onContextTileset.trigger(tileset);
      this.requestRender();
    } catch (err) {
      this.onSourceError.trigger({ source: 'context tiles', message: errorText(err) });
    }
  }

  /** The map's drawing buffer at the device pixel ratio, at most `maxPixels` (see mapResolutionScale). */
  readonly fitResolution = (): void => {
    if (this.viewer.isDestroyed()) return;
    const canvas = this.viewer.canvas;
    this.viewer.resolutionScale = mapResolutionScale(
      canvas.clientWidth,
      canvas.clientHeight,
      window.devicePixelRatio,
      this.maxPixels,
    );
    this.viewer.scene.requestRender();
  };

  dispose(): void {
    window.removeEventListener('resize', this.fitResolution);
    if (this.hoverFrame) cancelAnimationFrame(this.hoverFrame);
    this.handler.destroy();
    this.noiseGuard.dispose();
    this.skyCulling.dispose();
    this.onClick.reset();
    this.onHover.reset();
    this.onSourceError.reset();
    this.onHome.reset();
    this.onContextTileset.reset();
    this.sources.dispose();
    this.basemap.dispose();
    if (!this.viewer.isDestroyed()) this.viewer.destroy();
  }
}
