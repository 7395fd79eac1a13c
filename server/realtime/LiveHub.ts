import type { Server as IoServer, Namespace, Socket } from 'socket.io';
import { ErrorCode, validationError, type WireError } from '../../models/errors.js';
import {
  LiveClientMessage,
  LiveHandshake,
  PROTOCOL_VERSION,
  roomOf,
  type LiveAck,
  type LiveClientToServer,
  type LiveServerMessage,
  type LiveScope,
  type LiveServerToClient,
} from '../../models/protocol.js';
import type { AccessPolicy, Principal } from '../http/access.js';
import type { Logger } from '../log.js';

type LiveSocket = Socket<LiveClientToServer, LiveServerToClient, Record<string, never>, { principal: Principal | null }>;

/** Called when a viewer subscribes to a scope; may emit to that socket. */
export type SubscribeHook = (socket: Socket<LiveClientToServer, LiveServerToClient>, scope: LiveScope, opts: { kpis: boolean }) => Promise<void>;

/** The room of the viewers of `room` that also asked for KPIs. */
export const kpiRoomOf = (room: string): string => `kpis:${room}`;

/** An error for Socket.IO's `connect_error`: the client reads `err.data` as a WireError. */
function handshakeError(w: WireError): Error & { data: WireError } {
  return Object.assign(new Error(w.message), { data: w });
}

/**
 * The `/live` namespace: the only place that emits to browsers. Viewers connect with their protocol version, then
 * subscribe to scopes (the city, or one project); everything is pushed to the rooms of those scopes.
 */
export class LiveHub {
  readonly nsp: Namespace<LiveClientToServer, LiveServerToClient>;
  private readonly subscribeHooks: SubscribeHook[] = [];

  constructor(
    io: IoServer,
    private readonly access: AccessPolicy,
    private readonly log: Logger,
  ) {
    this.nsp = io.of('/live');
    this.nsp.use((socket, next) => {
      const hs = LiveHandshake.safeParse(socket.handshake.auth);
      if (!hs.success) {
        log.warn({ socket: socket.id }, 'live: handshake without protocolVersion');
        return next(handshakeError({ ...validationError(hs.error, 'handshake'), message: `Send auth.protocolVersion = ${PROTOCOL_VERSION} when connecting` }));
      }
      if (hs.data.protocolVersion !== PROTOCOL_VERSION) {
        log.warn({ socket: socket.id, theirs: hs.data.protocolVersion }, 'live: protocol mismatch');
        return next(
          handshakeError({
            code: ErrorCode.PROTOCOL_MISMATCH,
            message: `This server speaks protocol ${PROTOCOL_VERSION}, the client ${hs.data.protocolVersion}: reload the page`,
            details: { server: PROTOCOL_VERSION, client: hs.data.protocolVersion },
          }),
        );
      }
      next();
    });
    this.nsp.on('connection', (socket: LiveSocket) => this.onConnection(socket));
  }

  private onConnection(socket: LiveSocket): void {
    // Set by the access middleware of the handshake (Server.ts) when a session token came with it.
    socket.data.principal ??= null;
    socket.on('msg', async (raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: LiveAck) => void) : () => {};
      const parsed = LiveClientMessage.safeParse(raw);
      if (!parsed.success) {
        this.log.warn({ socket: socket.id }, 'live: bad client message');
        return reply({ ok: false, error: validationError(parsed.error, 'message') });
      }
      const m = parsed.data;
      const room = roomOf(m.scope);
      if (m.type === 'subscribe') {
        if (!(await this.access.canWatch(socket.data.principal, m.scope))) {
          if (!socket.data.principal) return reply({ ok: false, error: { code: ErrorCode.UNAUTHENTICATED, message: 'Log in first: connect with auth.token or the session cookie' } });
          return reply({ ok: false, error: { code: ErrorCode.FORBIDDEN, message: `Not allowed to watch ${room}` } });
        }
        await socket.join(room);
        // After the join, so nothing pushed between the snapshot query and the join is lost (clients apply by time).
        try {
          for (const hook of this.subscribeHooks) await hook(socket, m.scope, { kpis: m.kpis === true });
        } catch (err) {
          this.log.warn({ socket: socket.id, room, err }, 'live: subscribe hook failed');
          return reply({ ok: false, error: { code: ErrorCode.STORE_UNAVAILABLE, message: 'Subscribed, but the current state could not be loaded; resubscribe later' } });
        }
      } else {
        await socket.leave(room);
        await socket.leave(kpiRoomOf(room));
      }
      reply({ ok: true });
    });
  }

  /** Pushes a project change to the city room and the project's own room. */
  publishProject(m: Extract<LiveServerMessage, { type: `project.${string}` }>): void {
    const projectId = m.type === 'project.deleted' ? m.projectId : m.project.id;
    this.nsp.to(['city', roomOf({ kind: 'project', projectId })]).emit('msg', m);
  }

  /** Runs `hook` when a viewer subscribes, after it joined the room (e.g. to send it the scope's current state first). */
  onSubscribe(hook: SubscribeHook): void {
    this.subscribeHooks.push(hook);
  }

  /** Pushes a device change to the city room and the device's project room. */
  publishDevice(m: Extract<LiveServerMessage, { type: `device.${string}` }>): void {
    const projectId = m.type === 'device.deleted' ? m.projectId : m.device.projectId;
    this.nsp.to(['city', roomOf({ kind: 'project', projectId })]).emit('msg', m);
  }

  /** Pushes a model's progress or change to the city room and the model's project room. */
  publishModel(m: Extract<LiveServerMessage, { type: `model.${string}` }>): void {
    const projectId = m.type === 'model.deleted' ? m.projectId : m.type === 'model.progress' ? m.progress.projectId : m.model.projectId;
    this.nsp.to(['city', roomOf({ kind: 'project', projectId })]).emit('msg', m);
  }

  /** Number of connected viewers (for health and tests). */
  get viewerCount(): number {
    return this.nsp.sockets.size;
  }
}
