/**
 * City map frame time, in headless Chromium (SwiftShader WebGL on this machine), issue 20 acceptance 4. One run:
 *  1. baseline: the city map page with no project and the offline base map switched off (Natural Earth II only);
 *  2. the same empty city with the base map on (sea, land, coast, districts painted into globe tiles; labels);
 *  3. 1,000 projects generated in this run, placed inside the demo city's districts (their region codes), base map on;
 *  4. the same 1,000 projects with the base map off.
 * Each scenario loads the page fresh, waits until it is ready and idle, then pans the camera over the city in steps
 * (a cold pass that loads tiles, then a warm pass over the same views) and times each step from the camera move to
 * the frame that shows it. Printed: mean / p50 / p95 per pass and the ratio of each scenario to the baseline.
 * Run: npm run bench:map   (about 2-3 minutes)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/helpers/chromium.js';
import { startBenchServer } from './benchServer.js';
import { EnterpriseCreate } from '../models/Enterprise.js';
import { rectangleAround } from '../models/geo.js';
import { ProjectCreate } from '../models/Project.js';
import { ROOT_DIR } from '../server/Server.js';

const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 1000);
const STEPS = Number(process.env.BENCH_STEPS ?? 8);
const VIEW = { width: 1280, height: 720 };

const dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-mapframes-'));
const { store, server } = await startBenchServer(dataDir);

/** Ray casting on one ring (lon/lat). */
function inRing(lon: number, lat: number, ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi! > lat !== yj! > lat && lon < ((xj! - xi!) * (lat - yi!)) / (yj! - yi!) + xi!) inside = !inside;
  }
  return inside;
}

async function generateProjects(n: number): Promise<void> {
  const districts = JSON.parse(readFileSync(join(ROOT_DIR, 'server/basemap/layers/districts.geojson'), 'utf8')) as {
    features: {
      properties: { code: string };
      geometry: { type: string; coordinates: number[][][] | number[][][][] };
    }[];
  };
  const polys = districts.features.flatMap((f) =>
    (f.geometry.type === 'Polygon'
      ? [f.geometry.coordinates as number[][][]]
      : (f.geometry.coordinates as number[][][][])
    ).map((p) => ({ code: f.properties.code, ring: p[0]! })),
  );
  const ent = await store.enterprises.create(EnterpriseCreate.parse({ name: '基准测试建设集团' }));
  let seed = 20;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const statuses = ['under_construction', 'under_construction', 'planned', 'suspended', 'completed'] as const;
  for (let i = 0; i < n; i++) {
    const d = polys[i % polys.length]!;
    const lons = d.ring.map((c) => c[0]!);
    const lats = d.ring.map((c) => c[1]!);
    let lon = 0;
    let lat = 0;
    for (let k = 0; k < 200; k++) {
      lon = Math.min(...lons) + rnd() * (Math.max(...lons) - Math.min(...lons));
      lat = Math.min(...lats) + rnd() * (Math.max(...lats) - Math.min(...lats));
      if (inRing(lon, lat, d.ring)) break;
    }
    await store.projects.create(
      ProjectCreate.parse({
        name: `基准项目 ${String(i + 1).padStart(4, '0')} 号地块`,
        enterpriseId: ent.id,
        address: '',
        regionCode: d.code,
        status: statuses[i % statuses.length]!,
        location: { lon, lat, height: 0 },
        footprint: rectangleAround({ lon, lat }, 60 + rnd() * 120, 40 + rnd() * 80, rnd() * 90),
        heightM: 20 + rnd() * 120,
      }),
    );
  }
}

interface Pass {
  mean: number;
  p50: number;
  p95: number;
}
const stats = (xs: number[]): Pass => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    p50: s[Math.floor(s.length / 2)]!,
    p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!,
  };
};

const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: CHROMIUM_ARGS,
});

