/**
 * Client rendering benchmark, in headless Chromium (SwiftShader WebGL on this machine):
 *  - a generated building of about 100k elements (server/ifc/pipeline/demoBuilding.ts: BENCH_STOREYS storeys of a 41 x 41
 *    column grid, default 50), converted once by the real pipeline; the server's data folder is kept under
 *    node_modules/.cache/sitetwin-bench so later runs reuse the converted model;
 *  - the BIM workspace (/project/<id>?model=<id>) vs. the baseline, @thatopen/components loading the same Fragments
 *    file alone on an empty scene (?baseline=1), each in a fresh browser context:
 *    time to first frame with the model (from navigation start), frame time over a scripted orbit (36 steps, a full
 *    turn), draw calls and triangles from three's renderer.info; ratios workspace / baseline.
 * Run: npx tsx bench/client.ts   (first run converts the model: several minutes)
 */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/helpers/chromium.js';
import { startBenchServer } from './benchServer.js';
import { ROOT_DIR } from '../server/Server.js';
import { seedDemoCity } from '../server/demo/demoCity.js';

const STOREYS = Number(process.env.BENCH_STOREYS ?? 50);
const ORBIT_STEPS = 36;
const cacheDir = join(ROOT_DIR, 'node_modules', '.cache', 'sitetwin-bench', `s${STOREYS}`);
mkdirSync(cacheDir, { recursive: true });
// The server refuses to send files under a dot-folder (node_modules/.cache): serve the cache through a plain path.
const dataDir = join(tmpdir(), `sitetwin-bench-s${STOREYS}`);
if (!existsSync(dataDir)) symlinkSync(cacheDir, dataDir);

const { store, server } = await startBenchServer(dataDir, { beforeStart: (st) => seedDemoCity(st) });
const project = (await store.projects.list({}))[0]!;
let model = (await store.models.listByProject(project.id)).find((m) => m.fileName === `bench-${STOREYS}.ifc`);
if (!model) {
  console.log(`converting a generated ${STOREYS}-storey building (once; cached in ${cacheDir}) …`);
  model = await server.models.acceptGenerated(project.id, `bench-${STOREYS}.ifc`, {
    name: `bench-${STOREYS}`,
    lon: project.location.lon,
    lat: project.location.lat,
    storeys: STOREYS,
    widthM: 320,
    depthM: 320,
    baysX: 40,
    baysY: 40,
  });
}
const t0 = Date.now();
for (;;) {
  const m = (await store.models.get(model.id))!;
  const fr = (m as unknown as { fragments?: string }).fragments;
  if (m.status === 'failed' || fr === 'failed') throw new Error(`bench model failed: ${JSON.stringify(m.error ?? m)}`);
  if (m.status === 'ready' && fr === 'ready') {
    model = m;
    break;
  }
  if (Date.now() - t0 > 60 * 60_000) throw new Error('bench model not converted within an hour');
  await new Promise((r) => setTimeout(r, 2000));
}
const report = model.report!;
console.log(
  `model: ${report.elementCount} elements, ${report.triangleCount} triangles, fragments ${(report.fragmentsBytes / 1e6).toFixed(1)} MB`,
);

interface Run {
  firstFrameMs: number;
  frames: number[];
  calls: number;
  triangles: number;
}

async function measure(url: string): Promise<Run> {
  const context = await chromium.launchPersistentContext('', {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 720 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(
      () => window.__siteTwinBench?.firstFrameMs != null || document.body.dataset.workspaceReady === 'error',
      undefined,
      { timeout: 30 * 60_000, polling: 250 },
    );
    const firstFrameMs = await page.evaluate(() => window.__siteTwinBench!.firstFrameMs!);
    // Let Fragments finish streaming the first view before timing the orbit.
    await page.waitForFunction(() => document.body.dataset.workspaceReady === '1', undefined, { timeout: 30 * 60_000 });
    await page.waitForTimeout(3000);
    const frames = await page.evaluate((n) => window.__siteTwinBench!.orbit(n), ORBIT_STEPS);
    const { calls, triangles } = await page.evaluate(() => window.__siteTwinBench!.info());
    return { firstFrameMs, frames, calls, triangles };
  } finally {
    await context.close();
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    p50: s[Math.floor(s.length / 2)]!,
    p95: s[Math.floor(s.length * 0.95)]!,
  };
};
const base = `${server.url}/project/${project.id}?model=${model.id}`;
const baseline = await measure(`${base}&baseline=1`);
const workspace = await measure(base);
for (const [label, r] of [
  ['baseline  (components + fragments alone)', baseline],
  ['workspace (Site Twin BIM workspace)     ', workspace],
] as const) {
  const f = stats(r.frames);
  console.log(
    `${label}: first frame ${(r.firstFrameMs / 1000).toFixed(2)} s, orbit frame mean ${f.mean.toFixed(0)} ms p50 ${f.p50.toFixed(0)} ms p95 ${f.p95.toFixed(0)} ms, ` +
      `${r.calls} draw calls, ${r.triangles} triangles`,
  );
}
const fb = stats(baseline.frames);
const fw = stats(workspace.frames);
console.log(
  `ratio workspace / baseline: first frame ${(workspace.firstFrameMs / baseline.firstFrameMs).toFixed(2)}, orbit frame mean ${(fw.mean / fb.mean).toFixed(2)} p95 ${(fw.p95 / fb.p95).toFixed(2)}, ` +
    `draw calls ${(workspace.calls / Math.max(1, baseline.calls)).toFixed(2)}, triangles ${(workspace.triangles / Math.max(1, baseline.triangles)).toFixed(2)}`,
);
await server.close();
await store.close();
