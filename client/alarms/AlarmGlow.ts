import {
  type Cartesian3,
  Color,
  EllipseGeometry,
  GeometryInstance,
  Material,
  MaterialAppearance,
  Primitive,
  type PrimitiveCollection,
} from 'cesium';
import glowGlsl from '../../shaders/alarmGlow.glsl?raw';
import type { AlarmLevel } from '../../models/Alarm.js';

const LEVEL_COLOR: Record<AlarmLevel, Color> = {
  prewarning: Color.fromCssColorString('#f2a33a').withAlpha(0.9),
  alarm: Color.fromCssColorString('#ff4b3e').withAlpha(0.95),
};

/**
 * The alarm glow: a pulsing disc with an expanding ring (shaders/alarmGlow.glsl) under each device with an active
 * alarm, so the device flashes on the map. The pulse runs on a `time` uniform advanced by `frame`.
 */
export class AlarmGlow {
  private readonly glows = new Map<string, { primitive: Primitive; material: Material; level: AlarmLevel }>();
  private readonly t0 = performance.now();

  constructor(private readonly primitives: PrimitiveCollection) {}

  /** Shows (or recolours) the glow of a device at `position`; `null` level removes it. */
  set(deviceId: string, position: Cartesian3 | undefined, level: AlarmLevel | null, radiusM = 16): void {
    const g = this.glows.get(deviceId);
    if (!level || !position) {
      if (g) this.primitives.remove(g.primitive);
      this.glows.delete(deviceId);
      return;
    }
    if (g) {
      if (g.level !== level) (g.material.uniforms as { color: Color }).color = Color.clone(LEVEL_COLOR[level]);
      g.level = level;
      return;
    }
    // Untyped fabric: see DustHeatmap (a typed one is cached and merged over the next of its type).
    const material = new Material({
      fabric: { uniforms: { color: Color.clone(LEVEL_COLOR[level]), time: 0 }, source: glowGlsl },
      translucent: true,
    });
    const primitive = this.primitives.add(
      new Primitive({
        geometryInstances: new GeometryInstance({
          geometry: new EllipseGeometry({
            center: position,
            semiMajorAxis: radiusM,
            semiMinorAxis: radiusM,
            height: 0.8,
            vertexFormat: MaterialAppearance.MaterialSupport.TEXTURED.vertexFormat,
          }),
        }),
        appearance: new MaterialAppearance({ material, translucent: true, flat: true }),
        asynchronous: false,
      }),
    ) as Primitive;
    this.glows.set(deviceId, { primitive, material, level });
  }

  /** Devices glowing now. */
  get count(): number {
    return this.glows.size;
  }

  /** The level each glowing device shows. */
  levels(): Record<string, AlarmLevel> {
    return Object.fromEntries([...this.glows].map(([id, g]) => [id, g.level]));
  }

  /** Advances the pulse; returns true while a glow shows (the map keeps rendering then). */
  frame(): boolean {
    const time = (performance.now() - this.t0) / 1000;
    for (const g of this.glows.values()) (g.material.uniforms as { time: number }).time = time;
    return this.glows.size > 0;
  }

  clear(): void {
    for (const g of this.glows.values()) this.primitives.remove(g.primitive);
    this.glows.clear();
  }
}
