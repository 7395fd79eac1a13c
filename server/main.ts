import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { ensureClientBuilt } from './clientBuild.js';
import { ensureAdmin } from './auth/bootstrap.js';
import { createLogger } from './log.js';
// The demo (SEED, SIMULATE): the only importer of server/demo/ besides Server.ts, which mounts its camera streams.
import { seedDemoAccounts } from './demo/accounts.js';
import { seedDemoCity } from './demo/demoCity.js';
import { seedDemoModels } from './demo/demoSeed.js';
import { startInAppSimulation } from './demo/simulator/inApp.js';
import { CLIENT_DIST_DIR, ROOT_DIR, startServer } from './Server.js';
import { mapUnavailable, StoreUnavailableError } from './store/errors.js';
import { checkSharedBuffers } from './store/pgSizing.js';
import { openStore } from './store/Store.js';

/** `npm start`: build the client if needed, open the store, seed the demo city, serve. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.LOG_LEVEL);
  guardProcess(log);
  if (config.BUILD_CLIENT) await ensureClientBuilt(ROOT_DIR, CLIENT_DIST_DIR, log);

  const where = config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : { dataDir: resolve(config.DATA_DIR) };
  log.info(
    { store: config.DATABASE_URL ? 'server' : 'embedded', ...('dataDir' in where ? { dataDir: where.dataDir } : {}) },
    'opening the store',
  );
  const store = await openStore(where, {
    statementTimeoutMs: config.STORE_STATEMENT_TIMEOUT_MS,
    pgliteSharedBuffersMb: config.PGLITE_SHARED_BUFFERS_MB,
    log,
  });
  if (config.SEED) await seedDemoCity(store, log);
  await checkSharedBuffers(store.db, log);
  if (store.db.kind === 'server') store.telemetry.writeMode = config.INGEST_WRITE_MODE;
  if (config.AUTH === 'on') {
    // The one-time admin password goes to stdout only: the JSON log may be shipped elsewhere.
    await ensureAdmin(store, log, (text) => process.stdout.write(text));
    if (config.SEED) await seedDemoAccounts(store, log);
  } else log.warn('AUTH=off: every request may do everything (development only)');

  const server = await startServer({ config, store, log });
  // Demo buildings are generated and converted in the IFC workers; the server serves meanwhile.
  if (config.SEED)
    seedDemoModels(store, server.models, log).catch((err) => log.error({ err }, 'ifc: seeding demo models failed'));
  log.info({ url: server.url }, 'Site Twin is up');
  process.stdout.write(`\n  Site Twin is running: ${server.url}\n\n`);
  // The demo is alive from the first second; SIMULATE=0 turns it off.
  const simulation = config.SIMULATE
    ? await startInAppSimulation(server.ctx, { streamBaseUrl: server.url })
    : undefined;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await simulation?.stop();
    await server.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Errno codes of a socket or a file that failed: an operational fault of the outside world, not a bug of ours. */
const OPERATIONAL = /^(E[A-Z]+|\d{2}[0-9A-Z]{3})$/;

/**
 * A server meant to run for months must not be ended by one stray failure, nor hide one. A promise rejected with no
 * handler is logged and the server goes on (each request's own path has answered or will time out). An exception
 * nobody caught is logged; the server goes on only when it is operational (a socket or store connection's 'error'
 * event: a code like ECONNRESET or a SQLSTATE, or a store error such as pg's "Connection terminated"). After any
 * other (a programming error) the state is unknown: exit 1 and let the supervisor restart us. Node's own ERR_* codes
 * have an underscore and do not match OPERATIONAL.
 */
function guardProcess(log: ReturnType<typeof createLogger>): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (logged, server keeps running)');
  });
  process.on('uncaughtException', (err, origin) => {
    const code = (err as { code?: unknown }).code;
    if ((typeof code === 'string' && OPERATIONAL.test(code)) || mapUnavailable(err) instanceof StoreUnavailableError) {
      log.error({ err, origin }, 'uncaught operational error (logged, server keeps running)');
      return;
    }
    log.fatal({ err, origin }, 'uncaught exception: exiting');
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
  });
}

main().catch((err) => {
  console.error('Site Twin failed to start:', err);
  process.exit(1);
});
