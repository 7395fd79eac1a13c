import {
  GeometryInstance,
  Material,
  MaterialAppearance,
  Primitive,
  Rectangle,
  RectangleGeometry,
  Math as CesiumMath,
  type PrimitiveCollection,
} from 'cesium';
import dustGlsl from '../../shaders/dustHeatmap.glsl?raw';

/** Most monitors the shader weighs (two mat4 uniforms of four columns). */
export const DUST_MAX_MONITORS = 8;
/** Metres the field extends past the outermost monitor. */
const MARGIN_M = 90;

/**
 * The dust heat map over a site: a rectangle around the dust monitors with a GLSL material (shaders/dustHeatmap.glsl)
 * that weighs their PM10 by inverse distance, coloured against the site's PM10 limit. Values change through uniforms
 * only: no geometry is rebuilt when a reading arrives.
 */
export class DustHeatmap {
  private primitive: Primitive | null = null;
  private material: Material | null = null;
  private rect: Rectangle | null = null;
  /** Column-major staging of the two uniforms (column i = monitor i). */
  private readonly a = new Float64Array(16);
  private readonly b = new Float64Array(16);

  private _visible = true;

  constructor(private readonly primitives: PrimitiveCollection) {}

  /** The layer panel's heat-map switch (kept across a re-layout). */
  get visible(): boolean {
    return this._visible;
  }
  set visible(v: boolean) {
    this._visible = v;
    if (this.primitive) this.primitive.show = v;
  }

  /** Rebuilds the rectangle for these monitor positions (when monitors are added or removed). */
  layout(points: { lon: number; lat: number; height: number }[]): void {
    this.clear();
    if (!points.length) return;
    const lat0 = points[0]!.lat;
    const dLat = MARGIN_M / 111_320;
    const dLon = MARGIN_M / (111_320 * Math.cos(CesiumMath.toRadians(lat0)));
    const west = Math.min(...points.map((p) => p.lon)) - dLon;
    const east = Math.max(...points.map((p) => p.lon)) + dLon;
    const south = Math.min(...points.map((p) => p.lat)) - dLat;
    const north = Math.max(...points.map((p) => p.lat)) + dLat;
    this.rect = Rectangle.fromDegrees(west, south, east, north);
    const aspect = ((east - west) * Math.cos(CesiumMath.toRadians(lat0))) / (north - south);
    this.material = new Material({
      // No fabric `type`: Cesium caches a typed fabric and merges the next one of that type over it, turning the mat4
      // arrays into plain objects it then refuses. Untyped, each material stands alone.
      fabric: {
        uniforms: {
          samplesA: new Array<number>(16).fill(0),
          samplesB: new Array<number>(16).fill(0),
          count: 0,
          limit: 80,
          aspect,
        },
        source: dustGlsl,
      },
      translucent: true,
    });
    this.primitive = this.primitives.add(
      new Primitive({
        geometryInstances: new GeometryInstance({
          geometry: new RectangleGeometry({
            rectangle: this.rect,
            height: Math.min(...points.map((p) => p.height)) + 0.6,
            vertexFormat: MaterialAppearance.MaterialSupport.TEXTURED.vertexFormat,
          }),
        }),
        appearance: new MaterialAppearance({ material: this.material, translucent: true, flat: true }),
        asynchronous: false,
        show: this._visible,
      }),
    ) as Primitive;
  }

  /** Sets the monitors' values (PM10, µg/m³) and the limit they are coloured against. */
  values(samples: { lon: number; lat: number; value: number }[], limit: number): void {
    if (!this.material || !this.rect) return;
    const r = this.rect;
    const n = Math.min(samples.length, DUST_MAX_MONITORS);
    for (let i = 0; i < n; i++) {
      const s = samples[i]!;
      const m = i < 4 ? this.a : this.b;
      const col = (i % 4) * 4; // Matrix4 is column-major: column i is monitor i
      m[col] = (CesiumMath.toRadians(s.lon) - r.west) / r.width;
      m[col + 1] = (CesiumMath.toRadians(s.lat) - r.south) / r.height;
      m[col + 2] = s.value;
      m[col + 3] = 0;
    }
    // A mat4 material uniform is a column-major array of 16 (Cesium types uniforms by shape: a Matrix4 object is refused).
    const u = this.material.uniforms as { samplesA: number[]; samplesB: number[]; count: number; limit: number };
    for (let i = 0; i < 16; i++) {
      u.samplesA[i] = this.a[i]!;
      u.samplesB[i] = this.b[i]!;
    }
    u.count = n;
    u.limit = limit;
  }

  get shown(): boolean {
    return this.primitive !== null;
  }

  clear(): void {
    if (this.primitive) this.primitives.remove(this.primitive);
    this.primitive = null;
    this.material = null;
    this.rect = null;
  }
}
