import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROJECTS, seedDemoCity } from '../../server/demo/demoCity.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { E2E_MAP_BUDGET, openBrowser, RESULTS_DIR, SLOW_MS, waitForReady, type BrowserSession } from './browser.js';

// Issue 20 acceptance 1: the city map page and the wall at city, district and site scale, 1920x1080 and 3840x2160,
// saved to test-results/ to be looked at; asserted here: the district layer loaded with its ten districts, labels
// placed by the LabelPlacer without two boxes overlapping, and a district click narrowing the project list.
// At 1920x1080 the same two pages (map page and wall, one load each) then show the offline base map's own colours
// (the district layer switched off): the bay reads as water between land at city and district scale, the wall in its
// dark palette. Each page load costs a minute or more at ~1 fps in SwiftShader: the base map is checked on the loads
// the district checks already made instead of two more.
const WAIT_MS = 4 * SLOW_MS;
const TEST_MS = 6 * WAIT_MS;
type Probe = '__siteTwin' | '__siteTwinWall';
type Box = { id: string; x: number; y: number; w: number; h: number };

let t: TestServer;
let b: BrowserSession | undefined;

beforeAll(async () => {
  t = await startTestServer({ env: E2E_MAP_BUDGET });
  expect(await seedDemoCity(t.store)).toBe(DEMO_PROJECTS.length);
}, SLOW_MS);
afterAll(async () => {
  await b?.close();
  await t?.close();
});

const SCALES = [
  { name: 'city', lon: 120.3, lat: 36.2, rangeM: 110_000 },
  { name: 'district', lon: 120.39, lat: 36.08, rangeM: 14_000 },
  { name: 'site', lon: DEMO_PROJECTS[0]!.lon, lat: DEMO_PROJECTS[0]!.lat, rangeM: 900 },
] as const;

/**
 * Points `probe`'s camera at a view and waits until it has settled: a few frames drawn, then idle held over `polls`
 * polls half a second apart (so the finer tiles of the new view are in). `districts: false` switches the district
 * choropleth off first (the base map's own colours). Returns the frames drawn meanwhile.
 */
async function settleAt(
  page: BrowserSession['page'],
  probe: Probe,
  view: { lon: number; lat: number; rangeM: number },
  opts: { polls: number; districts?: false },
): Promise<number> {
  const frames = await page.evaluate(
    ({ probe, view, off }) => {
      if (off) window.__siteTwinCity?.showDistricts(false);
      window[probe].lookAt(view.lon, view.lat, view.rangeM);
      return window[probe].frames;
    },
    { probe, view, off: opts.districts === false },
  );
  await page.waitForFunction(
    ({ probe, f, polls }) => {
      const w = window as unknown as { __settled?: number };
      const ok = window[probe].frames > f + 2 && window[probe].idle;
      w.__settled = ok ? (w.__settled ?? 0) + 1 : 0;
      return w.__settled >= polls;
    },
    { probe, f: frames, polls: opts.polls },
    { timeout: WAIT_MS, polling: 500 },
  );
  return frames;
}

async function lookAndSettle(
  page: BrowserSession['page'],
  probe: Probe,
  lon: number,
  lat: number,
  rangeM: number,
): Promise<void> {
  const started = Date.now();
  const frames = await settleAt(page, probe, { lon, lat, rangeM }, { polls: 4 });
  const framesNow = await page.evaluate((probe) => window[probe].frames, probe);
  const ms = Date.now() - started;
  // Time to settle a view and the mean time per frame drawn meanwhile (request-render mode: frames only when needed).
  console.log(
    `cityScreens ${probe} ${rangeM} m: settled in ${ms} ms, ${framesNow - frames} frames, ${Math.round(ms / Math.max(1, framesNow - frames))} ms per frame`,
  );
}

/**
 * Runs `wait` while logging, each minute, the frames drawn and whether tiles and entities are in: tells a page that is
 * only slow (frames keep coming) from one that stalled (no frames while not ready).
 */
