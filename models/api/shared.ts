import { z } from 'zod';

/** Schemas several resource files share (ids, GeoJSON collections). */

/** A record id in a path: a UUID (anything else answers 404, like an unknown id). */
export const Uuid = z.string().uuid();

/** A GeoJSON FeatureCollection as the `*.geojson` endpoints answer it (geometry and properties per feature). */
export const FeatureCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z
      .object({ type: z.literal('Feature'), geometry: z.unknown(), properties: z.record(z.string(), z.unknown()) })
      .passthrough(),
  ),
});
