import { z } from 'zod';
import { NoticeCreate, RectificationNotice } from './Rectification.js';
import { safeText } from './text.js';

/**
 * Topics: issues written down on the twin (issue 16). A topic is the BCF topic (its `id` is the BCF topic guid), so
 * it travels as BCF-XML 3.0 (server/topics/bcf.ts) and, carrying a rectification notice (models/Rectification.ts),
 * as a supervisor's 整改通知.
 */

/** 质量 / 安全 / 扬尘·文明施工 / 进度 / 设计碰撞·疑问. */
export const TopicType = z.enum(['quality', 'safety', 'dust', 'progress', 'design']);
export type TopicType = z.infer<typeof TopicType>;

/** The lifecycle: open -> in_progress -> resolved -> closed; a resolved or closed topic may be reopened. */
import { TopicStatus } from './TopicStatus.js';

export { TopicStatus };

export const TopicPriority = z.enum(['low', 'normal', 'high', 'critical']);
export type TopicPriority = z.infer<typeof TopicPriority>;

/** Which status may follow which. Setting the same status again is not a transition (a PATCH may repeat it). */
export const TOPIC_TRANSITIONS: Record<TopicStatus, readonly TopicStatus[]> = {
  open: ['in_progress', 'resolved', 'closed'],
  in_progress: ['open', 'resolved', 'closed'],
  resolved: ['in_progress', 'closed', 'reopened'],
  closed: ['reopened'],
  reopened: ['in_progress', 'resolved', 'closed'],
};

export function canTransition(from: TopicStatus, to: TopicStatus): boolean {
  return TOPIC_TRANSITIONS[from].includes(to);
}

/** True while the topic still asks for work (a pin on the map, counted as open). */
export function isOpenStatus(s: TopicStatus): boolean {
  return s !== 'resolved' && s !== 'closed';
}

/** An IFC GlobalId: 22 characters of the IFC base-64 alphabet. */
export const IfcGuid = z.string().regex(/^[0-9A-Za-z_$]{22}$/, 'an IFC GlobalId (22 characters of 0-9 A-Z a-z _ $)');

/** Who must act: an enterprise, a project team, or one user. */
export const Party = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('enterprise'), enterpriseId: z.string().uuid() }).strict(),
  z.object({ kind: z.literal('project'), projectId: z.string().uuid() }).strict(),
  z.object({ kind: z.literal('user'), userId: safeText().min(1).max(200) }).strict(),
]);
export type Party = z.infer<typeof Party>;

/** What a topic is about: IFC elements, a device, or a point on the map (WGS84, height in metres). */
export const TopicAnchor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('elements'), globalIds: z.array(IfcGuid).min(1).max(1000) }).strict(),
  z.object({ kind: z.literal('device'), deviceId: z.string().uuid() }).strict(),
  z
    .object({
      kind: z.literal('point'),
      lon: z.number().min(-180).max(180),
      lat: z.number().min(-90).max(90),
      height: z.number().finite().default(0),
    })
    .strict(),
]);
export type TopicAnchor = z.infer<typeof TopicAnchor>;

const Vec3 = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);
export type Vec3 = z.infer<typeof Vec3>;

/** A camera as BCF holds it: position, view direction and up vector; perspective (field of view, degrees) or orthogonal. */
export const BcfCamera = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('perspective'),
      position: Vec3,
      direction: Vec3,
      up: Vec3,
      fov: z.number().gt(0).lt(180),
      aspectRatio: z.number().positive().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('orthogonal'),
      position: Vec3,
      direction: Vec3,
      up: Vec3,
      viewToWorldScale: z.number().positive(),
      aspectRatio: z.number().positive().optional(),
    })
    .strict(),
]);
export type BcfCamera = z.infer<typeof BcfCamera>;