async function watched<T>(
  page: BrowserSession['page'],
  probe: Probe,
  what: string,
  wait: () => Promise<T>,
): Promise<T> {
  const t0 = Date.now();
  const timer = setInterval(() => {
    page
      .evaluate(
        (probe) => ({ frames: window[probe]?.frames, idle: window[probe]?.idle, ready: window[probe]?.ready }),
        probe,
      )
      .then((s) => console.log(`cityScreens ${what}: ${Math.round((Date.now() - t0) / 1000)} s`, JSON.stringify(s)))
      .catch(() => {});
  }, 60_000);
  try {
    return await wait();
  } finally {
    clearInterval(timer);
  }
}

const overlap = (a: Box, c: Box) => a.x < c.x + c.w && c.x < a.x + a.w && a.y < c.y + c.h && c.y < a.y + a.h;

async function shootScales(page: BrowserSession['page'], probe: Probe, tag: string): Promise<void> {
  for (const s of SCALES) {
    await lookAndSettle(page, probe, s.lon, s.lat, s.rangeM);
    const report = await page.evaluate(() => window.__siteTwinCity.placeLabels());
    const placed = report.placed as Box[];
    for (let i = 0; i < placed.length; i++)
      for (let j = i + 1; j < placed.length; j++)
        expect(overlap(placed[i]!, placed[j]!), `${tag} ${s.name}: ${placed[i]!.id} overlaps ${placed[j]!.id}`).toBe(
          false,
        );
    for (const l of placed)
      for (const pin of report.pins as Box[])
        expect(overlap(l, pin), `${tag} ${s.name}: label ${l.id} covers ${pin.id}`).toBe(false);
    if (s.name !== 'site')
      expect(
        placed.filter((p) => p.id.startsWith('district:')).length,
        `${tag} ${s.name}: district labels placed`,
      ).toBeGreaterThan(0);
    // Pins shown without their name (planned and completed projects rank below district names, by design): logged.
    const pinned = new Set((report.pins as Box[]).map((p) => p.id.replace(/^pin:/, '')));
    const unnamed = report.hiddenIds.filter((id) => pinned.has(id));
    expect(placed.length + report.hidden + report.absorbed, `${tag} ${s.name}: every candidate accounted for`).toBe(
      report.candidates,
    );
    const districtIds = new Set(placed.filter((p) => p.id.startsWith('district:')).map((p) => p.id.split(':')[1]));
    console.log(
      `${tag} ${s.name}: ${report.candidates} label candidates, ${placed.length} placed, ${report.hidden} hidden, ${report.absorbed} clustered; district labels placed ${districtIds.size}; pins without a name ${unnamed.length}`,
    );
    await page.screenshot({ path: `${RESULTS_DIR}/city-${tag}-${s.name}.png`, timeout: WAIT_MS });
  }
}

type Rgb = [number, number, number];

/** Colours of the screenshot at page positions, decoded by the browser itself (no PNG library needed here). */
async function pixels(page: BrowserSession['page'], png: Buffer, at: Array<{ x: number; y: number }>): Promise<Rgb[]> {
  return page.evaluate(
    async ({ data, at }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${data}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const dpr = img.width / window.innerWidth;
      return at.map(({ x, y }) => {
        const d = g.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
        return [d[0]!, d[1]!, d[2]!] as Rgb;
      });
    },
    { data: png.toString('base64'), at },
  );
}

async function pageAt(
  page: BrowserSession['page'],
  probe: Probe,
  lon: number,
  lat: number,
): Promise<{ x: number; y: number }> {
  const p = await page.evaluate(({ probe, lon, lat }) => window[probe].geoPagePosition(lon, lat), {
    probe,
    lon,
    lat,
  });
  expect(p, `${lon},${lat} on screen`).not.toBeNull();
  return p!;
}

/**
 * The base map's own colours: the district choropleth (the layer checked above) switched off, then a view settled
 * over more polls than the labels need, so the finer tiles of the new view are in before the pixels are read.
 */
const BASEMAP_SETTLE = { polls: 6, districts: false } as const;

/** Water is bluer than land, and darker (wall) or more saturated (page) than it. */
function expectSeaAndLand(sea: Rgb, land: Rgb): void {
  expect(sea[2] - sea[0], `sea ${sea} is blue`).toBeGreaterThan(15);
  expect(Math.abs(land[2] - land[0]), `land ${land} is grey`).toBeLessThan(Math.abs(sea[2] - sea[0]));
}

