import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../models/geo.js';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { startServer, type RunningServer } from '../../server/Server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { crane, makeDevice, makeProject, postIngest } from '../helpers/telemetry.js';
import { E2E_MAP_BUDGET, openBrowser, SLOW_MS, type BrowserSession } from './browser.js';

// One server, one page: load the wall once at 1920x1080, resize it to 3840x2160, then stop and restart the server.
let t: TestServer;
let b: BrowserSession;
let restarted: RunningServer | null = null;
let online: string;
let offline: string;
let craneDev: { id: string; key: string };
/** Keeps the crane reporting (overloaded, so its alarm stays open) while a slow software-rendered page loads. */
let feeder: ReturnType<typeof setInterval> | undefined;
const ENV = { ...E2E_MAP_BUDGET, KPI_PUSH_MS: '1000', AUTH: 'off' };

const probe = () => b.page.evaluate(() => ({ ...window.__siteTwinWall, camera: undefined }));
const isOutageNoise = (m: string) =>
  /ERR_CONNECTION_REFUSED|WebSocket connection to 'ws:\/\/(127\.0\.0\.1|localhost):\d+\/socket\.io\/.*failed|status of 503/.test(
    m,
  );
const reading = (loadT: number, time = Date.now()) =>
  postIngest(
    t,
    [
      {
        deviceId: craneDev.id,
        time,
        values: { loadT, ratedLoadT: 8, momentPct: 55, radiusM: 20, slewDeg: 90, hookHeightM: 30, windSpeedMps: 3 },
      },
    ],
    craneDev.key,
  );

/** Every grid cell and tile inside the viewport, no cell overlapping another, nothing scrolling or clipped. */
async function layoutProblems(): Promise<string[]> {
  return b.page.evaluate(() => {
    const out: string[] = [];
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const doc = document.scrollingElement ?? document.documentElement;
    if (doc.scrollWidth > doc.clientWidth || doc.scrollHeight > doc.clientHeight)
      out.push(`page scrolls: ${doc.scrollWidth}x${doc.scrollHeight} in ${doc.clientWidth}x${doc.clientHeight}`);
    const boxes = [...document.querySelectorAll<HTMLElement>('.wall > *, .wall-tile, .wall-panel')];
    if (boxes.length < 12) out.push(`only ${boxes.length} wall boxes`);
    for (const el of boxes) {
      const r = el.getBoundingClientRect();
      const name = el.dataset.testid ?? el.dataset.tile ?? el.className;
      if (r.left < 0 || r.top < 0 || r.right > vw + 0.5 || r.bottom > vh + 0.5)
        out.push(`${name} outside the viewport: ${JSON.stringify(r)}`);
      if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
        out.push(`${name} overflows: ${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight}`);
    }
    // Siblings of one container must not overlap.
    const groups = [
      document.querySelectorAll('.wall > *'),
      document.querySelectorAll('.wall-tile'),
      document.querySelectorAll('.wall-panel'),
    ];
    for (const g of groups) {
      const rs = [...g].map((e) => [e, e.getBoundingClientRect()] as const);
      for (let i = 0; i < rs.length; i++)
        for (let j = i + 1; j < rs.length; j++) {
          const [a, ra] = rs[i]!;
          const [c, rc] = rs[j]!;
          const overlap =
            Math.min(ra.right, rc.right) - Math.max(ra.left, rc.left) > 0.5 &&
            Math.min(ra.bottom, rc.bottom) - Math.max(ra.top, rc.top) > 0.5;
          if (overlap) out.push(`${a.className} overlaps ${c.className}`);
        }
    }
    return out;
  });
}

