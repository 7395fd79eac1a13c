import { io, type Socket } from 'socket.io-client';
import { loadConfig, type Config } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { startServer, type RunningServer } from '../../server/Server.js';
import type { Store } from '../../server/store/Store.js';
import { PROTOCOL_VERSION, type LiveClientToServer, type LiveServerToClient } from '../../models/protocol.js';
import { openTestStore, type StoreKind, type TestStore } from './store.js';

export interface TestServer {
  server: RunningServer;
  store: Store;
  url: string;
  /** JSON fetch against the server: returns status, headers and the parsed body. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }>;
  /** A real socket.io-client on `/live`, connected with the right protocol version unless told otherwise. */
  live(auth?: Record<string, unknown>): Socket<LiveServerToClient, LiveClientToServer>;
  close(): Promise<void>;
}

/** Starts the real server on a free port over a fresh store (or the one given). */
export async function startTestServer(opts: { kind?: StoreKind; store?: TestStore; env?: Record<string, string> } = {}): Promise<TestServer> {
  const ts = opts.store ?? (await openTestStore(opts.kind));
  const config: Config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SEED: '0', SIMULATE: '0', ...opts.env });
  const server = await startServer({ config, store: ts.store, log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
  const sockets: Socket[] = [];
  return {
    server,
    store: ts.store,
    url: server.url,
    async api(method, path, body) {
      const res = await fetch(server.url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed as any, headers: res.headers };
    },
    live(auth = { protocolVersion: PROTOCOL_VERSION }) {
      const s = io(`${server.url}/live`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(s);
      return s;
    },
    async close() {
      for (const s of sockets) s.close();
      await server.close();
      if (!opts.store) await ts.cleanup();
    },
  };
}