// Known WGS84 places: the middle of Jiaozhou Bay (water), Jiaozhou's town (land), the sea off Shinan's shore
// (water), May Fourth Square in Shinan (land).
const BAY = { lon: 120.23, lat: 36.13 };
const JIAOZHOU = { lon: 120.03, lat: 36.29 };
const OFF_SHINAN = { lon: 120.39, lat: 36.045 };
const SHINAN = { lon: 120.3842, lat: 36.0623 };

/**
 * The offline base map on the page already loaded (map page or wall): sea and land at city and district scale, the
 * site close up; screenshots to look at. Returns the city-scale sea and land.
 */
async function checkBasemap(page: BrowserSession['page'], probe: Probe, tag: string): Promise<[Rgb, Rgb]> {
  const site = DEMO_PROJECTS[0]!;
  await settleAt(page, probe, { lon: 120.25, lat: 36.18, rangeM: 110_000 }, BASEMAP_SETTLE);
  let png = await page.screenshot({ path: `${RESULTS_DIR}/basemap-${tag}-city-1920x1080.png`, timeout: WAIT_MS });
  const [citySea, cityLand] = await pixels(page, png, [
    await pageAt(page, probe, BAY.lon, BAY.lat),
    await pageAt(page, probe, JIAOZHOU.lon, JIAOZHOU.lat),
  ]);
  expectSeaAndLand(citySea!, cityLand!);

  await settleAt(page, probe, { lon: 120.39, lat: 36.08, rangeM: 14_000 }, BASEMAP_SETTLE);
  png = await page.screenshot({ path: `${RESULTS_DIR}/basemap-${tag}-district-1920x1080.png`, timeout: WAIT_MS });
  const [sea, land] = await pixels(page, png, [
    await pageAt(page, probe, OFF_SHINAN.lon, OFF_SHINAN.lat),
    await pageAt(page, probe, SHINAN.lon, SHINAN.lat),
  ]);
  expectSeaAndLand(sea!, land!);

  await settleAt(page, probe, { lon: site.lon, lat: site.lat, rangeM: 900 }, BASEMAP_SETTLE);
  await page.screenshot({ path: `${RESULTS_DIR}/basemap-${tag}-site-1920x1080.png`, timeout: WAIT_MS });
  return [citySea!, cityLand!];
}

// The suite takes 1920x1080; CITY_SCREEN_SIZES=all adds the 4K wall size (a 4K map page takes many minutes to become
// ready in SwiftShader on two cores);
// CITY_SCREEN_SIZES=3840x2160 takes that size alone.
const ALL_CITY_SIZES = [
  { width: 1920, height: 1080 },
  { width: 3840, height: 2160 },
];
const CITY_SIZES =
  process.env.CITY_SCREEN_SIZES === 'all'
    ? ALL_CITY_SIZES
    : ALL_CITY_SIZES.filter((s) => `${s.width}x${s.height}` === (process.env.CITY_SCREEN_SIZES ?? '1920x1080'));
