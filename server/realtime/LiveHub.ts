import type { Server as IoServer, Namespace, Socket } from 'socket.io';
import { ErrorCode, validationError, type WireError } from '../../models/errors.js';
import {
  LiveClientMessage,
  LiveHandshake,
  PROTOCOL_VERSION,
  roomOf,
  type LiveAck,
  type LiveClientToServer,
  type LiveScope,
  type LiveServerMessage,
  type LiveServerToClient,
} from '../../models/protocol.js';
import type { LiveReading } from '../../models/Reading.js';
import { ProjectOwners, type ProjectOwner } from '../auth/ProjectOwners.js';
import type { AccessPolicy, HandshakeLike, Principal } from '../auth/access.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/Store.js';
import { preEncodedBatch, sendsPreEncoded, type PreEncoded } from './liveEncoder.js';
import { kpiRoomOf, roomsOfProject, scopeContains, scopeOfRoom, userRoomOf } from './liveRooms.js';
import { boundRecoveryBuffer, type RecoveryBufferOptions } from './recoveryBuffer.js';

interface SocketData {
  principal: Principal | null;
  /** What identified the socket at its handshake, kept to re-check the session (subscribe, recovery). */
  credentials: HandshakeLike | null;
}
/** Messages between the nodes of a cluster (Redis adapter): a user's sessions ended, projects changed. */
interface ClusterEvents {
  'live:revoke': (userId: string) => void;
  'live:projects': () => void;
}
type LiveNamespace = Namespace<LiveClientToServer, LiveServerToClient, ClusterEvents, SocketData>;
type LiveSocket = Socket<LiveClientToServer, LiveServerToClient, ClusterEvents, SocketData>;
interface RecoverySession {
  data: Partial<SocketData>;
}

/** A viewer a subscribe hook may answer (its snapshot, its first KPIs); it cannot join rooms. */
export interface Viewer {
  readonly id: string;
  send(m: LiveServerMessage): void;
}
/** What a subscribe hook learns: the readable projects of the scope ('all' for the city), and whether KPIs were asked. */
export interface SubscribeContext {
  kpis: boolean;
  projects: 'all' | string[];
}
/** Called when a viewer subscribes to a scope, after it joined the room. */
export type SubscribeHook = (viewer: Viewer, scope: LiveScope, ctx: SubscribeContext) => Promise<void>;

/**
 * What the rest of the server may do with `/live`: push by the project a message is about (the hub picks the rooms),
 * answer a new subscriber, push KPIs to those who asked. Nothing else reaches the namespace.
 */
export interface LivePublisher {
  /** Pushes a message about one project to every room that contains it. */
  toProject(projectId: string, m: LiveServerMessage): void;
  /** Pushes readings: one `telemetry.batch` per room, holding the readings of that room's projects. */
  publishReadings(readings: LiveReading[]): void;
  publishProject(m: Extract<LiveServerMessage, { type: `project.${string}` }>): void;
  publishDevice(m: Extract<LiveServerMessage, { type: `device.${string}` }>): void;
  publishModel(m: Extract<LiveServerMessage, { type: `model.${string}` }>): void;
  onSubscribe(hook: SubscribeHook): void;
  /** The scopes whose KPIs viewers of this node asked for. */
  kpiScopes(): LiveScope[];
  /** Pushes `m` to this node's viewers of `scope` that asked for KPIs. */
  toKpiViewers(scope: LiveScope, m: LiveServerMessage): void;
}

export interface LiveHubOptions {
  /** Several nodes behind an adapter (Redis): revocations and project changes are told to the other nodes. */
  clustered: boolean;
  /** Bounds of connection state recovery's packet buffer (in-memory adapter). */
  recovery?: RecoveryBufferOptions;
}

/** An error for Socket.IO's `connect_error`: the client reads `err.data` as a WireError. */
function handshakeError(w: WireError): Error & { data: WireError } {
  return Object.assign(new Error(w.message), { data: w });
}

