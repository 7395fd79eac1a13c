import type { TestProject } from 'vitest/node';
import { preparePgliteTemplate } from './pgliteTemplate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated, empty PGlite data folder to copy from. */
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('pgliteTemplate', await preparePgliteTemplate());
}
