import { z } from 'zod';
import { Alarm } from './Alarm.js';
import { BimModel, ModelProgress } from './BimModel.js';
import { CraneClearanceInfo } from './craneClearance.js';
import { Device } from './Device.js';
import { Kpis } from './Kpis.js';
import { Project } from './Project.js';
import { type IngestResultSchema, LiveReading } from './Reading.js';
import { Topic } from './Topic.js';
import { RegionPrefix } from './User.js';
import { type WireError } from './errors.js';

/**
 * Version of the Socket.IO protocol. Bump it when a message changes meaning; adding a message or an optional field
 * does not need a bump. The client sends it in the handshake (`auth.protocolVersion`); a mismatch is refused.
 */
export const PROTOCOL_VERSION = 1;

/** Handshake payload of the `/live` namespace. */
export const LiveHandshake = z.object({
  protocolVersion: z.number().int(),
});
export type LiveHandshake = z.infer<typeof LiveHandshake>;

/**
 * What a viewer watches: the whole city, an enterprise's projects, a region's projects (a GB/T 2260 prefix: an
 * authority's city wall) or one project. Each room gets every push (telemetry, alarms, devices, models, progress) of
 * the projects it contains; a tier room (city, enterprise, region) is only for those who read all of them.
 */
export const LiveScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('city') }),
  z.object({ kind: z.literal('project'), projectId: z.string().uuid() }),
  z.object({ kind: z.literal('enterprise'), enterpriseId: z.string().uuid() }),
  z.object({ kind: z.literal('region'), regionPrefix: RegionPrefix }),
]);
export type LiveScope = z.infer<typeof LiveScope>;

// ---- server -> client ---------------------------------------------------------------------------------------

export const ProjectCreatedMsg = z.object({ type: z.literal('project.created'), project: Project });
export const ProjectUpdatedMsg = z.object({ type: z.literal('project.updated'), project: Project });
export const ProjectDeletedMsg = z.object({ type: z.literal('project.deleted'), projectId: z.string().uuid() });

/** A device was registered, changed or removed (pushed to its project's room and the city room). */
export const DeviceCreatedMsg = z.object({ type: z.literal('device.created'), device: Device });
export const DeviceUpdatedMsg = z.object({ type: z.literal('device.updated'), device: Device });
export const DeviceDeletedMsg = z.object({
  type: z.literal('device.deleted'),
  deviceId: z.string().uuid(),
  projectId: z.string().uuid(),
});

/**
 * Live readings of one room, one message per tick: per device the values that arrived since its last update, merged
 * (at most LIVE_MAX_HZ updates per device). Apply by `time`: keep the newer of what you hold and what arrives.
 */
export const TelemetryBatchMsg = z.object({
  type: z.literal('telemetry.batch'),
  scope: LiveScope,
  readings: z.array(LiveReading),
});

/** Sent to a viewer right after it subscribes: the devices of the scope and their latest state. */
export const SnapshotMsg = z.object({
  type: z.literal('snapshot'),
  scope: LiveScope,
  devices: z.array(Device),
  latest: z.array(LiveReading),
});

/** Conversion progress of a model (stage + percent), throttled to a few per second per model. */
export const ModelProgressMsg = z.object({ type: z.literal('model.progress'), progress: ModelProgress });
/** A model was uploaded, finished, failed or was moved (georeference patch). */
export const ModelUpdatedMsg = z.object({ type: z.literal('model.updated'), model: BimModel });
export const ModelDeletedMsg = z.object({
  type: z.literal('model.deleted'),
  modelId: z.string().uuid(),
  projectId: z.string().uuid(),
});

/** An alarm was raised (pushed to its project's room and the city room). */
export const AlarmRaisedMsg = z.object({ type: z.literal('alarm.raised'), alarm: Alarm });
/** An open alarm changed: escalated to a higher level, or acknowledged. */
export const AlarmUpdatedMsg = z.object({ type: z.literal('alarm.updated'), alarm: Alarm });
/** An alarm cleared (its condition stayed inside the clearing line for the minimum duration). */
export const AlarmClearedMsg = z.object({ type: z.literal('alarm.cleared'), alarm: Alarm });
/**
 * Two cranes of a project are (or were, `level: null` once) too close: sent at most once a second per pair while the
 * risk lasts, and once with `level: null` when it ends, so a client can draw and remove the line between them.
 */
