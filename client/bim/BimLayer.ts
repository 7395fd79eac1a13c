import {
  BoundingSphere,
  type Cartesian2,
  Cartesian3,
  Cartographic,
  Cesium3DTileFeature,
  Cesium3DTileset,
  EllipsoidTerrainProvider,
  HeadingPitchRange,
  Intersect,
  Math as CesiumMath,
  Matrix4,
  sampleTerrainMostDetailed,
  SceneTransforms,
  Transforms,
} from 'cesium';
import type { BimModel } from '../../models/BimModel.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import type { MapView } from '../map/MapView.js';
import type { ProjectStore } from '../state/ProjectStore.js';
import { fetchProjectModels } from './bimApi.js';
import type { ElementColouring } from './ElementColouring.js';
import type { ElementRef } from './ElementSelection.js';
import { TilesetColouring } from './TilesetColouring.js';
import { errorText } from '../api/errorText.js';

/** Projects farther than this from the camera keep only their footprint (a whole province of models would not fit); a city view (about 50 km up) keeps all of its sites. */
export const BIM_VIEW_RANGE_M = 150_000;
/**
 * Per tileset. 20 sites in view share the GPU: a coarser screen-space error than Cesium's 16 and a bounded cache keep
 * a city view smooth, and close up the error still refines to the full model (leaf tiles have error 0).
 */
const TILESET_OPTIONS = {
  maximumScreenSpaceError: 24,
  cacheBytes: 64 * 1024 * 1024,
  maximumCacheOverflowBytes: 64 * 1024 * 1024,
  dynamicScreenSpaceError: true,
} as const;

/** Same tiles at the same place: the tileset on the map is still right. */
function sameTiles(a: BimModel, b: BimModel): boolean {
  return a.tilesetUrl === b.tilesetUrl && JSON.stringify(a.georeference) === JSON.stringify(b.georeference);
}

/** One model on the map. */
export interface LoadedModel {
  model: BimModel;
  tileset: Cesium3DTileset;
  colouring: TilesetColouring;
  /** Removes the tileset from the shared ElementColouring. */
  detach: () => void;
  /** All tiles of the current view loaded (Cesium's `allTilesLoaded` since the last `loadProgress`). */
  settled: boolean;
}

export interface BimLoadState {
  /** Tile requests pending + tiles processing, over every tileset. */
  pending: number;
  models: number;
}

/**
 * Every converted model of the projects in view, as a `Cesium3DTileset` from the server's tiles, placed by the
 * tileset's own georeferenced root transform and lifted to the terrain when terrain is configured. Loads a project's
 * models when it comes into view, unloads them when it leaves. Clicking an element reports it (feature id -> GlobalId
 * from the tile's property table); colours and the highlight are drawn by each tileset's `TilesetColouring`.
 */
export class BimLayer implements Tool {
  readonly onElementPicked = new Event<ElementRef | null>();
  readonly onLoadState = new Event<BimLoadState>();
  readonly loaded = new Map<string, LoadedModel>();
  /** True while handling a click that hit a model element (so the footprint layer's "nothing picked" is ignored). */
  lastClickHitElement = false;
  private readonly loadingProjects = new Map<string, AbortController>();
  private readonly pendingByModel = new Map<string, number>();
  private readonly offs: (() => void)[] = [];
  private _enabled = true;
  private evalQueued = false;

  constructor(
    private readonly map: MapView,
    private readonly store: ProjectStore,
    private readonly colouring: ElementColouring,
  ) {
    const camera = map.viewer.camera;
    this.offs.push(
      camera.moveEnd.addEventListener(() => this.evaluate()),
      store.onChanged.add(() => this.evaluate()),
    );
    this.evaluate();
  }

  /**
   * A map click (the page's click order calls it, after device picks): the element under the pointer, told through
   * `onElementPicked` (null for none). Returns whether an element was hit.
   */
  click(picked: unknown, position: Cartesian2): boolean {
    // The project's translucent massing box (footprint layer) encloses its model: look through it.
    let el = this.elementOfPick(picked);
    if (!el && picked && this.loaded.size) {
      for (const p of this.map.viewer.scene.drillPick(position, 4)) if ((el = this.elementOfPick(p))) break;
    }
    this.lastClickHitElement = !!el;
    if (this._enabled) this.onElementPicked.trigger(el);
    return !!el;
  }

