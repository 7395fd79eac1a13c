import { z } from 'zod';
import { safeText } from './text.js';
import { ErrorCode } from './errors.js';
import { Georeference, GeoreferencePatch } from './Georeference.js';

/** Lifecycle of an uploaded IFC model: waiting for a worker, being converted, usable, or given up on with a reason. */
export const ModelStatus = z.enum(['queued', 'converting', 'ready', 'failed']);
export type ModelStatus = z.infer<typeof ModelStatus>;

/**
 * Conversion stages in the order a worker runs them. `parse` opens the file in web-ifc, `index` reads the spatial tree
 * and the element properties, `geometry` streams the meshes, `tiles` writes the 3D Tiles, `fragments` the .frag file.
 */
export const ConversionStage = z.enum(['queued', 'unpack', 'parse', 'index', 'geometry', 'tiles', 'fragments', 'done']);
export type ConversionStage = z.infer<typeof ConversionStage>;

/** Supported IFC schemas, as web-ifc names them (`GetModelSchema`). */
export const IFC_SCHEMAS = [
  'IFC2X3',
  'IFC4',
  'IFC4X1',
  'IFC4X2',
  'IFC4X3',
  'IFC4X3_RC1',
  'IFC4X3_RC2',
  'IFC4X3_RC3',
  'IFC4X3_RC4',
  'IFC4X3_ADD1',
  'IFC4X3_ADD2',
] as const;

/**
 * State of a model's Fragments file (`model.frag`, what the BIM workspace opens). It is built after the model is
 * `ready` for the map, in a job of its own, so a big file reaches the map without waiting for it: `pending` until that
 * job ends, then `ready`, or `failed` (the map twin stays usable; `fragmentsError` says why).
 */
export const FragmentsStatus = z.enum(['pending', 'ready', 'failed']);
export type FragmentsStatus = z.infer<typeof FragmentsStatus>;

/** An element whose geometry could not be used: kept in the index, left out of the tiles, counted in the report. */
export const SkippedElement = z.object({
  expressId: z.number().int(),
  globalId: z.string().optional(),
  ifcClass: z.string(),
  reason: z.string(),
});
export type SkippedElement = z.infer<typeof SkippedElement>;

/** What a finished conversion found and produced. */
export const ConversionReport = z.object({
  schema: z.string(),
  /** Metres per length unit of the file (0.001 for millimetres); geometry outputs are always in metres. */
  lengthUnitM: z.number().positive(),
  /**
   * Products drawn on the map: those web-ifc meshed with at least one usable triangle (web-ifc itself returns no
   * triangles for some products, e.g. an assembly whose parts carry the geometry). Not the number of elements.
   */
  elementCount: z.number().int().nonnegative(),
  /** Products web-ifc streamed whose geometry was empty or broken: indexed, not drawn. */
  skippedCount: z.number().int().nonnegative(),
  /** The first skipped elements with their reason (the count above is complete, this list is capped). */
  skipped: z.array(SkippedElement),
  /**
   * Rows in the element index: every IfcProduct of the file (drawn, skipped, and those with no geometry of their own
   * such as assemblies, spaces, openings, grids, annotations and the spatial structure below the project), one per
   * GlobalId. The tree's element counts add up to it.
   */
  indexedCount: z.number().int().nonnegative(),
  tileCount: z.number().int().nonnegative(),
  triangleCount: z.number().int().nonnegative(),
  /** Model bounding box in the IFC world frame (metres, Z up). */
  bbox: z
    .object({ min: z.tuple([z.number(), z.number(), z.number()]), max: z.tuple([z.number(), z.number(), z.number()]) })
    .nullable(),
  fragmentsBytes: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  /** Wall time of each stage, milliseconds. */
  stagesMs: z.record(z.string(), z.number()),
  warnings: z.array(z.string()),
  /**
   * Set when the file's georeference put the model farther from its project's location than the server's limit
   * (IFC_FAR_FROM_PROJECT_KM): how far (metres) and the limit. A person's placement (source `manual`) settles it.
   */
  farFromProject: z.object({ distanceM: z.number().nonnegative(), limitM: z.number().nonnegative() }).optional(),
});
export type ConversionReport = z.infer<typeof ConversionReport>;

/**
 * Why a model failed: a stable code (see errors.ts) and words a person can act on; `problem` names what is wrong with
 * the file where the conversion could tell (`no_project`, `dangling_references`), stable like the code.
 */
export const ModelError = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  problem: z.string().optional(),
});
export type ModelError = z.infer<typeof ModelError>;