beforeAll(async () => {
  t = await startTestServer({ env: ENV });
  online = await makeProject(t, '在线工地');
  const e = await t.api('POST', '/api/v1/enterprises', { name: '离线建设集团' });
  const p = await t.api('POST', '/api/v1/projects', {
    name: '离线工地',
    enterpriseId: e.body.id,
    regionCode: '370212',
    location: { lon: 120.45, lat: 36.09, height: 0 },
    footprint: rectangleAround({ lon: 120.45, lat: 36.09 }, 100, 70),
  });
  offline = p.body.id;
  const d = await makeDevice(t, online, crane());
  craneDev = { id: d.device.id, key: d.apiKey };
  // 105 % of the rated load held past the rule's 2 s minimum: an open alarm for the ticker.
  const now = Date.now();
  for (const dt of [3000, 1500, 0]) expect((await reading(8.4, now - dt)).status).toBeLessThan(300);
  feeder = setInterval(() => void reading(8.4).catch(() => undefined), 5000);
  b = await openBrowser({ viewport: { width: 1920, height: 1080 } });
});
afterAll(async () => {
  clearInterval(feeder);
  await b?.close();
  await restarted?.close();
  await t?.close();
});

describe('wall mode', () => {
  it('fills 1920x1080 without overflow or overlap, with live KPIs, the offline project greyed and the alarm in the ticker', async () => {
    // A long tour interval keeps the camera on the first site, so the tiles settle for the screenshot.
    await b.page.goto(`${t.url}/wall?tier=city&every=3600`, { waitUntil: 'domcontentloaded' });
    await b.page
      .waitForFunction(() => window.__siteTwinWall?.ready === true, undefined, { timeout: SLOW_MS, polling: 500 })
      .catch(async (e: Error) => {
        throw new Error(
          `${e.message}; probe: ${JSON.stringify(await probe())}; console: ${b.consoleErrors.join(' | ')}`,
        );
      });
    const p = await probe();
    expect(p.liveStatus).toBe('connected');
    expect(p.scale).toBe(1);
    expect(p.kpis).toMatchObject({ projectsTotal: 2, projectsOnline: 1, cranesWorking: 1 });
    expect(p.offlineProjects).toEqual([offline]);
    expect(p.tour).toMatchObject({ tourId: 'default-city', steps: 2, playing: true, arrived: true });
    expect(await layoutProblems()).toEqual([]);
    expect(
      await b.page.locator(`[data-testid="strip-row"][data-project-id="${offline}"]`).getAttribute('data-online'),
    ).toBe('false');
    expect(
      await b.page.locator(`[data-testid="strip-row"][data-project-id="${online}"]`).getAttribute('data-online'),
    ).toBe('true');
    await expect.poll(() => b.page.locator('[data-testid="ticker-item"]:visible').count(), { timeout: 30_000 }).toBe(1);
    expect(await b.page.locator('[data-testid="ticker-item"]').first().textContent()).toMatch(/ALARM在线工地.*105/);
    expect(await b.page.locator('[data-testid="tile-projects"] .tile-value').textContent()).toBe('1 / 2');
    // Gate data never arrived: the workers tile says so instead of showing a live zero.
    expect(await b.page.locator('[data-testid="tile-workers"]').getAttribute('data-stale')).toBe('true');
    await b.page.waitForFunction(() => window.__siteTwinWall.idle, undefined, { timeout: SLOW_MS, polling: 500 });
    await b.screenshot('wall-1920x1080');
    expect(b.consoleErrors).toEqual([]);
    expect(b.externalRequests).toEqual([]);
  });

  it('hides the tour caption once the camera is moved off the tour, and shows it again at the next stop (issue 19)', async () => {
    const caption = b.page.locator('[data-testid="tour-caption"]');
    const at = (await probe()).tour!;
    expect(at).toMatchObject({ step: 0, arrived: true, away: false });
    expect(await caption.isVisible()).toBe(true);
    expect(await caption.textContent()).toBe(at.caption);
    // A probe looks elsewhere (as a drag on the wall's map would): the caption would name a project not on screen.
    await b.page.evaluate(() => {
      const w = window.__siteTwinWall;
      const c = w.camera()!;
      w.lookAt(c.lon + 0.05, c.lat, 800);
    });
    await b.page.waitForFunction(() => window.__siteTwinWall.tour?.away === true, undefined, {
      timeout: SLOW_MS,
      polling: 200,
    });
    expect(await caption.isVisible()).toBe(false);
    // The tour moves on: the caption is back, naming the stop the camera shows.
    // The wall's compact overlay shows no buttons (nobody points at a wall); its hidden Next still drives the player,
    // as the dwell timer would after `every` seconds.
    await b.page.evaluate(() => document.querySelector<HTMLElement>('[data-testid="tour-next"]')!.click());
    await b.page.waitForFunction(
      () => {
        const s = window.__siteTwinWall.tour;
        return s?.step === 1 && s.arrived && !s.away;
      },
      undefined,
      { timeout: SLOW_MS, polling: 200 },
    );
    expect(await caption.isVisible()).toBe(true);
    expect(await caption.textContent()).toBe((await probe()).tour!.caption);
    expect(b.consoleErrors).toEqual([]);
  });

  it('scales to 3840x2160 with the same layout and no overflow', async () => {
    await b.page.setViewportSize({ width: 1920, height: 1080 });
    await expect.poll(async () => (await probe()).scale, { timeout: 30_000 }).toBe(1);
    const at1080 = (await b.page.locator('[data-testid="tile-projects"]').boundingBox())!.width;
    await b.page.setViewportSize({ width: 3840, height: 2160 });
    await expect.poll(async () => (await probe()).scale, { timeout: 30_000 }).toBe(2);
    expect(await layoutProblems()).toEqual([]);
    // The same layout twice as large: a tile (sized in rem, the root font doubled) is twice as wide.
    const at4k = (await b.page.locator('[data-testid="tile-projects"]').boundingBox())!.width;
    expect(at4k / at1080).toBeGreaterThan(1.9);
    expect(at4k / at1080).toBeLessThan(2.1);
    const frames = (await probe()).frames;
    await b.page.waitForFunction((f) => window.__siteTwinWall.frames > f && window.__siteTwinWall.idle, frames, {
      timeout: SLOW_MS,
      polling: 500,
    });
    await b.screenshot('wall-3840x2160');
  });

  it('shows a banner while the server is down, then live data again after it restarts', async () => {
    await b.page.setViewportSize({ width: 1920, height: 1080 });
    const port = t.server.port;
    clearInterval(feeder);
    await t.server.close();
    await expect.poll(async () => (await probe()).liveStatus, { timeout: 60_000 }).toBe('reconnecting');
    const banner = b.page.locator('[data-testid="connection-banner"]');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toMatch(/reconnecting/i);
    await b.screenshot('wall-disconnected');

    restarted = await startServer({
      config: loadConfig({
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        SEED: '0',
        SIMULATE: '0',
        ...ENV,
      }),
      store: t.store,
      log: createLogger('silent'),
    });
    const before = (await probe()).kpisReceived;
    await expect.poll(async () => (await probe()).liveStatus, { timeout: 60_000 }).toBe('connected');
    expect(await banner.isHidden()).toBe(true);
    // Live again: pushed KPIs keep arriving, and a new reading below the alarm line shows up in them.
    await expect.poll(async () => (await probe()).kpisReceived, { timeout: 30_000 }).toBeGreaterThan(before + 1);
    const fresh = await fetch(`${restarted.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${craneDev.key}` },
      body: JSON.stringify([
        {
          deviceId: craneDev.id,
          time: Date.now(),
          values: {
            loadT: 2,
            ratedLoadT: 8,
            momentPct: 20,
            radiusM: 20,
            slewDeg: 90,
            hookHeightM: 30,
            windSpeedMps: 3,
          },
        },
      ]),
    });
    expect(fresh.status).toBeLessThan(300);
    await expect.poll(async () => (await probe()).kpis?.projectsOnline, { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() => b.page.locator('[data-testid="wall-age"]').textContent(), { timeout: 30_000 })
      .toBe('data live');
    expect(b.consoleErrors.filter((m) => !isOutageNoise(m))).toEqual([]);
  });
});
