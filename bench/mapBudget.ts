/**
 * What the map's pixel budget (`MAP_MAX_PIXELS`) saves on software WebGL (headless Chromium, SwiftShader): the demo
 * city's map page loaded fresh once per budget, each served by its own server over one seeded store. Per budget: time
 * to ready and to idle, frames drawn by then, CPU seconds of Chromium's processes (GPU process included) over the load,
 * and the mean of 5 forced renders of the settled view; each printed with its ratio to the first budget (the default,
 * one 4K frame: at 1600x900 it draws every pixel) measured in the same run.
 * Run: npx tsx bench/mapBudget.ts   (BUDGET_LIST=8300000,1000000,500000 BUDGET_VIEW=1600x900 BUDGET_PAGE=map|project|wall)
 * MSAA_LIST=4,1 measures each budget with those map antialiasing sample counts (MAP_MSAA_SAMPLES; default 4 alone);
 * BUDGET_REPEAT=2 runs the whole list that many times (A B A B: loaded figures are noisy); BUDGET_CHROMIUM_ARGS (space
 * separated) adds Chromium switches to the tests' own.
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { seedDemoCity } from '../server/demo/demoCity.js';
import { ensureClientBuilt } from '../server/clientBuild.js';
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/log.js';
import { CLIENT_DIST_DIR, ROOT_DIR, startServer } from '../server/Server.js';
import { openStore } from '../server/store/Store.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/helpers/chromium.js';
import { chromiumCpu } from './chromiumCpu.js';

const BUDGETS = (process.env.BUDGET_LIST ?? '8300000,1000000,500000').split(',').map(Number);
const [vw, vh] = (process.env.BUDGET_VIEW ?? '1600x900').split('x').map(Number);
const PAGE = process.env.BUDGET_PAGE ?? 'map';
const MSAAS = (process.env.MSAA_LIST ?? '4').split(',').map(Number);
const REPEAT = Number(process.env.BUDGET_REPEAT ?? '1');
const RUNS = Array.from({ length: REPEAT }, () =>
  BUDGETS.flatMap((budget) => MSAAS.map((msaa) => ({ budget, msaa }))),
).flat();

const log = createLogger('warn');
await ensureClientBuilt(ROOT_DIR, CLIENT_DIST_DIR, log);
const store = await openStore({ dataDir: join(mkdtempSync(join(tmpdir(), 'sitetwin-mapbudget-')), 'db') });
await seedDemoCity(store);
const projectId = (await store.projects.list({}))[0]!.id;

const treeCpu = chromiumCpu;
const treeCpuS = (root: number) => treeCpu(root).total;

const browserServer = await chromium.launchServer({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [...CHROMIUM_ARGS, ...(process.env.BUDGET_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean)],
});
const browser = await chromium.connect(browserServer.wsEndpoint());
const rows: { budget: number; ready: number; idle: number; frames: number; cpu: number; frame: number }[] = [];
for (const { budget, msaa } of RUNS) {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SEED: '0',
    SIMULATE: '0',
    AUTH: 'off',
    LOG_LEVEL: 'warn',
    BUILD_CLIENT: '0',
    MAP_MAX_PIXELS: String(budget),
    MAP_MSAA_SAMPLES: String(msaa),
  });
  const server = await startServer({ config, store, log });
  const context = await browser.newContext({ viewport: { width: vw!, height: vh! } });
  const page = await context.newPage();
  const probe = PAGE === 'wall' ? '__siteTwinWall' : '__siteTwin';
  const url =
    PAGE === 'wall'
      ? `${server.url}/wall?tier=city&every=3600`
      : PAGE === 'project'
        ? `${server.url}/?project=${projectId}`
        : `${server.url}/`;
  const cpu0 = treeCpuS(browserServer.process().pid!);
  const split0 = treeCpu(browserServer.process().pid!);
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 900_000, polling: 250 });
  const ready = (Date.now() - t0) / 1000;
  await page.waitForFunction((p) => (window as any)[p]?.idle === true, probe, { timeout: 900_000, polling: 250 });
  const idle = (Date.now() - t0) / 1000;
  const cpu = treeCpuS(browserServer.process().pid!) - cpu0;
  const split1 = treeCpu(browserServer.process().pid!);
  const split = Object.entries(split1)
    .filter(([k]) => k !== 'total')
    .map(([k, v]) => `${k} ${(v - (split0[k] ?? 0)).toFixed(1)}`)
    .join(', ');
  const frames = await page.evaluate((p) => (window as any)[p].frames as number, probe);
  const ft = await page.evaluate((p) => (window as any)[p].frameTimes(5) as Promise<number[]>, probe);
  const buffer = await page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('.cesium-widget canvas')!;
    return `${c.width}x${c.height}`;
  });
  const frame = ft.reduce((a, v) => a + v, 0) / ft.length;
  rows.push({ budget, ready, idle, frames, cpu, frame });
  const base = rows[0]!;
  console.log(
    `${PAGE} ${vw}x${vh} budget ${budget} msaa ${msaa} (buffer ${buffer}): ready ${ready.toFixed(1)} s (x${(ready / base.ready).toFixed(2)}), ` +
      `idle ${idle.toFixed(1)} s (x${(idle / base.idle).toFixed(2)}), ${frames} frames, Chromium CPU ${cpu.toFixed(1)} s ` +
      `(x${(cpu / base.cpu).toFixed(2)}; ${split}), frame ${frame.toFixed(0)} ms (x${(frame / base.frame).toFixed(2)}), load ${loadavg()[0]!.toFixed(1)}`,
  );
  await context.close();
  await server.close();
}
await browser.close();
await browserServer.close();
await store.close();