async function measure(basemap: boolean): Promise<{ cold: Pass; warm: Pass; labels: string }> {
  const context = await browser.newContext({ viewport: VIEW });
  try {
    const page = await context.newPage();
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(
      () => window.__siteTwin?.ready === true && window.__siteTwinCity?.districtsLoaded === true,
      undefined,
      { timeout: 10 * 60_000, polling: 250 },
    );
    await page.evaluate((on) => {
      window.__siteTwinCity.showBasemap(on);
      window.__siteTwin.lookAt(120.3, 36.2, 110_000);
    }, basemap);
    await page.waitForFunction(() => window.__siteTwin.idle, undefined, { timeout: 10 * 60_000, polling: 250 });
    const pass = (n: number) =>
      page.evaluate(async (n) => {
        const p = window.__siteTwin;
        const out: number[] = [];
        for (let i = 0; i < n; i++) {
          const f = p.frames;
          const t = performance.now();
          // A pan across the city and back, at city scale: each step is a new view of the same tiles' area.
          p.lookAt(120.22 + 0.04 * (i % 5), 36.12 + 0.03 * (i % 3), 100_000 + 5_000 * (i % 2));
          // (No named helper in here: tsx would wrap it in a __name() the page does not have.)
          while (p.frames <= f) await new Promise((r) => requestAnimationFrame(r));
          out.push(performance.now() - t);
        }
        return out;
      }, n);
    const cold = stats(await pass(STEPS));
    await page.waitForFunction(() => window.__siteTwin.idle, undefined, { timeout: 10 * 60_000, polling: 250 });
    const warm = stats(await pass(STEPS));
    const r = await page.evaluate(() => window.__siteTwinCity.placeLabels());
    return {
      cold,
      warm,
      labels: `${r.candidates} label candidates, ${r.placed.length} placed, ${r.absorbed} pins clustered`,
    };
  } finally {
    await context.close();
  }
}

const t0 = Date.now();
type Result = Awaited<ReturnType<typeof measure>>;
const results: [string, Result][] = [];
results.push(['empty city, base map off (baseline)', await measure(false)]);
results.push(['empty city, base map on             ', await measure(true)]);
await generateProjects(PROJECTS);
results.push([`${PROJECTS} projects, base map on          `, await measure(true)]);
results.push([`${PROJECTS} projects, base map off         `, await measure(false)]);
const base = results[0]![1];
console.log(
  `city map frame time, ${VIEW.width}x${VIEW.height}, ${STEPS} camera steps per pass (headless Chromium, SwiftShader):`,
);
for (const [label, r] of results) {
  console.log(
    `${label}: cold mean ${r.cold.mean.toFixed(0)} ms p95 ${r.cold.p95.toFixed(0)} ms | warm mean ${r.warm.mean.toFixed(0)} ms p50 ${r.warm.p50.toFixed(0)} ms p95 ${r.warm.p95.toFixed(0)} ms` +
      ` | ratio to baseline: cold ${(r.cold.mean / base.cold.mean).toFixed(2)}, warm ${(r.warm.mean / base.warm.mean).toFixed(2)} | ${r.labels}`,
  );
}
// The three comparisons the issue asks for, from the same run (warm pass means; cold in brackets).
const [emptyOff, emptyOn, manyOn, manyOff] = results.map(([, r]) => r) as [Result, Result, Result, Result];
const ratio = (a: Result, b: Result) =>
  `${(a.warm.mean / b.warm.mean).toFixed(2)} (cold ${(a.cold.mean / b.cold.mean).toFixed(2)})`;
console.log(`ratio base map on / off, empty city:          ${ratio(emptyOn, emptyOff)}`);
console.log(`ratio base map on / off, ${PROJECTS} projects:      ${ratio(manyOn, manyOff)}`);
console.log(`ratio ${PROJECTS} projects / empty city, base map on: ${ratio(manyOn, emptyOn)}`);
console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
await browser.close();
await server.close();
await store.close();
