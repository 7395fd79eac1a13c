import { Cartesian3, Label, LabelCollection, PrimitiveCollection, type DataSource, type Viewer } from 'cesium';

/** A label drawn on the map: its text and its box on the page (CSS px, top-left origin). */
export interface DrawnLabel {
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

declare global {
  interface Window {
    /** Every label the map draws now, read from Cesium's own label collections (tests check that none overlap). */
    __siteTwinLabels?: () => DrawnLabel[];
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
