import type { LiveStatus } from '../live/LiveClient.js';
import type { CameraPose, TourState } from '../tour/TourPlayer.js';

/** What a wall tells tests and monitoring about itself, as `window.__siteTwinWall`. */
export interface WallProbe {
  /** First data, map tiles and the first tour view are on screen. Latches true. */
  ready: boolean;
  readyAtMs: number | null;
  liveStatus: LiveStatus | 'off';
  /** KPI sets received (HTTP and live), and when the last arrived (client clock). */
  kpisReceived: number;
  kpisAt: number | null;
  kpis: {
    projectsOnline: number;
    projectsTotal: number;
    cranesWorking: number;
    workersOnSite: number;
    openAlarms: number;
  } | null;
  projectsTotal: number;
  projectsOnline: number;
  offlineProjects: string[];
  alarmsShown: number;
  tourId: string | null;
  tour: TourState | null;
  /** Root font scale (1 at 1920x1080). */
  scale: number;
  frames: number;
  /** Camera at rest at a tour view, tiles and footprints loaded (for screenshots). */
  idle: boolean;
  /** What `ready` (until it latches) and `idle` still wait for, e.g. ['kpis', 'globe tiles'] (monitoring, benches). */
  waiting: string[];
  /** Renders the map's current view `n` times; each frame's time in ms (bench/pageReady.ts). */
  frameTimes(n: number): Promise<number[]>;
  /** Problems shown on the wall (bad URL values, failed loads), newest last, at most 20. */
  errors: string[];
  camera(): CameraPose | null;
  /** Page position (CSS px) of a WGS84 point on the ground, or null when off screen. */
  geoPagePosition(lon: number, lat: number): { x: number; y: number } | null;
  /** Points the map's camera at a place from `rangeM` away (the tour moves it again at its next stop). */
  lookAt(lon: number, lat: number, rangeM: number): void;
}

declare global {
  interface Window {
    __siteTwinWall: WallProbe;
  }
}

export function createWallProbe(): WallProbe {
  const p: WallProbe = {
    ready: false,
    readyAtMs: null,
    liveStatus: 'off',
    kpisReceived: 0,
    kpisAt: null,
    kpis: null,
    projectsTotal: 0,
    projectsOnline: 0,
    offlineProjects: [],
    alarmsShown: 0,
    tourId: null,
    tour: null,
    scale: 1,
    frames: 0,
    idle: false,
    waiting: ['projects'],
    frameTimes: () => Promise.resolve([]),
    errors: [],
    camera: () => null,
    geoPagePosition: () => null,
    lookAt: () => undefined,
  };
  window.__siteTwinWall = p;
  return p;
}
