import { io, type Socket } from 'socket.io-client';
import { loadConfig, type Config } from '../../server/config.js';
import { createLogger, type Logger } from '../../server/log.js';
import { startServer, type RunningServer } from '../../server/Server.js';
import type { Store } from '../../server/store/Store.js';
import { PROTOCOL_VERSION, type LiveClientToServer, type LiveServerToClient } from '../../models/protocol.js';
import { openTestStore, type StoreKind, type TestStore } from './store.js';

export interface TestServer {
  server: RunningServer;
  store: Store;
  url: string;
  /** JSON fetch against the server: returns status, headers and the parsed body. */
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    opts?: { token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  /** Logs in (AUTH=on servers) and returns the session token for `api(..., { token })` and `live({ token })`. */
  login(username: string, password: string): Promise<string>;
  /** A real socket.io-client on `/live`, connected with the right protocol version unless told otherwise. */
  live(auth?: Record<string, unknown>): Socket<LiveServerToClient, LiveClientToServer>;
  close(): Promise<void>;
}

/**
 * Starts the real server on a free port over a fresh store (or the one given). Accounts and rate limits are off
 * unless `env` turns them on (AUTH=on, RATE_LIMIT_*): tests about other features act as an all-seeing anonymous user.
 */
export async function startTestServer(
  opts: { kind?: StoreKind; store?: TestStore; env?: Record<string, string>; log?: Logger } = {},
): Promise<TestServer> {
  const ts = opts.store ?? (await openTestStore(opts.kind));
  const config: Config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SEED: '0',
    SIMULATE: '0',
    AUTH: 'off',
    RATE_LIMIT_API_PER_MIN: '0',
    RATE_LIMIT_LOGIN_PER_MIN: '0',
    RATE_LIMIT_DEVICE_PER_S: '0',
    // A test server converts a few small models: V8's lazy wasm compile costs it less than the ~1.5 s of CPU a worker
    // spends compiling all of web-ifc up front. The eager default runs a real job in tests/server/ifc/conversionPool.
    IFC_WORKER_EAGER_WASM: '0',
    ...opts.env,
  });
  const server = await startServer({
    config,
    store: ts.store,
    log: opts.log ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
  const sockets: Socket[] = [];
  const t: TestServer = {
    server,
    store: ts.store,
    url: server.url,
    async api(method, path, body, o = {}) {
      const res = await fetch(server.url + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...o.headers,
        },
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
    async login(username, password) {
      const res = await t.api('POST', '/api/v1/auth/login', { username, password });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
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
  return t;
}
