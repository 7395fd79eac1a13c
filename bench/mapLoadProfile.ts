/**
 * Where a map page load spends its time in headless Chromium (SwiftShader WebGL), as the e2e tests open it: an empty
 * city at 1600x900 with the e2e map budget (tests/e2e/browser.ts E2E_MAP_BUDGET). Records a V8 CPU profile of the
 * page's main thread from navigation to idle (CDP Profiler), the times of DOMContentLoaded, ready and idle, and the CPU
 * seconds of each Chromium process over the load (renderer = the page's JS, Canvas 2D and layout; gpu = SwiftShader's
 * WebGL), so the figures hold on a shared, loaded box.
 *   npx tsx bench/mapLoadProfile.ts [out.cpuprofile]     (then npx tsx bench/profileSummary.ts out.cpuprofile)
 * PROFILE_RUNS=n loads the page n times in fresh contexts of one browser (the second load shows what a warm HTTP
 * cache and code cache save).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/helpers/chromium.js';
import { startBenchServer } from './benchServer.js';
import { chromiumCpu } from './chromiumCpu.js';

const out = process.argv[2] ?? join(tmpdir(), 'map-load.cpuprofile');
const RUNS = Number(process.env.PROFILE_RUNS ?? 1);

const { server } = await startBenchServer(mkdtempSync(join(tmpdir(), 'sitetwin-mapprofile-')), {
  env: { MAP_MAX_PIXELS: '500000', MAP_MSAA_SAMPLES: '1' },
});
const browserServer = await chromium.launchServer({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: CHROMIUM_ARGS,
});
const rootPid = browserServer.process().pid!;
const browser = await chromium.connect(browserServer.wsEndpoint());
/** Experiment: the globe's tile-load time slice per frame (Cesium's default 5 ms), set as soon as the map exists. */
const SLICE_MS: Record<string, number> | null = process.env.PROFILE_GLOBE
  ? JSON.parse(process.env.PROFILE_GLOBE)
  : null;
