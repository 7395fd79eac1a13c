import { join } from 'node:path';
import { ensureClientBuilt } from '../server/clientBuild.js';
import { loadConfig } from '../server/config.js';
import { createLogger, type Logger } from '../server/log.js';
import { CLIENT_DIST_DIR, ROOT_DIR, startServer } from '../server/Server.js';
import { openStore, type Store } from '../server/store/Store.js';

/**
 * The browser benches' server: the client built as `npm start` would, the embedded store in `<dataDir>/db`, the real
 * server on a free local port with accounts, seed and simulator off (a bench seeds what it measures). `env` adds or
 * overrides configuration (e.g. KPI_PUSH_MS).
 */
export async function startBenchServer(
  dataDir: string,
  opts: { env?: Record<string, string>; beforeStart?: (store: Store) => Promise<unknown> } = {},
): Promise<{ store: Store; server: Awaited<ReturnType<typeof startServer>>; log: Logger }> {
  const log = createLogger('warn');
  await ensureClientBuilt(ROOT_DIR, CLIENT_DIST_DIR, log);
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SEED: '0',
    SIMULATE: '0',
    AUTH: 'off',
    LOG_LEVEL: 'warn',
    BUILD_CLIENT: '0',
    ...opts.env,
  });
  const store = await openStore({ dataDir: join(dataDir, 'db') });
  await opts.beforeStart?.(store);
  const server = await startServer({ config, store, log });
  return { store, server, log };
}