describe.each(CITY_SIZES)('city layers at $width x $height', ({ width, height }) => {
  const size = `${width}x${height}`;
  beforeAll(async () => {
    await b?.close();
    b = await openBrowser({ viewport: { width, height } });
  }, SLOW_MS);

  it(
    'map page: districts loaded and coloured, labels without overlap at three scales; a district click narrows the list',
    async () => {
      const page = b!.page;
      // In Chinese, as a command centre reads it (the district labels' figure follows the page language).
      await page.goto(`${t.url}/?lang=zh-CN`, { waitUntil: 'domcontentloaded', timeout: WAIT_MS });
      await watched(page, '__siteTwin', `map page ${size} waiting for ready`, () => waitForReady(page, WAIT_MS));
      console.log(
        `cityScreens map page ${size}: ready`,
        JSON.stringify(
          await page.evaluate(() => ({ readyAtMs: window.__siteTwin.readyAtMs, frames: window.__siteTwin.frames })),
        ),
      );
      await page.waitForFunction(() => window.__siteTwinCity?.districtsLoaded === true, undefined, {
        timeout: WAIT_MS,
        polling: 500,
      });
      expect(await page.evaluate(() => window.__siteTwinCity.districtCount)).toBe(10);
      expect(await page.evaluate(() => window.__siteTwinCity.districtLabels())).toContain(
        '崂山区 370212\n在建项目 1个',
      );
      await shootScales(page, '__siteTwin', `page-${size}`);
      if (width === 1920) {
        // Click inside Laoshan district, away from its label and its project: the list narrows to its one project.
        await lookAndSettle(page, '__siteTwin', 120.3, 36.2, 110_000);
        const at = await page.evaluate(() => window.__siteTwin.geoPagePosition(120.6, 36.2));
        expect(at).not.toBeNull();
        await page.mouse.click(at!.x, at!.y);
        await page.waitForFunction(() => window.__siteTwinCity.selectedDistrict === '370212', undefined, {
          timeout: WAIT_MS,
        });
        const laoshan = DEMO_PROJECTS.filter((p) => p.regionCode === '370212').length;
        await page.waitForFunction(
          (n) => document.querySelectorAll('[data-testid="project-list"] [data-project-id]').length === n,
          laoshan,
          { timeout: 30_000 },
        );
        expect(await page.textContent('[data-testid="region-chip"]')).toContain('崂山区');
        await page.click('[data-testid="region-chip"]');
        await page.waitForFunction(
          (n) => document.querySelectorAll('[data-testid="project-list"] [data-project-id]').length === n,
          DEMO_PROJECTS.length,
          { timeout: 30_000 },
        );
        expect(await page.evaluate(() => window.__siteTwinCity.selectedDistrict)).toBeNull();
      }
      expect(b!.consoleErrors).toEqual([]);
      expect(b!.externalRequests).toEqual([]);
    },
    TEST_MS,
  );

  if (width === 1920)
    it(
      'map page, the offline base map (same load): the bay reads as water between land at city scale, the districts at district scale, the site close up',
      async () => {
        // The page load's errors and requests are the test above's to assert; these are the base map views'.
        const [errors, external] = [b!.consoleErrors.length, b!.externalRequests.length];
        await checkBasemap(b!.page, '__siteTwin', 'page');
        expect(b!.consoleErrors.slice(errors)).toEqual([]);
        expect(b!.externalRequests.slice(external)).toEqual([]);
      },
      TEST_MS,
    );

  if (width === 1920)
    it(
      'map page: a viewpoint restored with setView (no flight) from city to site scale leaves no district fill',
      async () => {
        // As the rectification journey does: the map at a project, home (the whole city, a flight), then the project's
        // view put back at once, as a BCF viewpoint restore does. On the map page already loaded (a fresh load costs a
        // minute or more here): the district layer back on (the base map test switched it off), the whole city in view
        // (the base map test ended close up), then the project opened from the list, which selects it and flies to the
        // view its deep link (?project=) opens at.
        const page = b!.page;
        const project = DEMO_PROJECTS[0]!;
        const list = (await t.api('GET', '/api/v1/projects')).body as { id: string; name: string }[];
        const id = list.find((p) => p.name === project.name)?.id;
        expect(id).toBeTruthy();
        await page.evaluate(() => window.__siteTwinCity.showDistricts(true));
        await lookAndSettle(page, '__siteTwin', 120.3, 36.2, 110_000);
        await page.click(`[data-testid="project-list"] [data-project-id="${id}"]`, { timeout: WAIT_MS });
        await page.waitForFunction(
          () => window.__siteTwinTour.camera().height < 3_000 && window.__siteTwin.idle,
          undefined,
          { timeout: WAIT_MS, polling: 500 },
        );
        expect(new URL(page.url()).searchParams.get('project'), 'the project is selected, as its deep link does').toBe(
          id,
        );
        const site = await page.evaluate(() => window.__siteTwinTour.camera());
        expect(site.height).toBeLessThan(3_000);
        await page.locator('.cesium-home-button').click();
        await page.waitForFunction(() => window.__siteTwinTour.camera().height > 20_000, undefined, {
          timeout: WAIT_MS,
          polling: 500,
        });
        await page.waitForFunction(() => window.__siteTwin.idle, undefined, { timeout: WAIT_MS, polling: 500 });
        // Beside the project, inside its district: at city scale the fill is there (under the pin: a drill pick).
        const [lon, lat] = [project.lon + 0.004, project.lat + 0.004];
        expect(await page.evaluate(([x, y]) => window.__siteTwinCity.drillAt(x!, y!, 0), [lon, lat])).toContain(
          `district:${project.regionCode}`,
        );
        const frames = await page.evaluate(
          (pose) => (window.__siteTwinCity.setView(pose), window.__siteTwin.frames),
          site,
        );
        await page.waitForFunction(
          (f) => {
            const w = window as unknown as { __settled?: number };
            const ok = window.__siteTwin.frames > f + 2 && window.__siteTwin.idle;
            w.__settled = ok ? (w.__settled ?? 0) + 1 : 0;
            return w.__settled >= 4;
          },
          frames,
          { timeout: WAIT_MS, polling: 500 },
        );
        await page.screenshot({ path: `${RESULTS_DIR}/city-page-${size}-viewpoint-restore.png`, timeout: WAIT_MS });
        expect(await page.evaluate(() => window.__siteTwinCity.districtFade())).toMatchObject({ fade: 0 });
        const near = await page.evaluate(([x, y]) => window.__siteTwinCity.drillAt(x!, y!, 0), [lon, lat]);
        expect(near, 'the point is on screen').not.toContain('off-screen');
        expect(
          near.filter((k) => k.startsWith('district:')),
          'the district fill is gone at site scale',
        ).toEqual([]);
        expect(b!.consoleErrors).toEqual([]);
      },
      TEST_MS,
    );

  it(
    'wall: districts, pins and labels at three scales; a district narrows the KPIs',
    async () => {
      const page = b!.page;
      await page.goto(`${t.url}/wall?tier=city&every=3600`, { waitUntil: 'domcontentloaded', timeout: WAIT_MS });
      await watched(page, '__siteTwinWall', `wall ${size} waiting for ready`, () =>
        page.waitForFunction(
          () => window.__siteTwinWall?.ready === true && window.__siteTwinCity?.districtsLoaded === true,
          undefined,
          { timeout: WAIT_MS, polling: 500 },
        ),
      );
      console.log(
        `cityScreens wall ${size}: ready`,
        JSON.stringify(
          await page.evaluate(() => ({
            readyAtMs: window.__siteTwinWall.readyAtMs,
            frames: window.__siteTwinWall.frames,
          })),
        ),
      );
      await shootScales(page, '__siteTwinWall', `wall-${size}`);
      if (width === 1920) {
        const before = await page.evaluate(() => window.__siteTwinWall.kpisReceived);
        await page.evaluate(() => window.__siteTwinCity.selectDistrict('370212'));
        await page.waitForFunction((n) => window.__siteTwinWall.kpisReceived > n, before, { timeout: 30_000 });
        expect(await page.evaluate(() => window.__siteTwinWall.kpis?.projectsTotal)).toBe(
          DEMO_PROJECTS.filter((p) => p.regionCode === '370212').length,
        );
        expect(await page.textContent('[data-testid="wall-title"]')).toContain('崂山区');
      }
      expect(b!.consoleErrors).toEqual([]);
    },
    TEST_MS,
  );

  if (width === 1920)
    it(
      'wall, the offline base map (same load): the same base map in the dark palette, at city, district and site scale',
      async () => {
        const page = b!.page;
        const [errors, external] = [b!.consoleErrors.length, b!.externalRequests.length];
        // Back to the whole city (the district narrowed above); the base map's colours are the same either way.
        await page.evaluate(() => window.__siteTwinCity.selectDistrict(null));
        const [sea, land] = await checkBasemap(page, '__siteTwinWall', 'wall');
        expect(
          sea.reduce((a, v) => a + v, 0),
          'the wall sea is dark',
        ).toBeLessThan(land.reduce((a, v) => a + v, 0));
        expect(b!.consoleErrors.slice(errors)).toEqual([]);
        expect(b!.externalRequests.slice(external)).toEqual([]);
      },
      TEST_MS,
    );
});
