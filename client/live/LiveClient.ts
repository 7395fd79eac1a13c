import { io, type Socket } from 'socket.io-client';
import { WireError } from '../../models/errors.js';
import {
  LiveServerMessage,
  PROTOCOL_VERSION,
  roomOf,
  type LiveAck,
  type LiveClientMessage,
  type LiveClientToServer,
  type LiveScope,
  type LiveServerToClient,
} from '../../models/protocol.js';
import { onSessionChanged } from '../auth/session.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';

/**
 * Connection state as the UI shows it. `mismatch` is final: this page speaks another protocol than the server and
 * must be reloaded; every other state recovers by itself.
 */
export type LiveStatus = 'connecting' | 'connected' | 'reconnecting' | 'mismatch' | 'closed';

export interface LiveClientOptions {
  /** Origin of the server; the page's own when omitted. */
  url?: string;
  /** Only tests change this (to provoke a mismatch). */
  protocolVersion?: number;
  /**
   * Scopes to watch; re-sent after every reconnect since the server forgets rooms with the socket. A function is asked
   * at every connection (the rooms an account may watch change with the login).
   */
  scopes?: LiveScope[] | (() => Promise<LiveScope[]>);
  /** Force a transport (tests in Node use websocket); the browser default (polling, then upgrade) is kept otherwise. */
  transports?: ('polling' | 'websocket')[];
  /** Reconnect when the page logs in (default true); Node tests that pass a token leave it. */
  followSession?: boolean;
}

/**
 * The `/live` connection. Every message is parsed with its schema on arrival (types are a promise, the schema is
 * the check); a message that fails is counted and dropped, never passed on.
 */
export class LiveClient implements Tool {
  readonly onStatus = new Event<LiveStatus>();
  readonly onMessage = new Event<LiveServerMessage>();
  /** Fired after each (re)connection once the subscriptions are acknowledged: time to refetch what was missed. */
  readonly onSubscribed = new Event<{ reconnect: boolean }>();
  readonly onRejected = new Event<{ reason: string }>();

  private readonly socket: Socket<LiveServerToClient, LiveClientToServer>;
  private _status: LiveStatus = 'connecting';
  private _enabled = true;
  private connections = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly offSession: () => void;
  /** The rooms of the scopes this client holds for the page (a tool's own unsubscribe must not drop them). */
  private watched = new Set<string>();
  /** The server's last error at the handshake, for the banner. */
  lastError: WireError | null = null;

  constructor(private readonly opts: LiveClientOptions = {}) {
    const path = `${opts.url ?? ''}/live`;
    this.socket = io(path, {
      auth: { protocolVersion: opts.protocolVersion ?? PROTOCOL_VERSION },
      ...(opts.transports ? { transports: opts.transports } : {}),
      reconnectionDelayMax: 10_000,
    });
    this.socket.on('connect', () => void this.onConnect());
    this.socket.on('disconnect', (reason) => {
      // A network drop reconnects by itself; our own close() ends here. A server-side disconnect (server shutting
      // down sockets on deploy) does not auto-reconnect in socket.io, so we ask again after a pause.
      if (reason === 'io client disconnect') return this.setStatus('closed');
      this.setStatus('reconnecting');
      if (reason === 'io server disconnect') this.retryTimer = setTimeout(() => this.socket.connect(), 2_000);
    });
    this.socket.on('connect_error', (err: Error & { data?: unknown }) => {
      const w = WireError.safeParse(err.data);
      this.lastError = w.success ? w.data : null;
      if (w.success && w.data.code === 'protocol_mismatch') {
        this.socket.disconnect(); // retrying cannot help: the page itself is out of date
        this.setStatus('mismatch');
        return;
      }
      this.setStatus(this.connections > 0 ? 'reconnecting' : 'connecting');
    });
    this.socket.on('msg', (raw: unknown) => {
      const r = LiveServerMessage.safeParse(raw);
      if (!r.success) {
        this.onRejected.trigger({ reason: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        return;
      }
      if (this._enabled) this.onMessage.trigger(r.data);
    });
    // The server reads the principal once, at the handshake: a socket opened before the login stays anonymous and its
    // subscriptions refused until it connects again with the session cookie.
    this.offSession = opts.followSession === false ? () => {} : onSessionChanged.add(() => this.reconnect());
  }

  /** Drops the connection and opens a new one (new handshake, so the current session cookie); resubscribes after. */
  reconnect(): void {
    if (this._status === 'mismatch' || this._status === 'closed') return;
    clearTimeout(this.retryTimer);
    this.socket.disconnect(); // reports 'closed' at once; the banner should say what happens next instead
    this.setStatus('reconnecting');
    this.socket.connect();
  }

  get status(): LiveStatus {
    return this._status;
  }

  get enabled(): boolean {
    return this._enabled;
  }
  /** Disabled: messages are still parsed but not passed on (e.g. a frozen wall display). */
  set enabled(v: boolean) {
    this._enabled = v;
  }

  private async onConnect(): Promise<void> {
    const reconnect = this.connections++ > 0;
    this.lastError = null;
    const wanted = this.opts.scopes ?? [{ kind: 'city' }];
    const scopes = typeof wanted === 'function' ? await wanted() : wanted;
    this.watched = new Set(scopes.map(roomOf));
    // Together, not one after the other: a project account may watch hundreds of project rooms.
    await Promise.all(
      scopes.map(async (scope) => {
        const ack = await this.send({ type: 'subscribe', scope });
        if (!ack.ok) this.onRejected.trigger({ reason: `subscribe refused: ${ack.error.code}: ${ack.error.message}` });
      }),
    );
    this.setStatus('connected');
    this.onSubscribed.trigger({ reconnect });
  }

  /** True when `scope` is one the client watches for the whole page (so a tool closing it must not unsubscribe). */
  holds(scope: LiveScope): boolean {
    return this.watched.has(roomOf(scope));
  }

  /** Sends a client message and resolves with the server's acknowledgement. */
  send(m: LiveClientMessage, timeoutMs = 10_000): Promise<LiveAck> {
    return new Promise((resolve) => {
      this.socket.timeout(timeoutMs).emit('msg', m, (err: Error | null, ack: LiveAck) => {
        resolve(
          err
            ? { ok: false, error: { code: 'internal', message: `No answer to ${m.type} within ${timeoutMs} ms` } }
            : ack,
        );
      });
    });
  }

  private setStatus(s: LiveStatus): void {
    if (s === this._status) return;
    this._status = s;
    this.onStatus.trigger(s);
  }

  dispose(): void {
    this.offSession();
    clearTimeout(this.retryTimer);
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this._status = 'closed';
    this.onStatus.reset();
    this.onMessage.reset();
    this.onSubscribed.reset();
    this.onRejected.reset();
  }
}
