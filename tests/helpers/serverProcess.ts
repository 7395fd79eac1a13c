/**
 * The real server in a process of its own, for tests that must measure the server alone (its RSS from
 * /proc/<pid>/status) while the test drives it. Run as `node --import tsx tests/helpers/serverProcess.ts` with the
 * server's env plus STORE_DIR (a PGlite data folder, copied from the test template by the parent). Prints one JSON
 * line `{"url": ...}` when it serves; SIGTERM closes it.
 */
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { startServer } from '../../server/Server.js';
import { openStore } from '../../server/store/Store.js';

const storeDir = process.env.STORE_DIR;
if (!storeDir) throw new Error('serverProcess: STORE_DIR is not set');
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  SEED: '0',
  SIMULATE: '0',
  ...process.env,
});
const store = await openStore({ dataDir: storeDir });
const server = await startServer({ config, store, log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
process.stdout.write(JSON.stringify({ url: server.url }) + '\n');
process.on('SIGTERM', () => {
  void server
    .close()
    .then(() => store.close())
    .finally(() => process.exit(0));
});
