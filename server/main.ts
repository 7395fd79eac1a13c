import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { ensureClientBuilt } from './clientBuild.js';
import { ensureAdmin, seedDemoAccounts } from './auth/bootstrap.js';
import { createLogger } from './log.js';
import { seedDemoModels } from './ifc/demoSeed.js';
import { seedDemoCity } from './seed/demoCity.js';
import { startInAppSimulation } from './simulator/inApp.js';
import { CLIENT_DIST_DIR, ROOT_DIR, startServer } from './Server.js';
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
  if (config.BUILD_CLIENT) await ensureClientBuilt(ROOT_DIR, CLIENT_DIST_DIR, log);

  const where = config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : { dataDir: resolve(config.DATA_DIR) };
  log.info({ store: config.DATABASE_URL ? 'server' : 'embedded', ...('dataDir' in where ? { dataDir: where.dataDir } : {}) }, 'opening the store');
  const store = await openStore(where);
  if (config.SEED) await seedDemoCity(store, log);
  if (config.AUTH === 'on') {
    // The one-time admin password goes to stdout only: the JSON log may be shipped elsewhere.
    await ensureAdmin(store, log, (text) => process.stdout.write(text));
    if (config.SEED) await seedDemoAccounts(store, log);
  } else log.warn('AUTH=off: every request may do everything (development only)');

  const server = await startServer({ config, store, log });
  // Demo buildings are generated and converted in the IFC workers; the server serves meanwhile.
  if (config.SEED) seedDemoModels(store, server.models, log).catch((err) => log.error({ err }, 'ifc: seeding demo models failed'));
  log.info({ url: server.url }, 'Site Twin is up');
  process.stdout.write(`\n  Site Twin is running: ${server.url}\n\n`);
  // The demo is alive from the first second; SIMULATE=0 turns it off.
  const simulation = config.SIMULATE ? await startInAppSimulation(server.ctx, { streamBaseUrl: server.url }) : undefined;

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

main().catch((err) => {
  console.error('Site Twin failed to start:', err);
  process.exit(1);
});
