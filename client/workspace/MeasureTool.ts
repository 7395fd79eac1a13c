import * as THREE from 'three';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { formatArea, formatLength, lengthM, polygonAreaM2, type P3 } from './measureMath.js';
import type { Viewer3D } from './Viewer3D.js';

export type MeasureMode = 'off' | 'length' | 'area';

export interface Measurement {
  kind: 'length' | 'area';
  value: number;
  text: string;
}

const LINE = new THREE.LineBasicMaterial({ color: 0xffd24a, depthTest: false });
const DOT = new THREE.MeshBasicMaterial({ color: 0xffd24a, depthTest: false });
const DOT_GEOM = new THREE.SphereGeometry(1, 12, 8);

/**
 * Length (two clicks) and area (clicks on a face, Enter or double-click closes) measurement with three lines and
 * HTML labels. Points come from Fragments' raycast, so they lie on the model's surfaces.
 */
export class MeasureTool implements Tool {
  enabled = true;
  readonly onMeasured = new Event<Measurement>();
  readonly results: Measurement[] = [];
  private _mode: MeasureMode = 'off';
  private points: THREE.Vector3[] = [];
  private readonly group = new THREE.Group();
  private readonly labels: HTMLElement;
  private readonly anchors: { el: HTMLElement; at: THREE.Vector3 }[] = [];

  constructor(
    private readonly viewer: Viewer3D,
    overlay: HTMLElement,
  ) {
    this.group.renderOrder = 10;
    viewer.world.scene.three.add(this.group);
    this.labels = h('div', { class: 'measure-labels' });
    overlay.append(this.labels);
    viewer.onFrame.add(() => this.placeLabels());
  }

  get mode(): MeasureMode {
    return this._mode;
  }
  set mode(m: MeasureMode) {
    this._mode = m;
    this.points = [];
    this.viewer.container.classList.toggle('measuring', m !== 'off');
  }

  /** A click while measuring: adds a point where the ray meets the model. Returns true when it consumed the click. */
  async click(clientX: number, clientY: number): Promise<boolean> {
    if (this._mode === 'off') return false;
    const hit = await this.viewer.pick(clientX, clientY);
    if (!hit) return true;
    this.points.push(hit.point);
    this.dot(hit.point);
    if (this._mode === 'length' && this.points.length === 2) this.finishLength();
    else if (this.points.length > 1) this.segment(this.points.at(-2)!, this.points.at(-1)!);
    this.viewer.requestRender();
    return true;
  }

  /** Closes the area polygon (Enter / double-click). */
  closeArea(): void {
    if (this._mode !== 'area' || this.points.length < 3) return;
    const pts = this.points;
    this.segment(pts.at(-1)!, pts[0]!);
    const area = polygonAreaM2(pts.map((p) => [p.x, p.y, p.z] as P3));
    const centre = pts.reduce((c, p) => c.add(p), new THREE.Vector3()).divideScalar(pts.length);
    this.record({ kind: 'area', value: area, text: formatArea(area) }, centre);
    this.points = [];
  }

  private finishLength(): void {
    const [a, b] = this.points as [THREE.Vector3, THREE.Vector3];
    this.segment(a, b);
    const d = lengthM([a.x, a.y, a.z], [b.x, b.y, b.z]);
    this.record({ kind: 'length', value: d, text: formatLength(d) }, a.clone().add(b).multiplyScalar(0.5));
    this.points = [];
  }

  private record(m: Measurement, at: THREE.Vector3): void {
    this.results.push(m);
    const el = h('div', { class: `measure-label ${m.kind}`, 'data-testid': `measure-${m.kind}`, text: m.text });
    this.labels.append(el);
    this.anchors.push({ el, at });
    this.placeLabels();
    this.viewer.requestRender();
    this.onMeasured.trigger(m);
  }

  private segment(a: THREE.Vector3, b: THREE.Vector3): void {
    const line = new THREE.Line(new THREE.BufferGeometry().setFromPoints([a, b]), LINE);
    line.renderOrder = 10;
    this.group.add(line);
  }

  private dot(p: THREE.Vector3): void {
    const m = new THREE.Mesh(DOT_GEOM, DOT);
    const dist = this.viewer.world.camera.three.position.distanceTo(p);
    m.scale.setScalar(Math.max(0.02, dist * 0.006));
    m.position.copy(p);
    m.renderOrder = 10;
    this.group.add(m);
  }

  private placeLabels(): void {
    const cam = this.viewer.world.camera.three;
    const canvas = this.viewer.world.renderer!.three.domElement;
    const v = new THREE.Vector3();
    for (const { el, at } of this.anchors) {
      v.copy(at).project(cam);
      el.hidden = v.z > 1;
      el.style.transform = `translate(${((v.x + 1) / 2) * canvas.clientWidth}px, ${((1 - v.y) / 2) * canvas.clientHeight}px) translate(-50%, -120%)`;
    }
  }

  /** Removes every measurement. */
  clear(): void {
    for (const c of [...this.group.children]) {
      this.group.remove(c);
      if (c instanceof THREE.Line) c.geometry.dispose();
    }
    this.anchors.length = 0;
    this.results.length = 0;
    this.labels.replaceChildren();
    this.points = [];
    this.viewer.requestRender();
  }

  dispose(): void {
    this.clear();
    this.group.removeFromParent();
    this.labels.remove();
    this.onMeasured.reset();
  }
}