/** The parts of a handshake that carry a session (the token, the cookie), kept to re-check it later. */
function credentialsOf(h: { headers: HandshakeLike['headers']; auth: Record<string, unknown> }): HandshakeLike {
  const headers: HandshakeLike['headers'] = {};
  if (h.headers.cookie !== undefined) headers.cookie = h.headers.cookie;
  if (h.headers.authorization !== undefined) headers.authorization = h.headers.authorization;
  return { headers, auth: typeof h.auth.token === 'string' ? { token: h.auth.token } : {} };
}

/** setTimeout's longest delay (about 24.8 days); a later expiry is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The `/live` namespace: the only door to browsers. Viewers connect with their protocol version and session, then
 * subscribe to scopes; the access policy decides each join, and every push is routed by the project it is about to
 * the rooms that contain that project (city, enterprise, region prefixes, the project's own), so a viewer only ever
 * gets what its rooms may carry. A user's sockets share a `user:<id>` room: `endSessions` cuts them on every node.
 */
export class LiveHub implements LivePublisher {
  private readonly nsp: LiveNamespace;
  private readonly subscribeHooks: SubscribeHook[] = [];
  private readonly owners: ProjectOwners;
  private readonly unboundRecovery: () => void;
  private readonly roomCache = new WeakMap<ProjectOwner, string[]>();
  /**
   * Telemetry batches go out serialized once (PreEncoded): on one node whose Socket.IO server encodes with LiveEncoder
   * (Server.ts). Not through an adapter between nodes, which would carry the wrapper as a plain object.
   */
  private readonly preEncode: boolean;

