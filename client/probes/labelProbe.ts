import {
  Cartesian2,
  Cartesian3,
  JulianDate,
  Label,
  LabelCollection,
  Matrix4,
  PolylineCollection,
  PrimitiveCollection,
  SceneTransforms,
  type DataSource,
  type Viewer,
} from 'cesium';

/** A label drawn on the map: its text and its box on the page (CSS px, top-left origin). */
export interface DrawnLabel {
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A device's line drawn on the map: its part id, its ends on the page (CSS px) and its width (px). */
export interface DrawnLine {
  id: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  width: number;
}

declare global {
  interface Window {
    /** Every label the map draws now, read from Cesium's own label collections (tests check that none overlap). */
    __siteTwinLabels?: () => DrawnLabel[];
    /**
     * Every straight line a site's devices draw now (a crane's mast, jib, counter-jib, ties, hook line), read from
     * Cesium's own polyline collections: its ends on the page (CSS px) and its drawn width. Tests check no label is
     * crossed by one.
     */
    __siteTwinDeviceLines?: () => DrawnLine[];
    /** Every alarm pulse ring the map draws now, at its largest (tests check that no label is under one). */
    __siteTwinPulses?: () => DrawnLabel[];
    /**
     * How steeply the map's top edge looks down at the ground, in degrees below the horizontal (the shallowest of a
     * few rays along the edge); negative when the edge sees the sky or the horizon.
     */
    __siteTwinTopEdgeDeg?: () => number;
  }
}

/** Cesium's private box of a drawn label (Label.getScreenSpaceBoundingBox, used by its own clustering). */
type LabelBox = (l: Label, at: { x: number; y: number }) => { x: number; y: number; width: number; height: number };

interface ClusterInternals {
  _labelCollection?: LabelCollection;
  _clusterLabelCollection?: LabelCollection;
}

function collectionsOf(viewer: Viewer): LabelCollection[] {
  const out: LabelCollection[] = [];
  const walk = (c: PrimitiveCollection) => {
    for (let i = 0; i < c.length; i++) {
      const p: unknown = c.get(i);
      if (p instanceof LabelCollection) out.push(p);
      else if (p instanceof PrimitiveCollection) walk(p);
    }
  };
  walk(viewer.scene.primitives);
  const sources: DataSource[] = [viewer.dataSourceDisplay.defaultDataSource];
  for (let i = 0; i < viewer.dataSources.length; i++) sources.push(viewer.dataSources.get(i));
  for (const ds of sources) {
    const cl = ds.clustering as unknown as ClusterInternals;
    if (cl._labelCollection) out.push(cl._labelCollection);
    if (cl._clusterLabelCollection) out.push(cl._clusterLabelCollection);
  }
  return out;
}

/**
 * Publishes `window.__siteTwinLabels`: the boxes of the labels on screen, whoever drew them (the label placer's
 * layers, device overlays, the base map), so a test can check that no two overlap independently of the placer.
 */
export function labelProbe(viewer: Viewer): void {
  const box = (Label as unknown as { getScreenSpaceBoundingBox: LabelBox }).getScreenSpaceBoundingBox;
  window.__siteTwinLabels = () => {
    const scene = viewer.scene;
    const cam = scene.camera.positionWC;
    const r = scene.canvas.getBoundingClientRect();
    const out: DrawnLabel[] = [];
    for (const coll of collectionsOf(viewer)) {
      if (!coll.show) continue;
      for (let i = 0; i < coll.length; i++) {
        const l = coll.get(i);
        const clusterShow = (l as unknown as { _clusterShow?: boolean })._clusterShow;
        if (!l.show || clusterShow === false || !l.text?.trim()) continue;
        const ddc = l.distanceDisplayCondition;
        if (ddc) {
          const d = Cartesian3.distance(cam, l.position);
          if (d < ddc.near || d > ddc.far) continue;
        }
        const at = l.computeScreenSpacePosition(scene);
        if (!at || at.x < 0 || at.y < 0 || at.x > r.width || at.y > r.height) continue;
        const b = box(l, at);
        if (!(b.width > 0 && b.height > 0)) continue;
        out.push({ text: l.text, x: r.left + b.x, y: r.top + b.y, w: b.width, h: b.height });
      }
    }
    return out;
  };
}

/** Publishes `window.__siteTwinDeviceLines` (see there): polylines whose id is a device part (`dev:<id>:<part>`). */
export function deviceLineProbe(viewer: Viewer): void {
  window.__siteTwinDeviceLines = () => {
    const scene = viewer.scene;
    const r = scene.canvas.getBoundingClientRect();
    const out: DrawnLine[] = [];
    const walk = (c: PrimitiveCollection) => {
      if (!c.show) return;
      for (let i = 0; i < c.length; i++) {
        const p: unknown = c.get(i);
        if (p instanceof PrimitiveCollection) walk(p);
        if (!(p instanceof PolylineCollection) || !p.show) continue;
        for (let j = 0; j < p.length; j++) {
          const l = p.get(j);
          const id: unknown = l.id;
          const ends = l.positions as Cartesian3[];
          if (!l.show || typeof id !== 'string' || !id.startsWith('dev:') || ends.length < 2) continue;
          const page = ends.map((e) => {
            const w = SceneTransforms.worldToWindowCoordinates(
              scene,
              Matrix4.multiplyByPoint(p.modelMatrix, e, new Cartesian3()),
            );
            return w ? { x: r.left + w.x, y: r.top + w.y } : null;
          });
          for (let k = 1; k < page.length; k++) {
            const a = page[k - 1];
            const b = page[k];
            if (a && b) out.push({ id, x1: a.x, y1: a.y, x2: b.x, y2: b.y, width: l.width });
          }
        }
      }
    };
    walk(scene.primitives);
    return out;
  };
}

/**
 * Publishes `window.__siteTwinPulses`: the screen boxes of the animated alarm rings drawn now (entities that carry a
 * `pulseMaxPx` property: their ring at its widest), where the camera's distance lets them show.
 */
export function pulseProbe(viewer: Viewer): void {
  window.__siteTwinPulses = () => {
    const scene = viewer.scene;
    const cam = scene.camera.positionWC;
    const now = JulianDate.now();
    const r = scene.canvas.getBoundingClientRect();
    const out: DrawnLabel[] = [];
    const sources: DataSource[] = [viewer.dataSourceDisplay.defaultDataSource];
    for (let i = 0; i < viewer.dataSources.length; i++) sources.push(viewer.dataSources.get(i));
    for (const ds of sources) {
      if (!ds.show) continue;
      for (const e of ds.entities.values) {
        const max = e.properties?.pulseMaxPx?.getValue(now) as number | undefined;
        const pos = e.position?.getValue(now);
        if (max === undefined || !pos || !e.isShowing || !e.point || e.point.show?.getValue(now) === false) continue;
        const ddc = e.point.distanceDisplayCondition?.getValue(now);
        if (ddc) {
          const d = Cartesian3.distance(cam, pos);
          if (d < ddc.near || d > ddc.far) continue;
        }
        const at = SceneTransforms.worldToWindowCoordinates(scene, pos);
        if (!at || at.x < 0 || at.y < 0 || at.x > r.width || at.y > r.height) continue;
        out.push({ text: e.id, x: r.left + at.x - max / 2, y: r.top + at.y - max / 2, w: max, h: max });
      }
    }
    return out;
  };
}

/**
 * Publishes `window.__siteTwinTopEdgeDeg`. A view whose top edge grazes the ground shows, under the top bar, a strip of
 * far-away map squashed into unreadable slivers of names and lines (seen on the project view at 1080p).
 */
export function topEdgeProbe(viewer: Viewer): void {
  window.__siteTwinTopEdgeDeg = () => {
    const scene = viewer.scene;
    const canvas = scene.canvas;
    const camera = scene.camera;
    const up = scene.globe.ellipsoid.geodeticSurfaceNormal(camera.positionWC, new Cartesian3());
    let least = 90;
    for (const f of [0.05, 0.5, 0.95]) {
      const ray = camera.getPickRay(new Cartesian2(canvas.clientWidth * f, 0.5));
      if (!ray) return -90;
      const down = (Math.asin(-Cartesian3.dot(ray.direction, up)) * 180) / Math.PI;
      least = Math.min(least, down);
    }
    return least;
  };
}