  /** Runs a pick with every model hidden (devices in or behind a building are picked through it), then shows them again. */
  withModelsHidden<T>(pick: () => T): T {
    const shown = [...this.loaded.values()].filter((m) => m.tileset.show);
    for (const m of shown) m.tileset.show = false;
    try {
      return pick();
    } finally {
      for (const m of shown) m.tileset.show = true;
    }
  }

  get enabled(): boolean {
    return this._enabled;
  }
  /** Hidden models stay loaded (switching back is instant). */
  set enabled(v: boolean) {
    this._enabled = v;
    for (const m of this.loaded.values()) m.tileset.show = v;
    this.map.requestRender();
  }

  /** The element of a pick result, if it is a feature of one of our tilesets. */
  elementOfPick(picked: unknown): ElementRef | null {
    if (!(picked instanceof Cesium3DTileFeature)) return null;
    for (const m of this.loaded.values()) {
      if (m.tileset !== picked.tileset) continue;
      const gid = picked.getProperty('globalId');
      return typeof gid === 'string' && gid
        ? { projectId: m.model.projectId, modelId: m.model.id, globalId: gid }
        : null;
    }
    return null;
  }

  /** True when every loaded model has the tiles of the current view. */
  get allSettled(): boolean {
    // `tilesLoaded` is Cesium's own "everything this view needs is loaded" as of the last rendered frame; the event
    // flag alone misses tilesets that had nothing to load after their first frame.
    for (const m of this.loaded.values()) if (!m.tileset.tilesLoaded) return false;
    return this.loadingProjects.size === 0;
  }

  /** Where a point of a model's IFC world frame (metres, Z up) is on the canvas (CSS px), or null. */
  canvasPositionOf(modelId: string, p: readonly [number, number, number]): { x: number; y: number } | null {
    const m = this.loaded.get(modelId);
    if (!m) return null;
    const world = Matrix4.multiplyByPoint(
      m.tileset.root.computedTransform,
      new Cartesian3(p[0], p[1], p[2]),
      new Cartesian3(),
    );
    const w = SceneTransforms.worldToWindowCoordinates(this.map.viewer.scene, world);
    return w ? { x: w.x, y: w.y } : null;
  }

  /** Geodetic position of a loaded model's frame origin (root transform after the terrain lift), or null. */
  originOf(modelId: string): { lon: number; lat: number; height: number } | null {
    const m = this.loaded.get(modelId);
    if (!m) return null;
    const world = Matrix4.multiplyByPoint(
      m.tileset.modelMatrix,
      Matrix4.getTranslation(m.tileset.root.transform, new Cartesian3()),
      new Cartesian3(),
    );
    const c = Cartographic.fromCartesian(world);
    return c
      ? { lon: CesiumMath.toDegrees(c.longitude), lat: CesiumMath.toDegrees(c.latitude), height: c.height }
      : null;
  }

  /** Where a point of a model's IFC world frame (metres, Z up) is on the globe, or null. */
  lonLatOf(modelId: string, p: readonly [number, number, number]): { lon: number; lat: number; height: number } | null {
    const m = this.loaded.get(modelId);
    if (!m) return null;
    const c = Cartographic.fromCartesian(
      Matrix4.multiplyByPoint(m.tileset.root.computedTransform, new Cartesian3(p[0], p[1], p[2]), new Cartesian3()),
    );
    return c
      ? { lon: CesiumMath.toDegrees(c.longitude), lat: CesiumMath.toDegrees(c.latitude), height: c.height }
      : null;
  }

  /** Puts the camera straight above a point of a model (IFC world frame), `rangeM` away, north up. No flight. */
  lookDownAt(modelId: string, p: readonly [number, number, number], rangeM: number): boolean {
    const m = this.loaded.get(modelId);
    if (!m) return false;
    const world = Matrix4.multiplyByPoint(
      m.tileset.root.computedTransform,
      new Cartesian3(p[0], p[1], p[2]),
      new Cartesian3(),
    );
    const camera = this.map.viewer.camera;
    camera.lookAt(world, new HeadingPitchRange(0, -CesiumMath.PI_OVER_TWO + 1e-4, rangeM));
    camera.lookAtTransform(Matrix4.IDENTITY);
    this.evaluate();
    this.map.requestRender();
    return true;
  }

