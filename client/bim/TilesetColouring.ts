import {
  type Cesium3DTileset,
  CustomShader,
  CustomShaderMode,
  TextureMagnificationFilter,
  TextureMinificationFilter,
  TextureUniform,
  UniformType,
  Cartesian2,
  type Cesium3DTile,
  type Cesium3DTileContent,
} from 'cesium';
import fragmentShaderText from '../../shaders/elementColour.cesium.glsl?raw';
import { buildFeatureLookup } from './colourLookup.js';
import type { ColourTarget, ColouringState } from './ElementColouring.js';

interface TileEntry {
  content: Cesium3DTileContent;
  /** GlobalId of each feature id of this tile, read once from its property table. */
  globalIds: (string | null)[];
  shader: CustomShader | undefined;
}

type UpdatableContent = Cesium3DTileContent & { update(tileset: Cesium3DTileset, frameState: unknown): void };

/**
 * Colours and highlights the elements of one tileset with a Cesium CustomShader (shaders/elementColour.cesium.glsl).
 * Feature ids of EXT_mesh_features are per tile (each GLB has its own property table), so each tile gets its own
 * small lookup texture (feature id -> RGBA) and its own CustomShader instance of the same GLSL (one program, compiled
 * once). Tiles that nothing colours get no shader at all, so the common case draws exactly as loaded.
 *
 * Cesium copies `tileset.customShader` into every tile's model on each update; there is no per-tile shader in its API.
 * We wrap each tile content's `update` to swap in that tile's shader for the duration of the call.
 */
export class TilesetColouring implements ColourTarget {
  private readonly tiles = new Map<Cesium3DTile, TileEntry>();
  private state: ColouringState | null = null;
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly tileset: Cesium3DTileset,
    private readonly requestRender: () => void,
  ) {
    this.offs.push(
      tileset.tileLoad.addEventListener((tile: Cesium3DTile) => this.addTile(tile)),
      tileset.tileUnload.addEventListener((tile: Cesium3DTile) => {
        this.tiles.get(tile)?.shader?.destroy();
        this.tiles.delete(tile);
      }),
    );
  }

  /** GlobalId of a feature id in a tile content, from the tile's property table. */
  static globalIdOf(content: Cesium3DTileContent, featureId: number): string | null {
    const f = content.getFeature(featureId);
    const v = f?.getProperty('globalId');
    return typeof v === 'string' && v ? v : null;
  }

  applyColouring(state: ColouringState): void {
    this.state = state;
    for (const e of this.tiles.values()) this.refresh(e);
    this.requestRender();
  }

  /** Tiles currently coloured (for the e2e probe). */
  colouredTiles(): number {
    let n = 0;
    for (const e of this.tiles.values()) if (e.shader) n++;
    return n;
  }

  private addTile(tile: Cesium3DTile): void {
    const content = tile.content as UpdatableContent;
    const n = content.featuresLength;
    const globalIds: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) globalIds[i] = TilesetColouring.globalIdOf(content, i);
    const entry: TileEntry = { content, globalIds, shader: undefined };
    this.tiles.set(tile, entry);
    const original = content.update.bind(content);
    content.update = (ts: Cesium3DTileset, frameState: unknown) => {
      const shared = ts.customShader;
      ts.customShader = entry.shader ?? shared;
      try {
        original(ts, frameState);
      } finally {
        ts.customShader = shared;
      }
    };
    this.refresh(entry);
  }

  private refresh(e: TileEntry): void {
    const s = this.state;
    if (!s) return;
    const lookup = buildFeatureLookup(e.globalIds, s.colours, s.highlighted, s.highlightColour);
    // A tile that never had colours stays shader-free. One that had keeps its shader with an all-zero table:
    // dropping it would leave its GPU texture to a model that may still draw with it this frame.
    if (lookup.coloured === 0 && !e.shader) return;
    const texture = new TextureUniform({
      typedArray: lookup.data,
      width: lookup.width,
      height: lookup.height,
      repeat: false,
      minificationFilter: TextureMinificationFilter.NEAREST,
      magnificationFilter: TextureMagnificationFilter.NEAREST,
    });
    if (e.shader) {
      e.shader.setUniform('u_elementColours', texture);
      e.shader.setUniform('u_lookupSize', new Cartesian2(lookup.width, lookup.height));
      return;
    }
    e.shader = new CustomShader({
      mode: CustomShaderMode.MODIFY_MATERIAL,
      uniforms: {
        u_elementColours: { type: UniformType.SAMPLER_2D, value: texture },
        u_lookupSize: { type: UniformType.VEC2, value: new Cartesian2(lookup.width, lookup.height) },
      },
      fragmentShaderText,
    });
  }

  dispose(): void {
    for (const off of this.offs) off();
    for (const e of this.tiles.values()) e.shader?.destroy();
    this.tiles.clear();
  }
}