/** `RRGGBB` or `AARRGGBB`, as BCF colours are written. */
export const BcfColor = z.string().regex(/^([0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$/, 'a colour RRGGBB or AARRGGBB');

/** A viewpoint: camera, selected / hidden (visibility exceptions) / coloured components by IfcGuid, section planes. */
export const TopicViewpoint = z
  .object({
    guid: z.string().uuid(),
    camera: BcfCamera.optional(),
    selection: z.array(IfcGuid).max(10_000).default([]),
    /** Components are visible unless listed here (defaultVisibility true), or hidden unless listed (false). */
    defaultVisibility: z.boolean().default(true),
    exceptions: z.array(IfcGuid).max(100_000).default([]),
    coloring: z
      .array(z.object({ color: BcfColor, ifcGuids: z.array(IfcGuid).min(1).max(10_000) }).strict())
      .max(256)
      .default([]),
    /** Clipping planes: a point on the plane and its normal (the side it points to is cut away), model metres. */
    clippingPlanes: z
      .array(z.object({ location: Vec3, direction: Vec3 }).strict())
      .max(16)
      .default([]),
    /** The snapshot image, an attachment of the topic (PNG / JPEG). */
    snapshotAttachmentId: z.string().uuid().optional(),
  })
  .strict();
export type TopicViewpoint = z.infer<typeof TopicViewpoint>;
export type TopicViewpointInput = z.input<typeof TopicViewpoint>;

export const TopicComment = z.object({
  guid: z.string().uuid(),
  date: z.number().int(),
  author: z.string(),
  comment: z.string(),
  viewpointGuid: z.string().uuid().optional(),
  modifiedDate: z.number().int().optional(),
});
export type TopicComment = z.infer<typeof TopicComment>;

export const CommentCreate = z
  .object({ comment: safeText().trim().min(1).max(10_000), viewpointGuid: z.string().uuid().optional() })
  .strict();
export type CommentCreate = z.infer<typeof CommentCreate>;

/** A photo or snapshot kept with a topic (the bytes are served by `GET /api/v1/topics/:id/attachments/:aid`). */
export const AttachmentMeta = z.object({
  id: z.string().uuid(),
  fileName: z.string(),
  mime: z.enum(['image/jpeg', 'image/png']),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
  uploadedBy: z.string(),
  uploadedAt: z.number().int(),
  /** EXIF DateTimeOriginal (as written, camera-local time without zone, ISO-like `YYYY-MM-DDTHH:MM:SS`), if present. */
  takenAt: z.string().optional(),
  /** EXIF GPS position, if present. */
  location: z.object({ lon: z.number(), lat: z.number(), height: z.number().optional() }).optional(),
});
export type AttachmentMeta = z.infer<typeof AttachmentMeta>;

/** Photo uploads: at most this many bytes each. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

const Labels = z.array(safeText().trim().min(1).max(64)).max(32);

/** `POST /api/v1/projects/:id/topics`. */
export const TopicCreate = z
  .object({
    /** The BCF guid; given when importing, generated otherwise. */
    id: z.string().uuid().optional(),
    title: safeText().trim().min(1).max(500),
    description: safeText().max(20_000).default(''),
    topicType: TopicType,
    priority: TopicPriority.default('normal'),
    labels: Labels.default([]),
    /** Epoch ms. */
    dueDate: z.number().int().optional(),
    assignee: Party.optional(),
    anchors: z.array(TopicAnchor).max(64).default([]),
    viewpoints: z.array(TopicViewpoint).max(64).default([]),
    /** Raise it as a rectification notice (authority inspectors and admins). */
    notice: NoticeCreate.optional(),
  })
  .strict();
export type TopicCreate = z.infer<typeof TopicCreate>;
export type TopicCreateInput = z.input<typeof TopicCreate>;

/** `PATCH /api/v1/topics/:id`: any subset; `topicStatus` must be a permitted transition. */
export const TopicPatch = z
  .object({
    title: safeText().trim().min(1).max(500).optional(),
    description: safeText().max(20_000).optional(),
    topicType: TopicType.optional(),
    topicStatus: TopicStatus.optional(),
    priority: TopicPriority.optional(),
    labels: Labels.optional(),
    dueDate: z.number().int().nullable().optional(),
    assignee: Party.nullable().optional(),
    anchors: z.array(TopicAnchor).max(64).optional(),
    viewpoints: z.array(TopicViewpoint).max(64).optional(),
  })
  .strict();
export type TopicPatch = z.infer<typeof TopicPatch>;

/** The GlobalIds a topic names: its element anchors, then its viewpoints' selections, each once, in order. */
export function componentsOf(anchors: readonly TopicAnchor[], viewpoints: readonly TopicViewpoint[]): string[] {
  const out = new Set<string>();
  for (const a of anchors) if (a.kind === 'elements') a.globalIds.forEach((g) => out.add(g));
  for (const v of viewpoints) v.selection.forEach((g) => out.add(g));
  return [...out];
}

/** A topic as served. `components` lists the IFC GlobalIds it names (componentsOf). */
export const Topic = z.object({
  id: z.string().uuid(),
  projectId: z.string().uuid(),
  title: z.string(),
  description: z.string(),
  topicType: TopicType,
  topicStatus: TopicStatus,
  priority: TopicPriority,
  labels: z.array(z.string()),
  dueDate: z.number().int().optional(),
  assignee: Party.optional(),
  anchors: z.array(TopicAnchor),
  components: z.array(z.string()),
  viewpoints: z.array(TopicViewpoint),
  comments: z.array(TopicComment),
  attachments: z.array(AttachmentMeta),
  /** Present when the topic is a supervisor's rectification notice. */
  notice: RectificationNotice.optional(),
  creationAuthor: z.string(),
  creationDate: z.number().int(),
  modifiedDate: z.number().int(),
  modifiedAuthor: z.string().optional(),
});
export type Topic = z.infer<typeof Topic>;

/** `GET /api/v1/projects/:id/topics` filters. */
export const TopicQuery = z
  .object({
    topicType: TopicType.optional(),
    topicStatus: TopicStatus.optional(),
    open: z.enum(['true', 'false']).optional(),
    notice: z.enum(['true', 'false']).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    label: safeText().max(64).optional(),
  })
  .strict();
export type TopicQuery = z.infer<typeof TopicQuery>;