  /** Flies to a model's bounding sphere. */
  flyToModel(modelId: string, durationS = 1.5): boolean {
    const m = this.loaded.get(modelId);
    if (!m) return false;
    this.map.flyToSphere(
      m.tileset.boundingSphere,
      { headingDeg: 30, pitchDeg: -30, rangeM: m.tileset.boundingSphere.radius * 3 },
      durationS,
    );
    return true;
  }

  /** Re-checks which projects are in view; coalesced to one pass per task. */
  evaluate(): void {
    if (this.evalQueued) return;
    this.evalQueued = true;
    queueMicrotask(() => {
      this.evalQueued = false;
      this.evaluateNow();
    });
  }

  private inRange(lon: number, lat: number): boolean {
    return (
      Cartesian3.distance(this.map.viewer.camera.positionWC, Cartesian3.fromDegrees(lon, lat, 0)) <= BIM_VIEW_RANGE_M
    );
  }

  private inView(lon: number, lat: number, radiusM: number): boolean {
    const camera = this.map.viewer.camera;
    const centre = Cartesian3.fromDegrees(lon, lat, 0);
    if (!this.inRange(lon, lat)) return false;
    const canvas = this.map.viewer.scene.canvas;
    if (!canvas.clientWidth) return true;
    const cull = camera.frustum.computeCullingVolume(camera.positionWC, camera.directionWC, camera.upWC);
    return cull.computeVisibility(new BoundingSphere(centre, radiusM)) !== Intersect.OUTSIDE;
  }

  private evaluateNow(): void {
    // Load what comes into view; unload only what is far away or gone. Turning the camera away and back must not
    // reload a site (Cesium culls off-screen tilesets at no cost, and their tile caches are bounded).
    const wanted = new Set<string>();
    const near = new Set<string>();
    for (const p of this.store.list()) {
      if (this.inRange(p.location.lon, p.location.lat)) near.add(p.id);
      if (this.inView(p.location.lon, p.location.lat, 300 + p.heightM)) wanted.add(p.id);
    }
    for (const [id, m] of this.loaded) if (!near.has(m.model.projectId)) this.unload(id);
    for (const [pid, ctl] of this.loadingProjects) if (!near.has(pid)) (ctl.abort(), this.loadingProjects.delete(pid));
    const have = new Set([...this.loaded.values()].map((m) => m.model.projectId));
    for (const pid of wanted) if (!have.has(pid) && !this.loadingProjects.has(pid)) void this.loadProject(pid);
    this.emitLoadState();
  }