export const CraneClearanceMsg = z.object({ type: z.literal('crane.clearance'), clearance: CraneClearanceInfo });

/** A model's schedule or actual element status changed: re-fetch its progress state (pushed to its project and the city). */
export const ProgressUpdatedMsg = z.object({
  type: z.literal('progress.updated'),
  modelId: z.string().uuid(),
  projectId: z.string().uuid(),
});
/** The wall KPIs of a scope, pushed to its room every few seconds (KPI_PUSH_MS) and right after a subscribe. */
export const KpisMsg = z.object({ type: z.literal('kpis'), scope: LiveScope, kpis: Kpis });

/** A topic (issue, rectification notice) was raised, or changed: status, notice step, comment, attachment. */
export const TopicCreatedMsg = z.object({ type: z.literal('topic.created'), topic: Topic });
export const TopicUpdatedMsg = z.object({ type: z.literal('topic.updated'), topic: Topic });

/** Every message the server pushes on `/live`, keyed on `type`. */
export const LiveServerMessage = z.discriminatedUnion('type', [
  ProjectCreatedMsg,
  ProjectUpdatedMsg,
  ProjectDeletedMsg,
  DeviceCreatedMsg,
  DeviceUpdatedMsg,
  DeviceDeletedMsg,
  TelemetryBatchMsg,
  SnapshotMsg,
  ModelProgressMsg,
  ModelUpdatedMsg,
  ModelDeletedMsg,
  ProgressUpdatedMsg,
  KpisMsg,
  AlarmRaisedMsg,
  AlarmUpdatedMsg,
  AlarmClearedMsg,
  CraneClearanceMsg,
  TopicCreatedMsg,
  TopicUpdatedMsg,
]);
export type LiveServerMessage = z.infer<typeof LiveServerMessage>;

// ---- client -> server ---------------------------------------------------------------------------------------

/**
 * Join a scope's room. `kpis: true` also asks for the scope's `kpis` message (on subscribe, then periodically): KPIs
 * cost a set of aggregate queries, so only the screens that show them (wall mode) ask.
 */
export const SubscribeMsg = z.object({ type: z.literal('subscribe'), scope: LiveScope, kpis: z.boolean().optional() });
export const UnsubscribeMsg = z.object({ type: z.literal('unsubscribe'), scope: LiveScope });

/** Every message a viewer sends on `/live`, keyed on `type`. */
export const LiveClientMessage = z.discriminatedUnion('type', [SubscribeMsg, UnsubscribeMsg]);
export type LiveClientMessage = z.infer<typeof LiveClientMessage>;

/** Reply to a client message. */
export type LiveAck = { ok: true } | { ok: false; error: WireError };

/** Socket.IO event maps of `/live`: one event, `msg`, carrying the unions above. */
export interface LiveServerToClient {
  msg: (m: LiveServerMessage) => void;
}
export interface LiveClientToServer {
  msg: (m: LiveClientMessage, ack: (r: LiveAck) => void) => void;
}

/** Room name of a scope; the server joins sockets to these and emits to them. */
export function roomOf(scope: LiveScope): string {
  switch (scope.kind) {
    case 'city':
      return 'city';
    case 'enterprise':
      return `enterprise:${scope.enterpriseId}`;
    case 'region':
      return `region:${scope.regionPrefix}`;
    case 'project':
      return `project:${scope.projectId}`;
  }
}

// ---- `/devices` namespace (devices and gateways sending readings) ---------------------------------------------

/** Handshake of `/devices`: the device and its API key (or HJ 212 PW). */
export const DeviceHandshake = z.object({
  deviceId: z.string().uuid(),
  key: z.string().min(1).max(256),
});
export type DeviceHandshake = z.infer<typeof DeviceHandshake>;

/** Reply to a `reading` event, sent only after the commit. */
export type DeviceAck = { ok: true; result: z.infer<typeof IngestResultSchema> } | { ok: false; error: WireError };

/** Socket.IO event maps of `/devices`: `reading` carries one reading or an array (deviceId defaults to the socket's). */
export interface DeviceClientToServer {
  reading: (readings: unknown, ack: (r: DeviceAck) => void) => void;
}
export type DeviceServerToClient = Record<string, never>;
