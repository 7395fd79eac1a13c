import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../models/geo.js';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { startServer, type RunningServer } from '../../server/Server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { E2E_MAP_BUDGET, openBrowser, SLOW_MS, waitForReady, type BrowserSession } from './browser.js';

let t: TestServer;
let b: BrowserSession;
let restarted: RunningServer | null = null;

beforeAll(async () => {
  t = await startTestServer({ env: E2E_MAP_BUDGET }); // no seed: an empty city
  b = await openBrowser({ viewport: { width: 1280, height: 800 } });
});
afterAll(async () => {
  await b?.close();
  await restarted?.close();
  await t?.close();
});

const probe = () => b.page.evaluate(() => ({ ...window.__siteTwin, projectPagePosition: undefined }));
/** What Chromium itself logs while the server is down: failed connections to this machine, nothing else. */
const isOutageNoise = (m: string) =>
  /ERR_CONNECTION_REFUSED|WebSocket connection to 'ws:\/\/(127\.0\.0\.1|localhost):\d+\/socket\.io\/.*failed/.test(m);

describe('city overview states', () => {
  it('shows the empty state for a city without projects', async () => {
    await b.page.goto(t.url, { waitUntil: 'domcontentloaded' });
    await waitForReady(b.page);
    const p = await probe();
    expect(p.state).toBe('empty');
    expect(p.projectsDrawn).toBe(0);
    await expect.poll(() => b.page.locator('[data-testid="list-empty"]').textContent()).toContain('No projects yet');
    expect(await b.page.locator('[data-testid="project-count"]').textContent()).toBe('0');
    expect(b.consoleErrors).toEqual([]);
    expect(b.externalRequests).toEqual([]);
  });

  it('says it is reconnecting while the server is down, then catches up on what changed', async () => {
    const port = t.server.port;
    await t.server.close();
    await expect.poll(async () => (await probe()).liveStatus, { timeout: 60_000 }).toBe('reconnecting');
    const banner = b.page.locator('[data-testid="connection-banner"]');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toMatch(/reconnecting/i);
    await b.screenshot('city-reconnecting');

    // Created while no viewer could be told: the page must pick it up by reloading after the reconnect.
    const e = await t.store.enterprises.create({ name: '断线测试建设有限公司', role: 'contractor' });
    const lon = 120.38;
    const lat = 36.13;
    const p = await t.store.projects.create({
      name: '断线期间创建的项目',
      enterpriseId: e.id,
      address: '',
      regionCode: '370203',
      location: { lon, lat, height: 0 },
      footprint: rectangleAround({ lon, lat }, 120, 80),
      status: 'planned',
      heightM: 30,
    });
    restarted = await startServer({
      // Same settings as the first server (tests/helpers/server.ts): accounts off, or the reload after the reconnect
      // would meet the login screen (AUTH defaults to on).
      config: loadConfig({
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        SEED: '0',
        SIMULATE: '0',
        AUTH: 'off',
        RATE_LIMIT_API_PER_MIN: '0',
        ...E2E_MAP_BUDGET,
      }),
      store: t.store,
      log: createLogger('silent'),
    });
    await expect.poll(async () => (await probe()).liveStatus, { timeout: 60_000 }).toBe('connected');
    expect(await banner.isHidden()).toBe(true);
    await expect.poll(() => b.page.locator(`[data-project-id="${p.id}"]`).count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(async () => (await probe()).projectsDrawn, { timeout: SLOW_MS }).toBe(1);
    expect((await probe()).state).toBe('ready');
    expect(b.consoleErrors.filter((m) => !isOutageNoise(m))).toEqual([]);
    expect(b.externalRequests).toEqual([]);
  });
});