  /** Loads (or reloads, after a `model.updated`) the ready models of a project. */
  async loadProject(projectId: string): Promise<void> {
    const ctl = new AbortController();
    this.loadingProjects.get(projectId)?.abort();
    this.loadingProjects.set(projectId, ctl);
    try {
      const models = (await fetchProjectModels(projectId, ctl.signal)).filter(
        (m) => m.status === 'ready' && m.tilesetUrl,
      );
      for (const m of models) {
        if (ctl.signal.aborted) return;
        const old = this.loaded.get(m.id);
        // Only new tiles or a new placement need a reload: a Fragments file built later changes nothing on the map.
        if (old && sameTiles(old.model, m)) {
          old.model = m;
          continue;
        }
        if (old) this.unload(m.id);
        await this.addModel(m, ctl.signal);
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError')
        this.map.onSourceError.trigger({ source: 'BIM models', message: errorText(err) });
    } finally {
      if (this.loadingProjects.get(projectId) === ctl) this.loadingProjects.delete(projectId);
      this.emitLoadState();
    }
  }

  private async addModel(model: BimModel, signal: AbortSignal): Promise<void> {
    const tileset = await Cesium3DTileset.fromUrl(model.tilesetUrl!, { ...TILESET_OPTIONS });
    if (signal.aborted || this.map.viewer.isDestroyed()) {
      tileset.destroy();
      return;
    }
    tileset.show = this._enabled;
    const colouring = new TilesetColouring(tileset, () => this.map.requestRender());
    const entry: LoadedModel = { model, tileset, colouring, settled: false, detach: () => {} };
    tileset.loadProgress.addEventListener((pending: number, processing: number) => {
      this.pendingByModel.set(model.id, pending + processing);
      if (pending + processing > 0) entry.settled = false;
      this.emitLoadState();
    });
    tileset.allTilesLoaded.addEventListener(() => {
      entry.settled = true;
      this.pendingByModel.set(model.id, 0);
      this.emitLoadState();
    });
    await this.placeOnTerrain(tileset, model);
    // A live update may have restarted the project's load meanwhile: that load adds the model, not this one.
    if (signal.aborted || this.map.viewer.isDestroyed()) {
      colouring.dispose();
      tileset.destroy();
      return;
    }
    this.map.viewer.scene.primitives.add(tileset);
    this.loaded.set(model.id, entry);
    entry.detach = this.colouring.addTarget(colouring);
    this.map.requestRender();
  }

  /**
   * The root transform stands the model at its georeferenced ellipsoid height. With real terrain, the ground at the
   * site is what the building must sit on: lift (or lower) the whole tileset along the local up by the difference.
   */
  private async placeOnTerrain(tileset: Cesium3DTileset, model: BimModel): Promise<void> {
    const provider = this.map.viewer.terrainProvider;
    const g = model.georeference;
    if (!g || provider instanceof EllipsoidTerrainProvider) return;
    try {
      const [c] = await sampleTerrainMostDetailed(provider, [Cartographic.fromDegrees(g.lon, g.lat)]);
      const ground = c?.height;
      if (ground === undefined || !Number.isFinite(ground)) return;
      const delta = ground - g.height;
      const origin = Cartesian3.fromDegrees(g.lon, g.lat, g.height);
      const up = Transforms.eastNorthUpToFixedFrame(origin);
      const offset = Cartesian3.multiplyByScalar(new Cartesian3(up[8], up[9], up[10]), delta, new Cartesian3());
      tileset.modelMatrix = Matrix4.fromTranslation(offset);
    } catch (err) {
      this.map.onSourceError.trigger({ source: 'terrain height', message: errorText(err) });
    }
  }

  private unload(modelId: string): void {
    const m = this.loaded.get(modelId);
    if (!m) return;
    this.loaded.delete(modelId);
    this.pendingByModel.delete(modelId);
    m.detach();
    m.colouring.dispose();
    if (!this.map.viewer.isDestroyed()) this.map.viewer.scene.primitives.remove(m.tileset);
    this.map.requestRender();
  }

  /**
   * A live `model.updated`: a ready model of a project in view (or one already on the map) is (re)loaded through the
   * same path as the view's, so it appears or moves without a camera move; one no longer ready is dropped.
   */
  modelChanged(model: BimModel): void {
    if (model.status !== 'ready' || !model.tilesetUrl) {
      this.unload(model.id);
      return;
    }
    const p = this.store.get(model.projectId);
    const shown = [...this.loaded.values()].some((m) => m.model.projectId === model.projectId);
    if (shown || (p && this.inView(p.location.lon, p.location.lat, 300 + p.heightM)))
      void this.loadProject(model.projectId);
  }

  /** Drops a deleted model at once (live `model.deleted`). */
  remove(modelId: string, projectId?: string): void {
    this.unload(modelId);
    // A load of its project under way may have listed it before the delete: start that load again without it.
    if (projectId && this.loadingProjects.has(projectId)) void this.loadProject(projectId);
  }

  private emitLoadState(): void {
    let pending = 0;
    for (const n of this.pendingByModel.values()) pending += n;
    this.onLoadState.trigger({ pending: pending + this.loadingProjects.size, models: this.loaded.size });
  }

  dispose(): void {
    for (const off of this.offs) off();
    for (const ctl of this.loadingProjects.values()) ctl.abort();
    for (const id of [...this.loaded.keys()]) this.unload(id);
    this.onElementPicked.reset();
    this.onLoadState.reset();
  }
}
