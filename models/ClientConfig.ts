import { z } from 'zod';
import { MapSourceList } from './MapSource.js';

/** What `GET /api/v1/config` tells the client at start: map sources and the protocol it must speak. */
export const ClientConfig = z.object({
  protocolVersion: z.number().int(),
  /** XYZ (`{z}/{x}/{y}`) or WMTS template of the base imagery; absent = Natural Earth II shipped with Cesium. */
  imageryUrl: z.string().url().optional(),
  /** Quantized-mesh terrain; absent = the WGS84 ellipsoid. */
  terrainUrl: z.string().url().optional(),
  /** 3D Tiles city context (surrounding buildings). */
  contextTilesetUrl: z.string().url().optional(),
  /** Online base maps for the layer switcher (Tianditu presets, then MAP_SOURCES); absent = the offline base map only. */
  mapSources: MapSourceList.optional(),
});
export type ClientConfig = z.infer<typeof ClientConfig>;
