import { z } from 'zod';
import { Project } from './Project.js';
import { WireError } from './errors.js';

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

/** What a viewer watches: the whole city or one project. */
export const LiveScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('city') }),
  z.object({ kind: z.literal('project'), projectId: z.string().uuid() }),
]);
export type LiveScope = z.infer<typeof LiveScope>;

// ---- server -> client ---------------------------------------------------------------------------------------

export const ProjectCreatedMsg = z.object({ type: z.literal('project.created'), project: Project });
export const ProjectUpdatedMsg = z.object({ type: z.literal('project.updated'), project: Project });
export const ProjectDeletedMsg = z.object({ type: z.literal('project.deleted'), projectId: z.string().uuid() });

/** Every message the server pushes on `/live`, keyed on `type`. */
export const LiveServerMessage = z.discriminatedUnion('type', [ProjectCreatedMsg, ProjectUpdatedMsg, ProjectDeletedMsg]);
export type LiveServerMessage = z.infer<typeof LiveServerMessage>;

// ---- client -> server ---------------------------------------------------------------------------------------

export const SubscribeMsg = z.object({ type: z.literal('subscribe'), scope: LiveScope });
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
  return scope.kind === 'city' ? 'city' : `project:${scope.projectId}`;
}
