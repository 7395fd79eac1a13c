import { z } from 'zod';
import { MapSourceList } from './MapSource.js';

/** The map's default pixel budget: one 4K frame of device pixels (client/map/mapResolution.ts). */
export const MAP_MAX_PIXELS_DEFAULT = 8_300_000;

/** Multisample antialiasing of the map by default: Cesium's own (4 samples per pixel). */
export const MAP_MSAA_SAMPLES_DEFAULT = 4;

/** What `GET /api/v1/config` tells the client at start: map sources and the protocol it must speak. */
export const ClientConfig = z.object({
  protocolVersion: z.number().int(),
  /** XYZ (`{z}/{x}/{y}`) or WMTS template of the base imagery; absent = Natural Earth II shipped with Cesium. */
  imageryUrl: z.string().url().optional(),
  /** Quantized-mesh terrain; absent = the WGS84 ellipsoid. */
  terrainUrl: z.string().url().optional(),
  /** 3D Tiles city context (surrounding buildings). */
  contextTilesetUrl: z.string().url().optional(),
  /** Most device pixels the map draws per frame (`MAP_MAX_PIXELS`); absent = the client's default, one 4K frame. */
  mapMaxPixels: z.number().int().positive().optional(),
  /** Samples per pixel of the map's antialiasing (`MAP_MSAA_SAMPLES`, 1 = off); absent = the client's default, 4. */
  mapMsaaSamples: z.number().int().positive().optional(),
  /** Online base maps for the layer switcher (Tianditu presets, then MAP_SOURCES); absent = the offline base map only. */
  mapSources: MapSourceList.optional(),
});
export type ClientConfig = z.infer<typeof ClientConfig>;
