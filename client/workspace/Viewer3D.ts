import * as OBC from '@thatopen/components';
import type { FragmentsModel } from '@thatopen/fragments';
import * as THREE from 'three';
import fragmentsWorkerUrl from '@thatopen/fragments/worker?url';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';

/** camera-controls' ACTION values (the enum lives in camera-controls, which components re-exports only as a type). */
const ACTION = { NONE: 0, ROTATE: 1, TRUCK: 2, DOLLY: 16 } as const;

export type WorkspaceWorld = OBC.SimpleWorld<OBC.SimpleScene, OBC.SimpleCamera, OBC.SimpleRenderer>;

/**
 * The workspace's 3D view, on That Open components: one world (scene, perspective camera with camera-controls,
 * renderer) and the FragmentsManager running the **local** Fragments worker (bundled from node_modules by Vite; the
 * library's default fetches it from a CDN, which this deployment cannot reach). Renders on demand (RendererMode.MANUAL):
 * a frame when the camera moves, a model streams in, or a tool asks, so an idle workspace costs no CPU.
 */
export class Viewer3D implements Tool {
  enabled = true;
  readonly components = new OBC.Components();
  readonly world: WorkspaceWorld;
  readonly fragments: OBC.FragmentsManager;
  /** Fired after each rendered frame. */
  readonly onFrame = new Event<void>();
  frames = 0;
  private lastCameraUpdate = 0;
  private settleTimer: ReturnType<typeof setInterval> | null = null;

  constructor(readonly container: HTMLElement) {
    const worlds = this.components.get(OBC.Worlds);
    const world = worlds.create<OBC.SimpleScene, OBC.SimpleCamera, OBC.SimpleRenderer>();
    world.scene = new OBC.SimpleScene(this.components);
    world.scene.setup();
    world.scene.three.background = new THREE.Color('#0d1422');
    world.renderer = new OBC.SimpleRenderer(this.components, container, {
      antialias: false,
      preserveDrawingBuffer: true,
    });
    world.renderer.mode = OBC.RendererMode.MANUAL;
    world.renderer.showLogo = false;
    world.camera = new OBC.SimpleCamera(this.components);
    this.world = world;
    this.components.init();
    this.configureControls();

    this.fragments = this.components.get(OBC.FragmentsManager);
    this.fragments.init(fragmentsWorkerUrl);
    world.camera.controls.addEventListener('update', () => {
      this.lastCameraUpdate = performance.now();
      this.requestRender();
    });
    // Fragments picks the detail to stream for the current view; ask it once the camera rests.
    world.camera.controls.addEventListener('rest', () => void this.updateFragments());
    world.renderer.onAfterUpdate.add(() => {
      this.frames++;
      this.onFrame.trigger();
    });
    this.fragments.list.onItemSet.add(({ value: model }) => {
      model.useCamera(world.camera.three);
      world.scene.three.add(model.object);
      void this.updateFragments();
    });
  }

  /**
   * BIM-viewer mouse conventions: left drag orbits, right or middle drag pans, shift + left pans, wheel zooms to the
   * cursor. camera-controls' defaults put dolly on the middle button; CAD users expect pan there.
   */
  private configureControls(): void {
    const c = this.world.camera.controls;
    c.mouseButtons.left = ACTION.ROTATE;
    c.mouseButtons.right = ACTION.TRUCK;
    c.mouseButtons.middle = ACTION.TRUCK;
    c.mouseButtons.wheel = ACTION.DOLLY;
    c.dollyToCursor = true;
    const onKey = (e: KeyboardEvent) => (c.mouseButtons.left = e.shiftKey ? ACTION.TRUCK : ACTION.ROTATE);
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKey);
  }

  /** The camera moved within the last quarter second (a transition or a drag is under way). */
  get cameraMoving(): boolean {
    return performance.now() - this.lastCameraUpdate < 250;
  }

  requestRender(): void {
    this.world.renderer!.needsUpdate = true;
  }

  /** Requests a frame and resolves once it is rendered. */
  renderNow(): Promise<void> {
    return new Promise((resolve) => {
      const off = this.onFrame.add(() => (off(), resolve()));
      this.requestRender();
    });
  }

  /** Lets Fragments update its meshes for the view, and keeps rendering while it streams them in. */
  async updateFragments(): Promise<void> {
    await this.fragments.core.update(true);
    this.requestRender();
    if (this.settleTimer) return;
    // Fragments finishes tiles asynchronously in its worker with no "done" event; render at a low rate while busy.
    this.settleTimer = setInterval(() => {
      const busy = [...this.fragments.list.values()].some((m) => m.isBusy);
      this.requestRender();
      if (!busy && this.settleTimer) {
        clearInterval(this.settleTimer);
        this.settleTimer = null;
      }
    }, 200);
  }

  /** Loads a Fragments file. Resolves once the model is in the scene. */
  async load(bytes: ArrayBuffer, modelId: string): Promise<FragmentsModel> {
    const model = await this.fragments.core.load(bytes, { modelId, camera: this.world.camera.three });
    await this.updateFragments();
    return model;
  }

  /** Fits the camera to some items of a model (all when omitted). */
  async fit(model: FragmentsModel, localIds?: number[]): Promise<void> {
    const box = localIds?.length ? await model.getMergedBox(localIds) : model.box;
    if (box.isEmpty()) return;
    const sphere = box.getBoundingSphere(new THREE.Sphere());
    await this.world.camera.controls.fitToSphere(sphere, true);
    await this.updateFragments();
  }

  /** The element under a canvas point (client px), or null. */
  async pick(
    clientX: number,
    clientY: number,
  ): Promise<{ model: FragmentsModel; localId: number; point: THREE.Vector3 } | null> {
    const dom = this.world.renderer!.three.domElement;
    const mouse = new THREE.Vector2(clientX, clientY);
    for (const model of this.fragments.list.values()) {
      const hit = await model.raycast({ camera: this.world.camera.three, mouse, dom });
      if (hit && typeof hit.localId === 'number') return { model, localId: hit.localId, point: hit.point.clone() };
    }
    return null;
  }

  /** The renderer's draw calls and triangles of the last frame (three's `renderer.info`). */
  get renderInfo(): { calls: number; triangles: number } {
    const info = this.world.renderer!.three.info.render;
    return { calls: info.calls, triangles: info.triangles };
  }

  dispose(): void {
    if (this.settleTimer) clearInterval(this.settleTimer);
    this.onFrame.reset();
    this.components.dispose();
  }
}
