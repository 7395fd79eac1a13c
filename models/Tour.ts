import { z } from 'zod';
import { safeText } from './text.js';
import { ringCentroid, type GeoJsonPolygon } from './geo.js';
import { IfcGlobalId } from './Device.js';
import { normalizeDeg360 } from './geodesy.js';

/**
 * Virtual tours: a list of viewpoints (camera poses with a caption) that a player flies through. A project tour
 * belongs to a project; a city tour visits several projects. Angles follow Cesium's camera (heading from north,
 * clockwise; pitch negative looking down; roll), in degrees as the field names say.
 */

/** The side of its project a generated view looks from. */
export const TourSide = z.enum(['south', 'east', 'north', 'west']);
export type TourSide = z.infer<typeof TourSide>;

/**
 * A generated view's caption as data: the name of the project it shows and the side it looks from. Each client words
 * it in its own language (`caption` keeps the English wording for other readers). A stop a person wrote has none:
 * its caption is the author's text and is shown as written.
 */
export const ViewpointLabel = z.object({ project: safeText().max(500), side: TourSide.optional() }).strict();
export type ViewpointLabel = z.infer<typeof ViewpointLabel>;

export const Viewpoint = z
  .object({
    lon: z.number().finite().min(-180).max(180),
    lat: z.number().finite().min(-90).max(90),
    /** Camera height above the ellipsoid, metres. */
    height: z.number().finite().min(-500).max(1_000_000),
    headingDeg: z.number().finite().min(-360).max(360),
    pitchDeg: z.number().finite().min(-90).max(90),
    rollDeg: z.number().finite().min(-180).max(180).default(0),
    /** Seconds spent at this viewpoint before moving on. */
    durationS: z.number().finite().min(1).max(3600).default(8),
    /** Seconds of the flight that brings the camera here. */
    flightS: z.number().finite().min(0).max(120).default(3),
    caption: safeText().trim().max(500).default(''),
    projectId: z.string().uuid().optional(),
    modelId: z.string().uuid().optional(),
    elementGlobalId: IfcGlobalId.optional(),
    label: ViewpointLabel.optional(),
  })
  .strict();
export type Viewpoint = z.infer<typeof Viewpoint>;
export type ViewpointInput = z.input<typeof Viewpoint>;

/** How the camera moves between viewpoints: Cesium's arcing `flyTo`, or a straight interpolated path. */
export const TourPath = z.enum(['fly', 'linear']);

/** Fields a client sends to save a tour. */
export const TourCreate = z
  .object({
    name: safeText().trim().min(1).max(200),
    viewpoints: z.array(Viewpoint).min(1).max(500),
    path: TourPath.default('fly'),
    loop: z.boolean().default(true),
  })
  .strict();
export type TourCreate = z.infer<typeof TourCreate>;

/** A change to a saved tour. */
export const TourPatch = TourCreate.partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'a patch needs at least one field');
export type TourPatch = z.infer<typeof TourPatch>;

/** Id of the generated city tour, and the prefix of a project's generated tour (`default-<projectId>`). */
export const DEFAULT_CITY_TOUR_ID = 'default-city';
export const defaultProjectTourId = (projectId: string) => `default-${projectId}`;

/** A tour as served. Generated tours (`generated: true`) have a `default-…` id and cannot be changed, only replaced by a saved one. */
export const Tour = TourCreate.extend({
  viewpoints: z.array(Viewpoint).max(500),
  id: z.string(),
  kind: z.enum(['city', 'project']),
  projectId: z.string().uuid().nullable(),
  generated: z.boolean(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Tour = z.infer<typeof Tour>;

/** The few project fields a generated tour needs. */
export interface TourProject {
  id: string;
  name: string;
  footprint: GeoJsonPolygon;
  heightM: number;
}

const M_PER_DEG_LAT = 111_320;

/**
 * A camera `distanceM` away from `target` (horizontal), on the side it looks from, `heightM` up, looking at the target.
 * Flat-earth offsets are plenty at site scale (< 2 km).
 */
export function lookAt(
  target: { lon: number; lat: number },
  fromHeadingDeg: number,
  distanceM: number,
  heightM: number,
): Pick<Viewpoint, 'lon' | 'lat' | 'height' | 'headingDeg' | 'pitchDeg' | 'rollDeg'> {
  const look = normalizeDeg360(fromHeadingDeg);
  const back = (look + 180) * (Math.PI / 180);
  const dn = Math.cos(back) * distanceM;
  const de = Math.sin(back) * distanceM;
  return {
    lon: target.lon + de / (M_PER_DEG_LAT * Math.cos((target.lat * Math.PI) / 180)),
    lat: target.lat + dn / M_PER_DEG_LAT,
    height: heightM,
    headingDeg: look,
    pitchDeg: -Math.round(((Math.atan2(heightM, distanceM) * 180) / Math.PI) * 10) / 10,
    rollDeg: 0,
  };
}

/** Distance that frames a site of this size and height. */
const frameDistance = (p: TourProject) => Math.max(250, p.heightM * 4);

/**
 * Options of the generated tours. `maxPitchDeg`: the shallowest pitch a view may have (negative looks down), for a
 * screen whose field of view would otherwise reach the horizon (a portrait screen: its 60 degree field is the
 * vertical one). The camera rises at the same distance, so the site stays in the middle of the view.
 */
export interface TourViewOptions {
  maxPitchDeg?: number;
}

/** Camera height over the target for `distanceM`, at `ratio` (height / distance) or steeper for `maxPitchDeg`. */
const viewHeight = (distanceM: number, ratio: number, opts: TourViewOptions) =>
  distanceM * (opts.maxPitchDeg === undefined ? ratio : Math.max(ratio, Math.tan((-opts.maxPitchDeg * Math.PI) / 180)));

/** The generated tour of one project: four views around the site, from the south, east, north and west. */
export function defaultProjectTour(p: TourProject, now: number, opts: TourViewOptions = {}): Tour {
  const c = ringCentroid(p.footprint);
  const d = frameDistance(p);
  const sides: [number, TourSide][] = [
    [0, 'south'],
    [270, 'east'],
    [180, 'north'],
    [90, 'west'],
  ];
  return {
    id: defaultProjectTourId(p.id),
    kind: 'project',
    projectId: p.id,
    name: `${p.name}: site tour`,
    generated: true,
    path: 'fly',
    loop: true,
    viewpoints: sides.map(([heading, side]) => ({
      ...lookAt(c, heading, d, viewHeight(d, 0.6, opts)),
      durationS: 8,
      flightS: 4,
      caption: `${p.name}, from the ${side}`,
      projectId: p.id,
      label: { project: p.name, side },
    })),
    createdAt: now,
    updatedAt: now,
  };
}

/** The generated city tour: one view of each project (looking north), in name order. */
export function defaultCityTour(projects: readonly TourProject[], now: number, opts: TourViewOptions = {}): Tour {
  const sorted = [...projects].sort((a, b) => a.name.localeCompare(b.name, 'zh'));
  return {
    id: DEFAULT_CITY_TOUR_ID,
    kind: 'city',
    projectId: null,
    name: 'City tour',
    generated: true,
    path: 'fly',
    loop: true,
    viewpoints: sorted.map((p) => {
      const d = frameDistance(p) * 1.5;
      return {
        ...lookAt(ringCentroid(p.footprint), 0, d, viewHeight(d, 0.7, opts)),
        durationS: 10,
        flightS: 5,
        caption: p.name,
        projectId: p.id,
        label: { project: p.name },
      };
    }),
    createdAt: now,
    updatedAt: now,
  };
}
