import { Credit, Event as CesiumEvent, GeographicTilingScheme, type Rectangle, type ImageryProvider } from 'cesium';

/** Polygon rings and lines in WGS84 degrees, with the box of each for culling. */
export interface VectorShape {
  rings: number[][][];
  bbox: [number, number, number, number];
}

/** How one group of shapes is painted. */
export interface VectorStyle {
  fill?: string;
  stroke?: string;
  /** Stroke width in tile pixels (tiles are shown at about one texel per screen pixel). */
  widthPx?: number;
  /** Dash pattern in tile pixels. */
  dash?: number[];
  /** Draw only from this tile level on (e.g. district borders stay off the far views). */
  minLevel?: number;
}

export interface VectorGroup {
  shapes: VectorShape[];
  style: VectorStyle;
  /** Polygons are filled and outlined, lines only stroked. */
  kind: 'polygon' | 'line';
}

const TILE = 256;

/**
 * An imagery provider that paints vector data into each tile on request, in the browser (Canvas 2D): the base map is
 * drawn at the resolution of the tile asked for, so it stays sharp from the city to a single site, costs no tile
 * server and no network, lies on the globe under footprints and models without z-fighting, and follows terrain when
 * terrain is configured. The data arrive once (`groups` resolves); tiles asked for earlier wait for it.
 */
export class VectorTileImageryProvider {
  readonly tilingScheme = new GeographicTilingScheme();
  readonly tileWidth = TILE;
  readonly tileHeight = TILE;
  readonly minimumLevel = 0;
  readonly maximumLevel = 21;
  readonly tileDiscardPolicy = undefined;
  readonly errorEvent = new CesiumEvent();
  readonly hasAlphaChannel = true;
  readonly proxy = undefined;
  readonly credit: Credit;
  /** Tiles painted so far (for tests and the probe). */
  tilesPainted = 0;

  constructor(
    private readonly groups: Promise<VectorGroup[]>,
    readonly rectangle: Rectangle,
    attribution: string,
    private readonly background?: string,
    /**
     * Called after each painted tile: the scene must be asked for a frame (request-render mode). Cesium asks itself
     * when a request of its RequestScheduler completes; these tiles come from no request, and without this a frame
     * whose tile-load queue kept its length asked for none: loading stalled, tiles half loaded, until something else
     * moved.
     */
    private readonly onPainted?: () => void,
  ) {
    this.credit = new Credit(attribution, true);
  }

  getTileCredits(): Credit[] {
    return [];
  }

  async requestImage(x: number, y: number, level: number): Promise<HTMLCanvasElement> {
    const groups = await this.groups;
    const r = this.tilingScheme.tileXYToRectangle(x, y, level);
    const west = (r.west * 180) / Math.PI;
    const east = (r.east * 180) / Math.PI;
    const south = (r.south * 180) / Math.PI;
    const north = (r.north * 180) / Math.PI;
    const sx = TILE / (east - west);
    const sy = TILE / (north - south);
    const canvas = document.createElement('canvas');
    canvas.width = TILE;
    canvas.height = TILE;
    const ctx = canvas.getContext('2d')!;
    if (this.background) {
      ctx.fillStyle = this.background;
      ctx.fillRect(0, 0, TILE, TILE);
    }
    // A shape's stroke may reach into the tile from just outside it: cull with a margin of a few pixels.
    const mx = 4 / sx;
    const my = 4 / sy;
    for (const g of groups) {
      if ((g.style.minLevel ?? 0) > level) continue;
      ctx.beginPath();
      let any = false;
      for (const s of g.shapes) {
        const [w, so, e, n] = s.bbox;
        if (e < west - mx || w > east + mx || n < south - my || so > north + my) continue;
        any = true;
        for (const ring of s.rings) {
          for (let i = 0; i < ring.length; i++) {
            const px = (ring[i]![0]! - west) * sx;
            const py = (north - ring[i]![1]!) * sy;
            if (i === 0) ctx.moveTo(px, py);
            else ctx.lineTo(px, py);
          }
          if (g.kind === 'polygon') ctx.closePath();
        }
      }
      if (!any) continue;
      if (g.kind === 'polygon' && g.style.fill) {
        ctx.fillStyle = g.style.fill;
        ctx.fill('evenodd');
      }
      if (g.style.stroke) {
        ctx.strokeStyle = g.style.stroke;
        ctx.lineWidth = g.style.widthPx ?? 1;
        ctx.lineJoin = 'round';
        ctx.setLineDash(g.style.dash ?? []);
        ctx.stroke();
      }
    }
    this.tilesPainted++;
    this.onPainted?.();
    return canvas;
  }

  pickFeatures(): undefined {
    return undefined;
  }

  /** Typed as what ImageryLayer takes (Cesium's ImageryProvider is an interface in practice, a class in its types). */
  asImageryProvider(): ImageryProvider {
    return this as unknown as ImageryProvider;
  }
}

/** The shapes of GeoJSON Polygon / MultiPolygon / LineString / MultiLineString geometries, with their boxes. */
export function shapesOf(geometries: Array<{ type: string; coordinates: unknown }>): VectorShape[] {
  const out: VectorShape[] = [];
  const push = (rings: number[][][]) => {
    let w = Infinity;
    let s = Infinity;
    let e = -Infinity;
    let n = -Infinity;
    for (const r of rings)
      for (const p of r) {
        w = Math.min(w, p[0]!);
        e = Math.max(e, p[0]!);
        s = Math.min(s, p[1]!);
        n = Math.max(n, p[1]!);
      }
    out.push({ rings, bbox: [w, s, e, n] });
  };
  for (const g of geometries) {
    if (g.type === 'Polygon') push(g.coordinates as number[][][]);
    else if (g.type === 'MultiPolygon') for (const p of g.coordinates as number[][][][]) push(p);
    else if (g.type === 'LineString') push([g.coordinates as number[][]]);
    else if (g.type === 'MultiLineString') for (const l of g.coordinates as number[][][]) push([l]);
  }
  return out;
}
