import type { TestProject } from 'vitest/node';
import { ensureClientBuilt } from '../../server/clientBuild.js';
import { createLogger } from '../../server/log.js';
import { CLIENT_DIST_DIR, ROOT_DIR } from '../../server/Server.js';
import { preparePgliteTemplate } from './pgliteTemplate.js';

/** e2e: the client must be built (as `npm start` would), and the store template ready. */
export default async function setup(project: TestProject): Promise<void> {
  await ensureClientBuilt(ROOT_DIR, CLIENT_DIST_DIR, createLogger('info'));
  project.provide('pgliteTemplate', await preparePgliteTemplate());
}
