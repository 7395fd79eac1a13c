import type { TestProject } from 'vitest/node';
import { preparePgliteTemplate } from './pgliteTemplate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated, empty PGlite data folder to copy from. */
    pgliteTemplate: string;
    /** The e2e run's one Chromium (tests/helpers/e2eSetup.ts); absent elsewhere, where a test launches its own. */
    chromiumWsEndpoint?: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('pgliteTemplate', await preparePgliteTemplate());
}
