/** Defined by vite.config.ts: where Cesium's static files are served. */
declare const CESIUM_BASE_URL: string;

interface Window {
  CESIUM_BASE_URL?: string;
}
