import * as OBC from '@thatopen/components';
import type { FragmentsModel } from '@thatopen/fragments';
import * as THREE from 'three';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import type { Viewer3D } from './Viewer3D.js';

/** A section plane as saved in a viewpoint: a normal and a point on it, model frame. */
export interface SectionPlane {
  normal: [number, number, number];
  point: [number, number, number];
}

const FILL = new THREE.MeshBasicMaterial({
  color: 0xc8553d,
  side: THREE.DoubleSide,
  polygonOffset: true,
  polygonOffsetFactor: -1,
});
const EDGE = new THREE.LineBasicMaterial({ color: 0x1b1b1b });

/**
 * Section planes (That Open's `Clipper`, i.e. renderer clipping planes) with fills: for each plane, Fragments cuts the
 * model's geometry (`model.getSection`) into edge segments and triangulated fill polygons, drawn just behind the plane
 * so a cut wall reads as solid, not as a hollow shell.
 */
export class SectionTool implements Tool {
  enabled = true;
  readonly onChanged = new Event<SectionPlane[]>();
  readonly clipper: OBC.Clipper;
  private readonly fills = new Map<string, THREE.Group>();
  private readonly planes = new Map<string, SectionPlane>();

  constructor(
    private readonly viewer: Viewer3D,
    private readonly model: () => FragmentsModel | null,
  ) {
    this.clipper = viewer.components.get(OBC.Clipper);
    this.clipper.enabled = true;
    this.clipper.visible = false;
  }

  get list(): SectionPlane[] {
    return [...this.planes.values()];
  }

  /** A horizontal plan cut at a height (model frame is Y up), looking down: what is above is cut away. */
  async addHorizontal(heightY: number): Promise<string> {
    return this.add({ normal: [0, -1, 0], point: [0, heightY, 0] });
  }

  /** A vertical cut through the model's centre along X (a "section S" view). */
  async addVerticalThroughCentre(): Promise<string | null> {
    const m = this.model();
    if (!m) return null;
    const c = m.box.getCenter(new THREE.Vector3());
    return this.add({ normal: [0, 0, -1], point: [c.x, c.y, c.z] });
  }

  async add(p: SectionPlane): Promise<string> {
    const id = this.clipper.createFromNormalAndCoplanarPoint(
      this.viewer.world,
      new THREE.Vector3(...p.normal),
      new THREE.Vector3(...p.point),
    );
    // The plane's own helper (a large translucent quad) would hide the fills: the cut itself shows where it is.
    this.clipper.visible = false;
    this.planes.set(id, p);
    await this.buildFill(id, p);
    this.viewer.requestRender();
    await this.viewer.updateFragments();
    this.onChanged.trigger(this.list);
    return id;
  }

  private async buildFill(id: string, p: SectionPlane): Promise<void> {
    const m = this.model();
    if (!m) return;
    const plane = new THREE.Plane().setFromNormalAndCoplanarPoint(
      new THREE.Vector3(...p.normal),
      new THREE.Vector3(...p.point),
    );
    // Fragments cuts with the plane facing the kept side; the fill sits on the cut, nudged towards the viewer's side.
    const section = await m.getSection(plane.clone().negate());
    const geom = new THREE.BufferGeometry();
    const pos = new THREE.BufferAttribute(section.buffer, 3);
    geom.setAttribute('position', pos);
    const group = new THREE.Group();
    if (section.fillsIndices.length) {
      const fillGeom = geom.clone();
      fillGeom.setIndex(section.fillsIndices);
      group.add(new THREE.Mesh(fillGeom, FILL));
    }
    const edges = new THREE.LineSegments(geom, EDGE);
    geom.setDrawRange(0, section.index);
    group.add(edges);
    group.userData.fillTriangles = section.fillsIndices.length / 3;
    this.viewer.world.scene.three.add(group);
    this.fills.set(id, group);
  }

  /** Triangles of section fills currently drawn (for tests and the status line). */
  get fillTriangles(): number {
    let n = 0;
    for (const g of this.fills.values()) n += g.userData.fillTriangles as number;
    return n;
  }

  clear(): void {
    this.clipper.deleteAll();
    for (const g of this.fills.values()) {
      g.removeFromParent();
      g.traverse((o) => (o as THREE.Mesh).geometry?.dispose());
    }
    this.fills.clear();
    this.planes.clear();
    this.viewer.requestRender();
    void this.viewer.updateFragments();
    this.onChanged.trigger([]);
  }

  dispose(): void {
    this.clear();
    this.onChanged.reset();
  }
}
