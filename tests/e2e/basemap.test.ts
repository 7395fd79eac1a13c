import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROJECTS, seedDemoCity } from '../../server/demo/demoCity.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { openBrowser, RESULTS_DIR, SLOW_MS, waitForReady, type BrowserSession } from './browser.js';

/** Painting the base map into tiles adds to SwiftShader's ~1 fps at 1920x1080 on a shared machine: wait long. */
const WAIT_MS = 3 * SLOW_MS;
const TEST_MS = 4 * WAIT_MS;

let t: TestServer;
let b: BrowserSession;

beforeAll(async () => {
  t = await startTestServer();
  expect(await seedDemoCity(t.store)).toBe(DEMO_PROJECTS.length);
  b = await openBrowser({ viewport: { width: 1920, height: 1080 } });
});
afterAll(async () => {
  await b?.close();
  await t?.close();
});

type Rgb = [number, number, number];
type Probe = '__siteTwin' | '__siteTwinWall';

/** Colours of the screenshot at page positions, decoded by the browser itself (no PNG library needed here). */
async function pixels(png: Buffer, at: Array<{ x: number; y: number }>): Promise<Rgb[]> {
  return b.page.evaluate(
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

async function pageAt(probe: Probe, lon: number, lat: number): Promise<{ x: number; y: number }> {
  const p = await b.page.evaluate(({ probe, lon, lat }) => window[probe].geoPagePosition(lon, lat), {
    probe,
    lon,
    lat,
  });
  expect(p, `${lon},${lat} on screen`).not.toBeNull();
  return p!;
}

async function lookAndSettle(probe: Probe, lon: number, lat: number, rangeM: number): Promise<void> {
  const frames = await b.page.evaluate(
    ({ probe, lon, lat, rangeM }) => {
      // The base map's own colours: the district choropleth (a layer over it, tested in cityScreens) switched off.
      window.__siteTwinCity?.showDistricts(false);
      window[probe].lookAt(lon, lat, rangeM);
      return window[probe].frames;
    },
    { probe, lon, lat, rangeM },
  );
  // Right after a jump the globe may still report the previous view's tiles as loaded: wait for a few frames, then for
  // idle to hold over several polls, so the finer tiles of the new view are in before the screenshot.
  await b.page.waitForFunction(
    ({ probe, f }) => {
      const w = window as unknown as { __settled?: number };
      const ok = window[probe].frames > f + 2 && window[probe].idle;
      w.__settled = ok ? (w.__settled ?? 0) + 1 : 0;
      return w.__settled >= 6;
    },
    { probe, f: frames },
    { timeout: WAIT_MS, polling: 500 },
  );
}

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
const SITE = DEMO_PROJECTS[0]!;

describe('the offline base map of the city', () => {
  it(
    'map page: the bay reads as water between land at city scale, the districts at district scale, the site close up',
    async () => {
      await b.page.goto(t.url, { waitUntil: 'domcontentloaded' });
      await waitForReady(b.page, WAIT_MS);
      await lookAndSettle('__siteTwin', 120.25, 36.18, 110_000);
      let png = await b.page.screenshot({ path: `${RESULTS_DIR}/basemap-page-city-1920x1080.png` });
      let [sea, land] = await pixels(png, [
        await pageAt('__siteTwin', BAY.lon, BAY.lat),
        await pageAt('__siteTwin', JIAOZHOU.lon, JIAOZHOU.lat),
      ]);
      expectSeaAndLand(sea!, land!);

      await lookAndSettle('__siteTwin', 120.39, 36.08, 14_000);
      png = await b.page.screenshot({ path: `${RESULTS_DIR}/basemap-page-district-1920x1080.png` });
      [sea, land] = await pixels(png, [
        await pageAt('__siteTwin', OFF_SHINAN.lon, OFF_SHINAN.lat),
        await pageAt('__siteTwin', SHINAN.lon, SHINAN.lat),
      ]);
      expectSeaAndLand(sea!, land!);

      await lookAndSettle('__siteTwin', SITE.lon, SITE.lat, 900);
      await b.screenshot('basemap-page-site-1920x1080');
      expect(b.consoleErrors).toEqual([]);
      expect(b.externalRequests).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'wall: the same base map in the dark palette, at city, district and site scale',
    async () => {
      await b.page.goto(`${t.url}/wall?tier=city&every=3600`, { waitUntil: 'domcontentloaded' });
      await b.page.waitForFunction(
        () => window.__siteTwinWall?.ready === true && window.__siteTwinWall.idle,
        undefined,
        { timeout: WAIT_MS, polling: 500 },
      );
      await lookAndSettle('__siteTwinWall', 120.25, 36.18, 110_000);
      let png = await b.page.screenshot({ path: `${RESULTS_DIR}/basemap-wall-city-1920x1080.png` });
      let [sea, land] = await pixels(png, [
        await pageAt('__siteTwinWall', BAY.lon, BAY.lat),
        await pageAt('__siteTwinWall', JIAOZHOU.lon, JIAOZHOU.lat),
      ]);
      expectSeaAndLand(sea!, land!);
      expect(
        sea!.reduce((a, v) => a + v, 0),
        'the wall sea is dark',
      ).toBeLessThan(land!.reduce((a, v) => a + v, 0));

      await lookAndSettle('__siteTwinWall', 120.39, 36.08, 14_000);
      png = await b.page.screenshot({ path: `${RESULTS_DIR}/basemap-wall-district-1920x1080.png` });
      [sea, land] = await pixels(png, [
        await pageAt('__siteTwinWall', OFF_SHINAN.lon, OFF_SHINAN.lat),
        await pageAt('__siteTwinWall', SHINAN.lon, SHINAN.lat),
      ]);
      expectSeaAndLand(sea!, land!);

      await lookAndSettle('__siteTwinWall', SITE.lon, SITE.lat, 900);
      await b.screenshot('basemap-wall-site-1920x1080');
      expect(b.consoleErrors).toEqual([]);
      expect(b.externalRequests).toEqual([]);
    },
    TEST_MS,
  );
});