  constructor(
    io: IoServer,
    store: Store,
    private readonly access: AccessPolicy,
    private readonly log: Logger,
    private readonly opts: LiveHubOptions = { clustered: false },
  ) {
    this.nsp = io.of('/live') as unknown as LiveNamespace;
    this.preEncode = !opts.clustered && sendsPreEncoded(io);
    this.owners = new ProjectOwners(store);
    // Loaded now, so the first pushes already reach the enterprise and region rooms (routing never waits for it).
    this.owners
      .all()
      .catch((err) => log.warn({ err }, 'live: loading the project index failed (retried on the next push)'));
    this.unboundRecovery = opts.recovery ? boundRecoveryBuffer(this.nsp, opts.recovery) : () => {};
    this.guardRecovery();
    this.nsp.use((socket, next) => {
      const hs = LiveHandshake.safeParse(socket.handshake.auth);
      if (!hs.success) {
        log.warn({ socket: socket.id }, 'live: handshake without protocolVersion');
        return next(
          handshakeError({
            ...validationError(hs.error, 'handshake'),
            message: `Send auth.protocolVersion = ${PROTOCOL_VERSION} when connecting`,
          }),
        );
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
    // The session of the handshake (auth.token or the cookie) decides which rooms the viewer may join. This runs on a
    // recovered connection too (skipMiddlewares is off), so a restored socket carries the session as it is now.
    this.nsp.use((socket, next) => {
      const credentials = credentialsOf(socket.handshake);
      access.principalOfHandshake(credentials).then(
        (p) => {
          socket.data.principal = p;
          socket.data.credentials = credentials;
          next();
        },
        (err) => next(err instanceof Error ? err : new Error(String(err))),
      );
    });
    this.nsp.on('connection', (socket) => void this.onConnection(socket));
    this.nsp.on('live:revoke', (userId) => this.revokeHere(userId));
    this.nsp.on('live:projects', () => this.projectsChangedHere());
  }

  /**
   * Connection state recovery restores a socket's rooms and replays what they got while it was away, before any
   * middleware runs: a session that ended meanwhile (revoked, expired) must not be restored at all.
   */
  private guardRecovery(): void {
    const adapter = this.nsp.adapter as unknown as {
      restoreSession?: (pid: string, offset: string) => Promise<RecoverySession | null>;
    };
    const restore = adapter.restoreSession?.bind(adapter);
    if (!restore) return;
    adapter.restoreSession = async (pid, offset) => {
      const session = await restore(pid, offset);
      if (!session) return session;
      const before = session.data.principal ?? null;
      const now = session.data.credentials
        ? await this.access.principalOfHandshake(session.data.credentials).catch(() => null)
        : null;
      if ((now?.id ?? null) === (before?.id ?? null)) return session;
      this.log.info({ user: before?.id }, 'live: session ended while away: not recovered');
      return null;
    };
  }

  private async onConnection(socket: LiveSocket): Promise<void> {
    socket.data.principal ??= null;
    socket.data.credentials ??= null;
    const p = socket.data.principal;
    socket.on(
      'msg',
      (raw: unknown, ack?: unknown) =>
        void this.onMessage(socket, raw, typeof ack === 'function' ? (ack as (r: LiveAck) => void) : () => {}),
    );
    this.scheduleExpiry(socket);
    if (socket.recovered) await this.recheckRooms(socket);
    if (p?.grant) await socket.join(userRoomOf(p.id));
  }

  /** A session whose token expires stops being served: the socket is closed then (its reconnect is refused). */
  private scheduleExpiry(socket: LiveSocket): void {
    const at = socket.data.principal?.expiresAt;
    if (at === undefined) return;
    const timer = setTimeout(
      () => {
        if (at > Date.now()) return this.scheduleExpiry(socket); // beyond setTimeout's reach: look again then
        this.log.info({ socket: socket.id, user: socket.data.principal?.id }, 'live: session expired: socket closed');
        socket.disconnect();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())),
    );
    timer.unref();
    socket.once('disconnect', () => clearTimeout(timer));
  }

  /** Leaves every room a recovered socket may no longer watch (its session is the new handshake's). */
  private async recheckRooms(socket: LiveSocket): Promise<void> {
    const p = socket.data.principal;
    for (const room of [...socket.rooms]) {
      if (room === socket.id) continue;
      const scope = scopeOfRoom(room.startsWith('kpis:') ? room.slice('kpis:'.length) : room);
      const keep = room.startsWith('user:')
        ? !!p?.grant && room === userRoomOf(p.id)
        : !!scope && (await this.access.canWatch(p, scope));
      if (!keep) await socket.leave(room);
    }
  }

  private async onMessage(socket: LiveSocket, raw: unknown, reply: (r: LiveAck) => void): Promise<void> {
    const parsed = LiveClientMessage.safeParse(raw);
    if (!parsed.success) {
      this.log.warn({ socket: socket.id }, 'live: bad client message');
      return reply({ ok: false, error: validationError(parsed.error, 'message') });
    }
    const m = parsed.data;
    const room = roomOf(m.scope);
    if (m.type === 'unsubscribe') {
      await socket.leave(room);
      await socket.leave(kpiRoomOf(room));
      return reply({ ok: true });
    }
    // The session is checked again at every join: one revoked on another node, or expired, joins nothing.
    const p = await this.currentPrincipal(socket);
    if (!p) {
      reply({
        ok: false,
        error: {
          code: ErrorCode.UNAUTHENTICATED,
          message: 'Log in first: connect with auth.token or the session cookie',
        },
      });
      if (socket.data.principal) socket.disconnect();
      return;
    }
    if (!(await this.access.canWatch(p, m.scope)))
      return reply({ ok: false, error: { code: ErrorCode.FORBIDDEN, message: `Not allowed to watch ${room}` } });
    await socket.join(m.kpis ? [room, kpiRoomOf(room)] : room);
    // After the join, so nothing pushed between the snapshot query and the join is lost (clients apply by time).
    try {
      const ctx: SubscribeContext = { kpis: m.kpis === true, projects: await this.readableProjects(p, m.scope) };
      const viewer: Viewer = { id: socket.id, send: (msg) => void socket.emit('msg', msg) };
      for (const hook of this.subscribeHooks) await hook(viewer, m.scope, ctx);
    } catch (err) {
      this.log.warn({ socket: socket.id, room, err }, 'live: subscribe hook failed');
      return reply({
        ok: false,
        error: {
          code: ErrorCode.STORE_UNAVAILABLE,
          message: 'Subscribed, but the current state could not be loaded; resubscribe later',
        },
      });
    }
    reply({ ok: true });
  }

  /** The socket's session as it is now (null once revoked or expired); the handshake's principal on AUTH=off. */
  private async currentPrincipal(socket: LiveSocket): Promise<Principal | null> {
    const { principal, credentials } = socket.data;
    if (!principal || !credentials) return null;
    const now = await this.access.principalOfHandshake(credentials);
    if (now?.id !== principal.id) return null;
    socket.data.principal = now;
    return now;
  }

  /** The projects of a scope the principal reads: the snapshot's filter ('all' for the city, which needs all). */
  private async readableProjects(p: Principal, scope: LiveScope): Promise<'all' | string[]> {
    if (scope.kind === 'city') return 'all';
    if (scope.kind === 'project') return [scope.projectId];
    const ids: string[] = [];
    for (const o of await this.owners.all()) {
      if (scopeContains(scope, o) && (await this.access.canWatch(p, { kind: 'project', projectId: o.id })))
        ids.push(o.id);
    }
    return ids;
  }

  // ---- pushes: every one goes through `emit`, to the rooms of the project it is about ----------------------------

  private emit(rooms: string[], m: LiveServerMessage): void {
    this.nsp.to(rooms).emit('msg', m);
  }

  private roomsOf(projectId: string): string[] {
    const owner = this.owners.peek(projectId);
    if (!owner) {
      void this.owners.get(projectId).catch(() => {}); // known from the next push on
      return roomsOfProject(projectId, undefined);
    }
    // Per owner record: a reload or a moved project brings a new record, hence new rooms.
    let rooms = this.roomCache.get(owner);
    if (!rooms) this.roomCache.set(owner, (rooms = roomsOfProject(projectId, owner)));
    return rooms;
  }

  toProject(projectId: string, m: LiveServerMessage): void {
    this.emit(this.roomsOf(projectId), m);
  }

  publishReadings(readings: LiveReading[]): void {
    const byProject = new Map<string, LiveReading[]>();
    for (const r of readings) {
      const list = byProject.get(r.projectId);
      if (list) list.push(r);
      else byProject.set(r.projectId, [r]);
    }
    const watched = this.watchedRooms();
    // Each room's batch as the projects' lists it holds: a project's readings go to several rooms (the city, its
    // enterprise, its own), so each list is serialized once when the server's encoder takes PreEncoded messages.
    const byRoom = new Map<string, LiveReading[][]>();
    for (const [projectId, list] of byProject) {
      for (const room of this.roomsOf(projectId)) {
        if (watched && !watched(room)) continue;
        const into = byRoom.get(room);
        if (!into) byRoom.set(room, [list]);
        else into.push(list);
      }
    }
    const json = new Map<LiveReading[], string>();
    for (const [room, lists] of byRoom) {
      const scope = scopeOfRoom(room)!;
      if (this.preEncode) this.emitPreEncoded(room, preEncodedBatch(scope, lists, json));
      else
        this.emit([room], { type: 'telemetry.batch', scope, readings: lists.length === 1 ? lists[0]! : lists.flat() });
    }
  }

  /** A message serialized already (LiveEncoder writes its text as it is; the types know only LiveServerMessage). */
  private emitPreEncoded(room: string, m: PreEncoded): void {
    this.nsp.to(room).emit('msg', m as unknown as LiveServerMessage);
  }

  /**
   * On one node, the rooms someone watches: connected, or away within the recovery window (a session Socket.IO keeps
   * to replay what its rooms got meanwhile); null (all rooms) with several nodes, whose rooms this node cannot see.
   * Every emit is encoded and kept in the recovery buffer even when its room is empty. A city-wide batch went to each
   * region prefix (37, 370, 3702, 37021...), which often all hold the whole city: a tick cost 3x the city + project
   * fan-out (1 000 readings over 200 projects, 20 enterprises, 10 districts, measured in one run). And a city has
   * ~1 000 project rooms, a few dozen of them watched: an emit to each project room with readings, every tick, was
   * the largest part of bench/city.ts's fan-out. Rooms nobody watches get nothing; a viewer that joins later gets its
   * snapshot on subscribe, and one that blinks is still replayed what its rooms were sent while it was away.
   */
  private watchedRooms(): ((room: string) => boolean) | null {
    if (this.opts.clustered) return null;
    const adapter = this.nsp.adapter as unknown as {
      rooms: Map<string, Set<string>>;
      sessions?: Map<string, { rooms: string[] }>;
    };
    let away: Set<string> | undefined;
    if (adapter.sessions?.size) {
      away = new Set();
      for (const session of adapter.sessions.values()) for (const room of session.rooms) away.add(room);
    }
    return (room) => !!adapter.rooms.get(room)?.size || !!away?.has(room);
  }

  /**
   * A project record changed. A project that moved to another enterprise or region leaves the rooms it is no longer
   * in (they get `project.deleted`), and viewers of its own room that may no longer read it are taken out first.
   */
  publishProject(m: Extract<LiveServerMessage, { type: `project.${string}` }>): void {
    this.access.invalidate({ projects: true });
    if (this.opts.clustered) this.nsp.serverSideEmit('live:projects');
    if (m.type === 'project.deleted') {
      this.emit(this.roomsOf(m.projectId), m);
      this.owners.invalidate();
      return;
    }
    const before = this.owners.peek(m.project.id);
    this.owners.learn(m.project);
    const rooms = this.roomsOf(m.project.id);
    const moved =
      !!before && (before.enterpriseId !== m.project.enterpriseId || before.regionCode !== m.project.regionCode);
    if (!moved) return this.emit(rooms, m);
    const left = roomsOfProject(m.project.id, before).filter((r) => !rooms.includes(r));
    if (left.length) this.emit(left, { type: 'project.deleted', projectId: m.project.id });
    const own = roomOf({ kind: 'project', projectId: m.project.id });
    this.emit(
      rooms.filter((r) => r !== own),
      m,
    );
    void this.recheckRoom(own).finally(() => this.emit([own], m));
  }

  /** Takes out of `room` (on every node) the viewers that may no longer watch it. */
  private async recheckRoom(room: string): Promise<void> {
    const scope = scopeOfRoom(room);
    if (!scope) return;
    try {
      for (const s of await this.nsp.in(room).fetchSockets()) {
        if (await this.access.canWatch(s.data.principal ?? null, scope)) continue;
        s.leave(room);
        s.leave(kpiRoomOf(room));
      }
    } catch (err) {
      this.log.warn({ room, err }, 'live: re-checking the viewers of a room failed');
    }
  }

  publishDevice(m: Extract<LiveServerMessage, { type: `device.${string}` }>): void {
    this.toProject(m.type === 'device.deleted' ? m.projectId : m.device.projectId, m);
  }

  publishModel(m: Extract<LiveServerMessage, { type: `model.${string}` }>): void {
    this.toProject(
      m.type === 'model.deleted' ? m.projectId : m.type === 'model.progress' ? m.progress.projectId : m.model.projectId,
      m,
    );
  }

  onSubscribe(hook: SubscribeHook): void {
    this.subscribeHooks.push(hook);
  }

  kpiScopes(): LiveScope[] {
    const scopes: LiveScope[] = [];
    for (const [room, members] of this.nsp.adapter.rooms) {
      if (!members.size || !room.startsWith('kpis:')) continue;
      const scope = scopeOfRoom(room.slice('kpis:'.length));
      if (scope) scopes.push(scope);
    }
    return scopes;
  }

  toKpiViewers(scope: LiveScope, m: LiveServerMessage): void {
    // Each node computes the KPIs of its own viewers: a cluster-wide emit would send them once per node.
    this.nsp.local.to(kpiRoomOf(roomOf(scope))).emit('msg', m);
  }

  // ---- sessions ---------------------------------------------------------------------------------------------

  /**
   * Ends every `/live` socket of a user, on every node (a password change, a disable, a scope change, a delete): each
   * node forgets its cached user first, so the client's reconnect is checked against the changed account.
   */
  endSessions(userId: string): void {
    this.revokeHere(userId);
    if (this.opts.clustered) this.nsp.serverSideEmit('live:revoke', userId);
  }

  private revokeHere(userId: string): void {
    this.access.invalidate({ userId });
    this.nsp.local.in(userRoomOf(userId)).disconnectSockets();
    this.log.info({ user: userId }, 'live: sessions of the user ended');
  }

  private projectsChangedHere(): void {
    this.access.invalidate({ projects: true });
    this.owners.invalidate();
  }

  /** Number of connected viewers (for health and tests). */
  get viewerCount(): number {
    return this.nsp.sockets.size;
  }

  close(): void {
    this.unboundRecovery();
  }
}
