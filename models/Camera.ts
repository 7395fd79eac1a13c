import { z } from 'zod';
import { Extra, atLeastOneField, finite, nonNeg } from './units.js';

/** How a camera's picture is fetched. */
export const StreamKind = z.enum(['mjpeg', 'hls', 'snapshot']);

/** Static parameters of a site camera: where it looks and where its picture is. */
export const CameraParams = z.object({
  headingDeg: nonNeg.max(360).default(0),
  pitchDeg: finite.min(-90).max(90).default(0),
  fovDeg: z.number().finite().gt(0).max(180).default(60),
  streamUrl: z.string().url().max(2000).optional(),
  streamKind: StreamKind.default('hls'),
});
export type CameraParams = z.infer<typeof CameraParams>;

/** One camera status report (online state; PTZ cameras also report where they look). */
export const CameraValues = z
  .object({
    online: z.boolean(),
    headingDeg: nonNeg.max(360),
    pitchDeg: finite.min(-90).max(90),
    zoom: z.number().finite().min(0).max(1000),
    extra: Extra,
  })
  .partial()
  .strict()
  .refine(atLeastOneField, 'a reading needs at least one value');
export type CameraValues = z.infer<typeof CameraValues>;
