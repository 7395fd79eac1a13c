import type { ProjectTopics } from '../topics/ProjectTopics.js';

/** What the map page's topics tell tests, as `window.__siteTwinTopics` (read-only). */
export interface TopicsProbe {
  /** The open project's viewpoint frame is known (its models were read). */
  frameReady: boolean;
  /** The map camera as a viewpoint would keep it (BCF: the frame of the project's model), or null. */
  mapCamera(): { position: number[]; direction: number[]; up: number[]; fov: number } | null;
}

declare global {
  interface Window {
    __siteTwinTopics?: TopicsProbe;
  }
}

export function publishTopicsProbe(topics: ProjectTopics): void {
  window.__siteTwinTopics = {
    get frameReady() {
      return topics.frame !== null;
    },
    mapCamera: () => {
      const c = topics.mapCamera();
      return c ? { position: [...c.position], direction: [...c.direction], up: [...c.up], fov: c.fov } : null;
    },
  };
}
