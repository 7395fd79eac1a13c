import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { ensureClientBuilt } from '../../server/clientBuild.js';
import { createLogger } from '../../server/log.js';
import { CLIENT_DIST_DIR, ROOT_DIR } from '../../server/Server.js';
import { CHROMIUM_LAUNCH } from '../e2e/browser.js';
import { preparePgliteTemplate } from './pgliteTemplate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Playwright endpoint of the one Chromium of an e2e run; each file opens fresh contexts in it (tests/e2e/browser.ts). */
    chromiumEndpoint: string;
  }
}

/**
 * e2e, once per run: the client built (as `npm start` would), the store template ready, and one Chromium launched
 * for every file (closed by the returned teardown).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await ensureClientBuilt(ROOT_DIR, CLIENT_DIST_DIR, createLogger('info'));
  project.provide('pgliteTemplate', await preparePgliteTemplate());
  const chromiumServer = await chromium.launchServer(CHROMIUM_LAUNCH);
  project.provide('chromiumEndpoint', chromiumServer.wsEndpoint());
  return async () => {
    await chromiumServer.close();
  };
}
