import type { WorkspaceApp } from '../pages/workspace/WorkspaceApp.js';
import { ifcBoxMismatch, workspaceCameraInIfc } from '../topics/workspaceViewpoint.js';

/** What the workspace tells tests, as `window.__siteTwinWorkspace`. */
export interface WorkspaceProbe {
  ready: boolean;
  error: string | null;
  modelId: string | null;
  storeys: string[];
  frames: number;
  /** Fragments is still streaming tiles in. */
  busy: boolean;
  /** The camera is moving (fit transitions, drags). */
  cameraMoving: boolean;
  selectedGlobalId: string | null;
  /** GlobalIds the Fragments highlight currently draws as the selection. */
  highlightedGlobalIds(): Promise<string[]>;
  sectionPlanes: number;
  sectionFillTriangles: number;
  measurements: { kind: string; value: number; text: string }[];
  renderInfo: { calls: number; triangles: number } | null;
  screenOf(globalId: string): Promise<{ x: number; y: number } | null>;
  /** Requests a frame and resolves once it is rendered. */
  renderNow(): Promise<void>;
  /** `?topic=<id>`: whether its viewpoint was applied. */
  topicViewpoint: WorkspaceApp['state']['topicViewpoint'];
  /** The camera in the model's IFC world frame (metres, Z up), as a BCF viewpoint holds it; null before the model. */
  topicCamera(): Promise<{ position: number[]; direction: number[]; up: number[] } | null>;
  /** How far an element's IFC-frame box (from the server), carried into the viewer, lies from the box drawn. */
  compareIfcBox(
    globalId: string,
    box: { min: number[]; max: number[] },
  ): Promise<{ maxCornerDistanceM: number; carried: number[][]; drawn: number[][] } | null>;
}

declare global {
  interface Window {
    __siteTwinWorkspace: WorkspaceProbe;
  }
}

export function publishWorkspaceProbe(app: WorkspaceApp): void {
  window.__siteTwinWorkspace = {
    get ready() {
      return app.state.ready;
    },
    get error() {
      return app.state.error;
    },
    get modelId() {
      return app.bimModel?.id ?? null;
    },
    get storeys() {
      return app.state.storeys;
    },
    get frames() {
      return app.viewer?.frames ?? 0;
    },
    get busy() {
      return app.model?.isBusy ?? true;
    },
    get cameraMoving() {
      return app.viewer?.cameraMoving ?? false;
    },
    get selectedGlobalId() {
      return app.selection.element?.globalId ?? null;
    },
    async highlightedGlobalIds() {
      const ids = app.fragmentsColouring?.highlightedLocalIds ?? [];
      if (!ids.length || !app.model) return [];
      return (await app.model.getGuidsByLocalIds(ids)).filter((g): g is string => !!g);
    },
    get sectionPlanes() {
      return app.sections?.list.length ?? 0;
    },
    get sectionFillTriangles() {
      return app.sections?.fillTriangles ?? 0;
    },
    get measurements() {
      return app.measure?.results.map((m) => ({ ...m })) ?? [];
    },
    get renderInfo() {
      return app.viewer ? app.viewer.renderInfo : null;
    },
    screenOf: (gid) => app.screenOf(gid),
    renderNow: () => app.viewer.renderNow(),
    get topicViewpoint() {
      return app.state.topicViewpoint;
    },
    topicCamera: async () => (app.model ? workspaceCameraInIfc(app.viewer, app.model) : null),
    compareIfcBox: async (gid, box) => (app.model ? ifcBoxMismatch(app.model, gid, box) : null),
  };
}
