import { vi } from 'vitest';
import { setLocale } from '../../client/i18n/i18n.js';

/**
 * Runs before every file of the node project, whose workers run file after file in one process (isolate: false):
 * puts back what a file may have left for the next. The client tests' fake DOM and window (tests/client/fakeDom.ts,
 * TourPlayer.test.ts) would make Cesium, imported first by a later file, read a page that is not there; a file's
 * locale, fake clock, stubbed globals or environment would carry over to the next.
 */
const g = globalThis as Record<string, unknown>;
for (const name of ['document', 'window', 'Option']) delete g[name];
vi.useRealTimers();
vi.unstubAllGlobals();
vi.unstubAllEnvs();
setLocale('zh-CN');
