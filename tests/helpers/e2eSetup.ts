import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { ensureClientBuilt } from '../../server/clientBuild.js';
import { createLogger } from '../../server/log.js';
import { CLIENT_DIST_DIR, ROOT_DIR } from '../../server/Server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';
import { preparePgliteTemplate } from './pgliteTemplate.js';

/**
 * e2e: the client must be built (as `npm start` would), the store template ready, and one headless Chromium runs for
 * the whole run: each file opens fresh contexts in it (tests/e2e/browser.ts) instead of launching its own.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [browser] = await Promise.all([
    chromium.launchServer({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS }),
    ensureClientBuilt(ROOT_DIR, CLIENT_DIST_DIR, createLogger('info')),
    preparePgliteTemplate().then((dir) => project.provide('pgliteTemplate', dir)),
  ]);
  project.provide('chromiumWsEndpoint', browser.wsEndpoint());
  return () => browser.close();
}
