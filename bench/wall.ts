/**
 * Wall soak: a wall page (/wall, city tier, automatic tour every 20 s) left running against the demo city with every
 * simulated device at 1 Hz. Each minute it forces a GC and samples the page's JS heap (CDP Runtime.getHeapUsage) and
 * DOM counters (CDP Memory.getDOMCounters: nodes, listeners). The baseline is the first sample after a one-minute
 * warm-up, in this same run; growth = last / baseline. Target: < 10 % for heap and DOM nodes.
 *
 *   npx tsx bench/wall.ts [--minutes 10] [--every 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/helpers/chromium.js';
import { startBenchServer } from './benchServer.js';
import { seedDemoCity } from '../server/demo/demoCity.js';
import { IN_APP_PERIOD_S, startInAppSimulation } from '../server/demo/simulator/inApp.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const MINUTES = arg('minutes', 10);
const EVERY_S = arg('every', 20);

const dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-bench-wall-'));
const { store, server } = await startBenchServer(dataDir, {
  env: { KPI_PUSH_MS: '5000' },
  beforeStart: (st) => seedDemoCity(st),
});
// The load: every device at 1 Hz (the demo's slow kinds report less often by default).
for (const k of Object.keys(IN_APP_PERIOD_S) as (keyof typeof IN_APP_PERIOD_S)[]) IN_APP_PERIOD_S[k] = 1;
const sim = await startInAppSimulation(server.ctx, {});

const profile = mkdtempSync(join(tmpdir(), 'sitetwin-bench-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: CHROMIUM_ARGS,
  viewport: { width: 1920, height: 1080 },
});
const page = ctx.pages()[0] ?? (await ctx.newPage());
const errors: string[] = [];
page.on('pageerror', (e) => errors.push(e.message));
const cdp = await ctx.newCDPSession(page);

interface Sample {
  min: number;
  heapMB: number;
  nodes: number;
  listeners: number;
  elements: number;
  kpis: number;
  frames: number;
  step: number;
  alarms: number;
}
async function sample(min: number): Promise<Sample> {
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  const dom = (await cdp.send('Memory.getDOMCounters')) as { nodes: number; jsEventListeners: number };
  const p = await page.evaluate(() => ({
    elements: document.getElementsByTagName('*').length,
    kpis: window.__siteTwinWall.kpisReceived,
    frames: window.__siteTwinWall.frames,
    step: window.__siteTwinWall.tour?.step ?? -1,
    alarms: window.__siteTwinWall.alarmsShown,
  }));
  return {
    min,
    heapMB: Math.round((heap.usedSize / 1048576) * 100) / 100,
    nodes: dom.nodes,
    listeners: dom.jsEventListeners,
    ...p,
  };
}

const t0 = Date.now();
await page.goto(`${server.url}/wall?tier=city&every=${EVERY_S}`, { waitUntil: 'domcontentloaded' });
await page.waitForFunction(() => window.__siteTwinWall?.kpisReceived > 0, undefined, {
  timeout: 300_000,
  polling: 500,
});
console.log(
  `wall up in ${Math.round((Date.now() - t0) / 1000)} s; ${sim.devices} simulated devices at 1 Hz; ${MINUTES} min soak, tour every ${EVERY_S} s`,
);
// Warm-up: the first minute loads tiles, builds geometry and fills the fixed DOM pools.
await page.waitForTimeout(60_000);
const samples: Sample[] = [await sample(0)];
console.log('min  heapMB   nodes  listeners  elements  kpis  frames  step  alarms');
const row = (s: Sample) =>
  console.log(
    `${String(s.min).padStart(3)}  ${s.heapMB.toFixed(2).padStart(6)}  ${String(s.nodes).padStart(6)}  ${String(s.listeners).padStart(9)}  ${String(s.elements).padStart(8)}  ${String(s.kpis).padStart(4)}  ${String(s.frames).padStart(6)}  ${String(s.step).padStart(4)}  ${String(s.alarms).padStart(6)}`,
  );
row(samples[0]!);
for (let m = 1; m <= MINUTES; m++) {
  await page.waitForTimeout(60_000);
  const s = await sample(m);
  samples.push(s);
  row(s);
}
const base = samples[0]!;
const last = samples.at(-1)!;
const pct = (a: number, b: number) => `${((a / b - 1) * 100).toFixed(1)} %`;
console.log(
  `\nbaseline (minute 0, after warm-up): heap ${base.heapMB} MB, ${base.nodes} DOM nodes, ${base.listeners} listeners`,
);
console.log(
  `after ${MINUTES} min: heap ${last.heapMB} MB (ratio ${(last.heapMB / base.heapMB).toFixed(3)}, growth ${pct(last.heapMB, base.heapMB)}), DOM nodes ${last.nodes} (ratio ${(last.nodes / base.nodes).toFixed(3)}, growth ${pct(last.nodes, base.nodes)}), listeners ${last.listeners} (growth ${pct(last.listeners, base.listeners)})`,
);
console.log(
  `max heap over the run: ${Math.max(...samples.map((s) => s.heapMB))} MB; KPI sets received: ${last.kpis}; ingest: ${sim.stats.accepted} readings accepted, ${sim.stats.rejected} rejected; page errors: ${errors.length}`,
);
console.log(
  `target < 10 %: heap ${last.heapMB / base.heapMB < 1.1 ? 'met' : 'NOT met'}, DOM nodes ${last.nodes / base.nodes < 1.1 ? 'met' : 'NOT met'}`,
);

await ctx.close();
await sim.stop();
await server.close();
await store.close();
rmSync(profile, { recursive: true, force: true });
rmSync(dataDir, { recursive: true, force: true });
