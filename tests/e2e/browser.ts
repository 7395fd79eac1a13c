import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { ROOT_DIR } from '../../server/Server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';

/** Where e2e screenshots go (git-ignored). */
export const RESULTS_DIR = join(ROOT_DIR, 'test-results');

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for URLs that stay on this machine, or never touch the network (data:, blob:). */
export function isLocalUrl(url: string): boolean {
  const u = new URL(url);
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return true;
  return LOCAL_HOSTS.has(u.hostname);
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** console.error lines and uncaught page errors, in order. */
  consoleErrors: string[];
  /** Every request that left this machine (must stay empty: the app is offline-capable). */
  externalRequests: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** The e2e run's one Chromium (tests/helpers/e2eSetup.ts), connected once per test file. */
let shared: Promise<Browser> | null = null;

/**
 * A fresh browser context (its own cookies and storage: a fresh session) with one page, in Debian's Chromium headless
 * with SwiftShader WebGL (no GPU here), recording console errors and requests to non-local hosts for the test to assert
 * on. Under the e2e project the context is opened in the one Chromium the global setup launched (a launch per file
 * costs seconds on a loaded machine); elsewhere (no endpoint provided) Chromium is launched with a fresh profile.
 */
export async function openBrowser(
  opts: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserSession> {
  const viewport = opts.viewport ?? { width: 1600, height: 900 };
  const endpoint = inject('chromiumWsEndpoint');
  let context: BrowserContext;
  let profile: string | null = null;
  if (endpoint) {
    shared ??= chromium.connect(endpoint, { timeout: SLOW_MS });
    context = await (await shared).newContext({ viewport });
  } else {
    profile = mkdtempSync(join(tmpdir(), 'sitetwin-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
    });
  }
  const consoleErrors: string[] = [];
  const externalRequests: string[] = [];
  context.on('request', (r) => {
    if (!isLocalUrl(r.url())) externalRequests.push(r.url());
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // "Failed to load resource: ... 400" names no resource in its text; its location does (which request failed).
    const at = m.location()?.url;
    consoleErrors.push(at && m.text().startsWith('Failed to load resource') ? `${m.text()} (${at})` : m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  mkdirSync(RESULTS_DIR, { recursive: true });
  return {
    context,
    page,
    consoleErrors,
    externalRequests,
    async screenshot(name) {
      const path = join(RESULTS_DIR, `${name}.png`);
      // A frame can take many seconds when the shared machine is busy: Playwright's 30 s default is not enough.
      await page.screenshot({ path, timeout: SLOW_MS });
      return path;
    },
    async close() {
      await context.close(); // a second call does nothing
      if (profile) rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The map's antialiasing of an e2e server (`MAP_MSAA_SAMPLES`, as a PC without a GPU would set it): off. SwiftShader
 * resolves every sample on the CPU; only the smoothness of edges changes (no test compares edge pixels), and a frame of
 * the 1600x900 map page at 0.5 MP took 449-576 ms instead of 666-744 ms (bench/mapBudget.ts, MSAA_LIST=4,1, load 4-5).
 * E2E_MAP_MSAA_SAMPLES=4 runs the tests with Cesium's default.
 */
export const E2E_MAP_MSAA = { MAP_MSAA_SAMPLES: process.env.E2E_MAP_MSAA_SAMPLES ?? '1' } as const;

/**
 * The map's pixel budget of an e2e server (`MAP_MAX_PIXELS`, as a command-centre PC without a GPU would set it): a test
 * that checks no pixel colour and no drawing-buffer size starts its server with it. Cesium draws fewer pixels and the
 * browser scales them up; the page's layout, labels, lines, clicks and picks stay in CSS pixels, so every check of
 * them holds. A SwiftShader frame of the 1600x900 map page takes about a third of the time (bench/mapBudget.ts).
 * E2E_MAP_MAX_PIXELS=8300000 runs those tests at full resolution (sharp screenshots to look at). Antialiasing off too
 * (E2E_MAP_MSAA).
 */
export const E2E_MAP_BUDGET = { MAP_MAX_PIXELS: process.env.E2E_MAP_MAX_PIXELS ?? '500000', ...E2E_MAP_MSAA } as const;

/** Headless SwiftShader renders about one frame a second: waits are long on purpose. */
export const SLOW_MS = 180_000;

/** Waits until the app says the globe and the projects are on screen. */
export async function waitForReady(page: Page, timeout = SLOW_MS): Promise<void> {
  await page.waitForFunction(
    () => document.body.dataset.ready === '1' && window.__siteTwin?.ready === true,
    undefined,
    { timeout, polling: 250 },
  );
}

/**
 * Waits until the camera is at rest and every tile and footprint of the view is loaded (for screenshots). A timeout
 * says what the page still waited for (`__siteTwin.waiting`), how many frames it drew meanwhile and whether the page
 * still gets animation frames (Cesium's render loop, camera events and tile loading all run on them).
 */
export async function waitForIdle(page: Page, timeout = SLOW_MS): Promise<void> {
  const frames = await page.evaluate(() => window.__siteTwin?.frames ?? 0);
  try {
    await page.waitForFunction(() => window.__siteTwin?.idle === true, undefined, { timeout, polling: 250 });
  } catch (err) {
    const state = await page
      .evaluate(
        () =>
          new Promise<{ waiting: string[]; frames: number; animationFrame: boolean }>((resolve) => {
            const p = window.__siteTwin;
            const at = { waiting: p?.waiting ?? [], frames: p?.frames ?? 0, animationFrame: false };
            const timer = setTimeout(() => resolve(at), 5_000);
            requestAnimationFrame(() => (clearTimeout(timer), resolve({ ...at, animationFrame: true })));
          }),
      )
      .catch((e: Error) => `unreadable: ${e.message}`);
    throw new Error(
      `not idle after ${timeout} ms (frames before: ${frames}; now: ${JSON.stringify(state)}): ${(err as Error).message}`,
    );
  }
}
