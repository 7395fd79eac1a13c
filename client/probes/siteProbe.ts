import type { ReplayStatus } from '../replay/ReplayController.js';
import type { SitePage } from '../pages/map/SitePage.js';

/** What the site view tells tests and monitoring, as `window.__siteTwinSite` (beside Readiness's `__siteTwin`). */
export interface SiteProbe {
  projectId: string | null;
  /** Devices of the opened project in the store. */
  devices: number;
  /** Per crane: the slew drawn in the last frame, its state colour, and page positions of mast and jib tip. */
  cranes(): ReturnType<SitePage['cranes']['poses']>;
  clearanceLines(): number;
  alarmsActive(): number;
  glowing(): number;
  /** Level of the glow under each glowing device. */
  glowLevels(): Record<string, 'prewarning' | 'alarm'>;
  heatmap(): boolean;
  panelDeviceId(): string | null;
  /** Opens a device's panel, as a click on its marker does (tests that are not about picking). */
  openDevice(id: string): void;
  replay(): ReplayStatus;
  /** Device ids by kind, for tests that open a panel. */
  deviceIds(kind?: string): string[];
  /** A generic sensor's marker label (name, then its quantities with units), or null when not drawn. */
  sensorLabel(id: string): string | null;
  /** Where a device bound to an IFC element stands (lon/lat/height), when its element placed it. */
  placement(id: string): { lon: number; lat: number; height: number; modelId: string; globalId: string } | null;
  /** Page position (CSS px) of a device's marker, or null off screen. */
  devicePagePosition(id: string): { x: number; y: number } | null;
}

declare global {
  interface Window {
    __siteTwinSite?: SiteProbe;
  }
}

/** Publishes the probe for the map page's site. */
export function siteProbe(site: SitePage): void {
  window.__siteTwinSite = {
    get projectId() {
      return site.projectId;
    },
    get devices() {
      return site.devices.size;
    },
    cranes: () => site.cranes.poses(),
    clearanceLines: () => site.cranes.clearanceCount,
    alarmsActive: () => site.alarms.active().length,
    glowing: () => site.glowing,
    glowLevels: () => site.glowLevels(),
    heatmap: () => site.env.heatmapShown,
    panelDeviceId: () => site.panel.shownId,
    openDevice: (id) => site.panel.show(id),
    replay: () => ({ ...site.replay.status }),
    deviceIds: (kind) =>
      site.devices
        .list()
        .filter((s) => !kind || s.device.kind === kind)
        .map((s) => s.device.id),
    devicePagePosition: (id) => site.pagePositionOf(id),
    sensorLabel: (id) => site.sensors.labelOf(id),
    placement: (id) => {
      const p = site.devices.placementOf(id);
      return p ? { ...p.location, modelId: p.modelId, globalId: p.globalId } : null;
    },
  };
}