const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
for (let run = 1; run <= RUNS; run++) {
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'warning' && console.log(m.text()));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Profiler.start');
  const cpu0 = chromiumCpu(rootPid);
  const t0 = Date.now();
  await page.goto(server.url, { waitUntil: 'domcontentloaded' });
  const dcl = Date.now() - t0;
  if (SLICE_MS !== null)
    await page.waitForFunction(
      (ms) => {
        const app = (window as unknown as { __siteTwinApp?: { tools: { tools: Map<unknown, unknown> } } })
          .__siteTwinApp;
        for (const t of app?.tools.tools.values() ?? []) {
          const v = (t as { viewer?: { scene: { globe: { _surface: { _loadQueueTimeSlice: number } } } } }).viewer;
          if (v) {
            const g = v.scene.globe as unknown as Record<string, number> & typeof v.scene.globe;
            for (const [k, val] of Object.entries(ms))
              if (k === 'slice') g._surface._loadQueueTimeSlice = val;
              else (g as unknown as Record<string, number>)[k] = val;
            return true;
          }
        }
        return false;
      },
      SLICE_MS,
      { timeout: 60_000, polling: 20 },
    );
  await page.waitForFunction(() => window.__siteTwin?.ready === true, undefined, { timeout: 900_000, polling: 250 });
  const ready = Date.now() - t0;
  const framesAtReady = await page.evaluate(() => window.__siteTwin?.frames ?? 0);
  await page.waitForFunction(() => window.__siteTwin?.idle === true, undefined, { timeout: 900_000, polling: 250 });
  const idle = Date.now() - t0;
  const frames = await page.evaluate(() => window.__siteTwin?.frames ?? 0);
  const cpu1 = chromiumCpu(rootPid);
  const { profile } = await cdp.send('Profiler.stop');
  const file = RUNS === 1 ? out : out.replace(/(\.cpuprofile)?$/, `.${run}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const cpu = Object.fromEntries(
    Object.entries(cpu1)
      .filter(([k]) => k !== 'total')
      .map(([k, v]) => [k, +(v - (cpu0[k] ?? 0)).toFixed(2)])
      .filter(([, v]) => (v as number) > 0.05),
  );
  console.log(
    JSON.stringify({ run, dclMs: dcl, readyMs: ready, idleMs: idle, framesAtReady, frames, cpuS: cpu, profile: file }),
    `load ${loadavg().map((l) => l.toFixed(1))}`,
  );
  if (process.env.PROFILE_SHOT) {
    // The view as loaded, then with the sky box and atmosphere forced on (as before SkyCulling): the two must match.
    const renderOnce = `(async () => {
      const v = [...window.__siteTwinApp.tools.tools.values()].find((t) => t.viewer);
      const scene = v.viewer.scene;
      window.__skyWas = [scene.skyBox.show, scene.skyAtmosphere.show];
      if (window.__forceSky) (scene.skyBox.show = true), (scene.skyAtmosphere.show = true);
      scene.requestRender();
      await new Promise((r) => { const off = scene.postRender.addEventListener(() => (off(), r(null))); });
      return window.__skyWas;
    })()`;
    console.log('sky shown before shot A:', await page.evaluate(renderOnce));
    await page.screenshot({ path: `${process.env.PROFILE_SHOT}-a.png` });
    await page.evaluate('window.__forceSky = true');
    await page.evaluate(renderOnce);
    await page.screenshot({ path: `${process.env.PROFILE_SHOT}-b.png` });
  }
  if (process.env.PROFILE_TOGGLES) {
    // Experiment: GPU-process CPU of 10 forced frames of the idle view, with parts of the scene switched off.
    for (const toggle of ['none', ...process.env.PROFILE_TOGGLES.split(',')]) {
      const c0 = chromiumCpu(rootPid);
      const w0 = Date.now();
      // A string, not a function: tsx would wrap named arrows in a __name helper the page lacks.
      await page.evaluate(`(async () => {
        const app = window.__siteTwinApp;
        const v = [...app.tools.tools.values()].find((t) => t.viewer);
        const scene = v.viewer.scene;
        const what = ${JSON.stringify(toggle)};
        if (what === 'sky') (scene.skyBox.show = false), (scene.skyAtmosphere.show = false);
        if (what === 'sun') (scene.sun.show = false), (scene.moon.show = false);
        if (what === 'fog') scene.fog.enabled = false;
        if (what === 'labels') for (let i = 0; i < scene.primitives.length; i++) scene.primitives.get(i).show = false;
        if (what === 'globe') scene.globe.show = false;
        if (what === 'oit') scene._oit = undefined;
        if (what === 'fxaa') scene.postProcessStages.fxaa.enabled = false;
        if (what === 'districts') for (let i = 0; i < v.viewer.dataSources.length; i++) v.viewer.dataSources.get(i).show = false;
        if (what === 'size') console.warn('buffer', scene.drawingBufferWidth, scene.drawingBufferHeight, scene.postProcessStages.fxaa.enabled, !!scene._oit, scene.primitives.length, v.viewer.dataSources.length);
        for (let i = 0; i < 10; i++) {
          scene.requestRender();
          await new Promise((r) => {
            const off = scene.postRender.addEventListener(() => (off(), r(null)));
          });
        }
      })()`);
      const c1 = chromiumCpu(rootPid);
      console.log(
        toggle,
        'wall ms/frame',
        (Date.now() - w0) / 10,
        'gpu cpu ms/frame',
        ((c1['gpu-process']! - c0['gpu-process']!) * 100).toFixed(0),
        'renderer',
        ((c1.renderer! - c0.renderer!) * 100).toFixed(0),
      );
    }
  }
  await page.close();
}
await browser.close();
await browserServer.close();
await server.close();
process.exit(0);