/** An uploaded IFC model as stored and served by `GET /api/v1/models/:id`. */
export const BimModel = z.object({
  id: z.string().uuid(),
  projectId: z.string().uuid(),
  /** The uploaded file's name. */
  fileName: z.string(),
  fileBytes: z.number().int().nonnegative(),
  status: ModelStatus,
  stage: ConversionStage,
  /** Progress of the current stage, 0..100. */
  progressPct: z.number().min(0).max(100),
  schema: z.string().nullable(),
  /** Where the model stands (from the file, the project, or a person's PATCH). Null until parsed. */
  georeference: Georeference.nullable(),
  report: ConversionReport.nullable(),
  error: ModelError.nullable(),
  /** Relative URL of the 3D Tiles, present once the model is ready. */
  tilesetUrl: z.string().nullable(),
  /** Relative URL of the Fragments file, present once the model is ready and `fragments` is `ready`. */
  fragmentsUrl: z.string().nullable(),
  /** Whether the Fragments file for the BIM workspace exists yet (it is built after the model is ready). */
  fragments: FragmentsStatus,
  /** Why the Fragments file could not be built (`fragments: failed`), else null. */
  fragmentsError: ModelError.nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type BimModel = z.infer<typeof BimModel>;

/** `PATCH /api/v1/models/:id`: move the model (re-places the tileset root, no reconversion) and/or rename it. */
export const ModelPatch = z
  .object({ georeference: GeoreferencePatch, fileName: safeText().trim().min(1).max(255) })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'a model patch needs georeference or fileName');
export type ModelPatch = z.infer<typeof ModelPatch>;

/** An axis-aligned box in the model's IFC world frame, metres, Z up. */
export const Box3 = z.object({
  min: z.tuple([z.number(), z.number(), z.number()]),
  max: z.tuple([z.number(), z.number(), z.number()]),
});
export type Box3 = z.infer<typeof Box3>;

/** Property sets and quantity sets of an element: set name -> property name -> value. */
export const PropertySets = z.record(z.string(), z.record(z.string(), z.unknown()));
export type PropertySets = z.infer<typeof PropertySets>;

/** One element of the index (`GET /api/v1/models/:id/elements/:globalId`). */
export const ModelElement = z.object({
  globalId: z.string(),
  expressId: z.number().int(),
  ifcClass: z.string(),
  name: z.string().nullable(),
  predefinedType: z.string().nullable(),
  /** GlobalId of the containing storey (or other spatial structure), if any. */
  storeyId: z.string().nullable(),
  storeyName: z.string().nullable(),
  /** Property sets and quantities; the list endpoint leaves them out. */
  psets: PropertySets.optional(),
  bbox: Box3.nullable(),
  /** False for an element whose geometry was skipped (see the report). */
  hasGeometry: z.boolean(),
});
export type ModelElement = z.infer<typeof ModelElement>;

/** An element row as the IFC conversion worker hands it over (server/ifc/pipeline) and the element store takes it. */
export interface ElementInput {
  globalId: string;
  expressId: number;
  ifcClass: string;
  name: string | null;
  predefinedType: string | null;
  storeyId: string | null;
  storeyName: string | null;
  psets: PropertySets;
  bbox: Box3 | null;
  hasGeometry: boolean;
}

/** A page of elements: the total matching the filter and the rows of this page. */
export interface ElementPage {
  total: number;
  items: ModelElement[];
}

/** Filters of `GET /api/v1/models/:id/elements`. `storey` is a storey GlobalId or name; `q` searches name and GlobalId. */
export const ElementQuery = z.object({
  class: safeText().trim().min(1).max(100).optional(),
  storey: safeText().trim().min(1).max(200).optional(),
  q: safeText().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ElementQuery = z.infer<typeof ElementQuery>;

/** A node of the spatial tree (project, site, building, storey, space…), with how many elements it contains directly. */
export interface TreeNode {
  expressId: number;
  globalId: string | null;
  ifcClass: string;
  name: string | null;
  /**
   * Element rows whose `storeyId` is this node: the elements contained in it (IfcRelContainedInSpatialStructure, with
   * their aggregated parts and openings), the spatial nodes right below it, and on the project node the products the
   * file places in no spatial structure. Over the whole tree they add up to the model's element rows.
   */
  elementCount: number;
  children: TreeNode[];
}
export const TreeNode: z.ZodType<TreeNode> = z.lazy(() =>
  z.object({
    expressId: z.number().int(),
    globalId: z.string().nullable(),
    ifcClass: z.string(),
    name: z.string().nullable(),
    elementCount: z.number().int().nonnegative(),
    children: z.array(TreeNode),
  }),
);

/** Progress as pushed on `/live` (`model.progress`): small, sent at most a few times a second per model. */
export const ModelProgress = z.object({
  modelId: z.string().uuid(),
  projectId: z.string().uuid(),
  status: ModelStatus,
  stage: ConversionStage,
  progressPct: z.number().min(0).max(100),
});
export type ModelProgress = z.infer<typeof ModelProgress>;
