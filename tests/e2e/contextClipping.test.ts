import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Project } from '../../models/Project.js';
import { grownRing } from '../../client/map/ContextClipping.js';
import { DEMO_PROJECTS, seedDemoCity } from '../../server/demo/demoCity.js';
import { contextTileset, serveTileset } from '../helpers/contextTileset.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { E2E_MAP_BUDGET, openBrowser, RESULTS_DIR, SLOW_MS, waitForReady, type BrowserSession } from './browser.js';

// Issue 20, city context in 3D: CONTEXT_TILESET_URL with a real 3D Tiles 1.1 tileset generated here (tileset.json and
// a glb of box buildings made with gltf-transform), served from another local origin as a tileset host would. One
// 150 x 130 x 60 m building stands over the first demo project's footprint; the others stand around it. The BIM must
// never be buried in it: the map clips the context around every footprint grown by the margin.
const SITE = DEMO_PROJECTS[0]!;
const WAIT_MS = 2 * SLOW_MS;
const BOXES = [
  { eastM: 0, northM: 0, widthM: 150, depthM: 130, heightM: 60 }, // over the site
  { eastM: 220, northM: 160, widthM: 60, depthM: 50, heightM: 45 },
  { eastM: -240, northM: 120, widthM: 50, depthM: 70, heightM: 35 },
  { eastM: 180, northM: -200, widthM: 70, depthM: 40, heightM: 50 },
];
const M_LAT = 111_320;
const offset = (eastM: number, northM: number) => ({
  lon: SITE.lon + eastM / (M_LAT * Math.cos((SITE.lat * Math.PI) / 180)),
  lat: SITE.lat + northM / M_LAT,
});

let tiles: Awaited<ReturnType<typeof serveTileset>>;
let t: TestServer;
let b: BrowserSession;

beforeAll(async () => {
  tiles = await serveTileset(await contextTileset(SITE, BOXES));
  t = await startTestServer({ env: { ...E2E_MAP_BUDGET, CONTEXT_TILESET_URL: tiles.url } });
  expect(await seedDemoCity(t.store)).toBe(DEMO_PROJECTS.length);
  b = await openBrowser({ viewport: { width: 1280, height: 720 } });
}, 120_000);
afterAll(async () => {
  await b?.close();
  await t?.close();
  await tiles?.close();
});

/**
 * Waits until the page drew `n` more frames and is idle again with the context's tiles in. `clip` (when given) is set
 * again at every poll: the switch rebuilds the tiles' shaders over several frames, and each call asks for a frame.
 */
async function settle(page: BrowserSession['page'], n = 2, clip?: boolean): Promise<void> {
  const f = await page.evaluate(() => window.__siteTwin.frames);
  await page.waitForFunction(
    ({ f, n, clip }) => {
      if (clip !== undefined) window.__siteTwinCity.clipContext(clip);
      return (
        window.__siteTwin.frames >= f + n && window.__siteTwin.idle && window.__siteTwinCity.contextLoaded() === true
      );
    },
    { f, n, clip },
    { timeout: WAIT_MS, polling: 500 },
  );
}

describe('CONTEXT_TILESET_URL: a real 3D Tiles context, clipped around the projects', () => {
  it(
    'loads the tileset, clips it with every grown footprint, and the site is not buried in it',
    async () => {
      const page = b.page;
      await page.goto(t.url, { waitUntil: 'domcontentloaded' });
      await waitForReady(page, WAIT_MS);
      await page.evaluate(({ lon, lat }) => window.__siteTwinCity.lookDown(lon, lat, 900), SITE);
      await settle(page);
      expect(tiles.requests.some((u) => u.startsWith('/tileset.json'))).toBe(true);
      expect(tiles.requests.some((u) => u.startsWith('/buildings.glb'))).toBe(true);

      // The clipping set on the tileset: supported here (WebGL 2), enabled, one polygon per project, each the
      // project's footprint grown by the margin.
      const clip = await page.evaluate(() => window.__siteTwinCity.contextClip());
      expect(clip.supported).toBe(true);
      expect(clip.enabled).toBe(true);
      expect(clip.rings).toHaveLength(DEMO_PROJECTS.length);
      const projects = (await t.api<Project[]>('GET', '/api/v1/projects')).body;
      const site = projects.find((p) => p.name === SITE.name)!;
      const want = grownRing(site);
      const got = clip.rings.find(
        (r) => Math.abs(r[0]![0] - want[0]![0]) < 1e-6 && Math.abs(r[0]![1] - want[0]![1]) < 1e-6,
      );
      expect(got, 'a clipping ring equals the site footprint grown by the margin').toBeDefined();
      got!.forEach(([lon, lat], i) => {
        expect(lon).toBeCloseTo(want[i]![0], 7);
        expect(lat).toBeCloseTo(want[i]![1], 7);
      });

      // A building away from every project is drawn and picked as the context.
      const aside = offset(BOXES[1]!.eastM, BOXES[1]!.northM);
      expect(await page.evaluate(({ lon, lat }) => window.__siteTwinCity.pickAt(lon, lat, 45), aside)).toBe('context');

      // Looking straight down the site's footprint: without the clipping the building over the site is in the way
      // (the site is buried in it); with the clipping nothing of the context is left inside the footprint.
      const down = () =>
        page.evaluate(({ lon, lat }) => window.__siteTwinCity.drillAt(lon, lat, 1), { lon: SITE.lon, lat: SITE.lat });
      await page.evaluate(() => window.__siteTwinCity.clipContext(false));
      await settle(page, 2, false);
      await page.screenshot({ path: `${RESULTS_DIR}/context-unclipped.png` });
      const unclipped = await down();
      expect(unclipped).toContain('context');
      await page.evaluate(() => window.__siteTwinCity.clipContext(true));
      await settle(page, 2, true);
      const clipped = await down();
      expect(clipped).not.toContain('context');
      expect(clipped).toContain(`project:${site.id}`);

      // The screenshot to look at: from the side, the site's building standing in a hole cut in the context.
      await page.evaluate(({ lon, lat }) => window.__siteTwin.lookAt(lon, lat, 800), SITE);
      await settle(page);
      await page.screenshot({ path: `${RESULTS_DIR}/context-clipped.png` });
      expect(b.consoleErrors).toEqual([]);
      expect(b.externalRequests).toEqual([]);
    },
    4 * WAIT_MS,
  );
});
