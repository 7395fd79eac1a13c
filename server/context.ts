import type { Config } from './config.js';
import type { AccessPolicy } from './auth/access.js';
import type { Ingest } from './ingest/Ingest.js';
import type { Logger } from './log.js';
import type { LiveHub } from './realtime/LiveHub.js';
import type { Store } from './store/Store.js';

/** What routers and socket handlers get: no globals, so tests can build several servers side by side. */
export interface AppContext {
  config: Config;
  store: Store;
  log: Logger;
  live: LiveHub;
  access: AccessPolicy;
  /** The one way in for device readings, whatever the transport. */
  ingest: Ingest;
  startedAt: number;
}
