import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Project } from '../../models/Project.js';
import { seedDemoModels } from '../../server/demo/demoSeed.js';
import { ROOT_DIR } from '../../server/Server.js';
import { DEMO_PROJECTS, seedDemoCity } from '../../server/demo/demoCity.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitForFragments, waitForModel } from '../server/ifc/waitForModel.js';
import { E2E_MAP_MSAA, openBrowser, SLOW_MS, waitForIdle, waitForReady, type BrowserSession } from './browser.js';

const FZK = join(ROOT_DIR, '..', 'shared', 'ifc', 'AC20-FZK-Haus.ifc');
const present = existsSync(FZK);
if (!present) console.warn(`bimWorkspace e2e: ${FZK} is absent; the shared IFC samples are needed for this file`);

/** The project that gets the uploaded file instead of a generated building. */
const FZK_PROJECT = DEMO_PROJECTS[4]!.name;

let t: TestServer;
let b: BrowserSession;
let dataDir: string;
let projects: Project[];
const demoModels = new Map<string, any>(); // projectId -> model
let fzk: any;
let map: Page;
let ws: Page;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-bim-e2e-'));
  // AUTH off: this file is about drawing and selection, not logins (the auth suite covers those). The map at full
  // resolution (screenshot comparisons), antialiasing off.
  t = await startTestServer({ env: { ...E2E_MAP_MSAA, DATA_DIR: dataDir, AUTH: 'off' } });
  await seedDemoCity(t.store);
  projects = (await t.api<Project[]>('GET', '/api/v1/projects')).body;
  const fzkProject = projects.find((p) => p.name === FZK_PROJECT)!;
  await seedDemoModels(t.store, t.server.models, undefined, {
    only: DEMO_PROJECTS.map((d) => d.name).filter((n) => n !== FZK_PROJECT),
  });
  const form = new FormData();
  form.append('file', new Blob([readFileSync(FZK)]), 'AC20-FZK-Haus.ifc');
  const up = await fetch(`${t.url}/api/v1/projects/${fzkProject.id}/models`, { method: 'POST', body: form });
  expect(up.status).toBe(202);
  const fzkId = (await up.json()).id;
  for (const p of projects) {
    if (p.id === fzkProject.id) continue;
    const [m] = (await t.api('GET', `/api/v1/projects/${p.id}/models`)).body;
    demoModels.set(p.id, await waitForModel(t, m.id, 240_000));
  }
  expect((await waitForModel(t, fzkId, 240_000)).status).toBe('ready');
  // The file is georeferenced in Karlsruhe: stand it on its project's site, as a person would with the PATCH.
  const patched = await t.api('PATCH', `/api/v1/models/${fzkId}`, {
    georeference: { lon: fzkProject.location.lon, lat: fzkProject.location.lat, height: 0 },
  });
  expect(patched.status).toBe(200);
  fzk = await waitForFragments(t, fzkId, 240_000);
  expect(fzk.fragments).toBe('ready');
  b = await openBrowser({ viewport: { width: 960, height: 600 } });
  map = b.page;
}, 600_000);
afterAll(async () => {
  await b?.close();
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const bimSettled = (page: Page) =>
  page.waitForFunction(() => window.__siteTwinBim?.settled, undefined, { timeout: SLOW_MS, polling: 250 });

describe.skipIf(!present)('BIM on the map and in the workspace (Chromium)', () => {
  it('draws every demo project model at its place: pixels differ from the empty map in each project region', async () => {
    await map.goto(t.url, { waitUntil: 'domcontentloaded' });
    await waitForReady(map);
    await map.waitForFunction((n) => window.__siteTwinBim.models === n, projects.length, {
      timeout: SLOW_MS,
      polling: 250,
    });
    await map.waitForFunction(() => window.__siteTwinBim.settled, undefined, { timeout: SLOW_MS, polling: 250 });
    await b.screenshot('bim-map-city');
    // Close to each site in turn (at city scale a building is a pixel or two and 3D Tiles rightly draws no detail):
    // the region its box covers on screen, with the models hidden (footprints always hidden), then shown.
    await map.evaluate(() => window.__siteTwinBim.setLayers({ footprints: false }));
    for (const m of [...demoModels.values(), fzk]) {
      await map.evaluate((id) => window.__siteTwinBim.flyToModel(id), m.id);
      await map.evaluate(() => window.__siteTwinBim.setLayers({ models: false }));
      await waitForIdle(map);
      const clip = await map.evaluate((mm) => {
        const [a, z] = [mm.report.bbox.min, mm.report.bbox.max];
        const pts: { x: number; y: number }[] = [];
        for (const x of [a[0], z[0]])
          for (const y of [a[1], z[1]])
            for (const h of [a[2], z[2]]) {
              const p = window.__siteTwinBim.pagePositionOf(mm.id, [x, y, h]);
              if (p) pts.push(p);
            }
        if (!pts.length) return null;
        const xs = pts.map((p) => p.x),
          ys = pts.map((p) => p.y);
        const x = Math.max(0, Math.floor(Math.min(...xs))),
          y = Math.max(0, Math.floor(Math.min(...ys)));
        return {
          x,
          y,
          width: Math.min(window.innerWidth, Math.ceil(Math.max(...xs))) - x,
          height: Math.min(window.innerHeight, Math.ceil(Math.max(...ys))) - y,
        };
      }, m);
      expect(clip, `model ${m.id} projects onto the screen`).not.toBeNull();
      expect(clip!.width * clip!.height).toBeGreaterThan(400);
      const empty = await map.screenshot({ clip: clip! });
      await map.evaluate(() => window.__siteTwinBim.setLayers({ models: true }));
      await bimSettled(map);
      await map.evaluate(() => window.__siteTwinBim.renderNow());
      // The same encoder on the same pixels gives the same bytes: different bytes mean the model changed the region.
      const drawn = await map.screenshot({ clip: clip! });
      expect(drawn.equals(empty), `model ${m.fileName} changes its screen region ${JSON.stringify(clip)}`).toBe(false);
    }
    await b.screenshot('bim-map-models');
    expect(b.externalRequests).toEqual([]);
  });

  let roof: any;
  it('clicking a known element on the map shows its GlobalId, class and storey, highlighted by the shader', async () => {
    const els = (await t.api('GET', `/api/v1/models/${fzk.id}/elements?limit=1000`)).body.items as any[];
    // The highest slab of the house (a roof slab): from straight above, nothing covers the centre of its box.
    roof = els
      .filter((e) => e.hasGeometry && e.bbox && /slab/i.test(e.ifcClass))
      .sort((a, z) => z.bbox.max[2] - a.bbox.max[2])[0];
    expect(roof, 'the house has slabs').toBeTruthy();
    const c: [number, number, number] = [0, 1, 2].map((k) => (roof.bbox.min[k] + roof.bbox.max[k]) / 2) as any;
    // The footprint layer's translucent massing box encloses the model; hide it so the picture shows the model.
    await map.evaluate(
      ([id, p]) => (window.__siteTwinBim.lookDownAt(id, p, 40), window.__siteTwinBim.setLayers({ footprints: false })),
      [fzk.id, c] as const,
    );
    // tilesLoaded is as of the last frame: the frame above is of the new view, so it is now trustworthy.
    await bimSettled(map);
    await waitForIdle(map);
    const at = await map.evaluate(([id, p]) => window.__siteTwinBim.pagePositionOf(id, p), [fzk.id, c] as const);
    await map.mouse.click(at!.x, at!.y);
    const panel = map.locator('.bim-detail [data-testid="element-panel"]');
    await expect.poll(() => panel.getAttribute('data-state'), { timeout: 60_000 }).toBe('loaded');
    expect(await panel.locator('[data-testid="element-guid"]').textContent()).toBe(roof.globalId);
    expect(await panel.locator('[data-field="class"]').textContent()).toBe(roof.ifcClass);
    expect(await panel.locator('[data-field="storey"]').textContent()).toBe(roof.storeyName ?? '—');
    await expect
      .poll(() => map.evaluate(() => window.__siteTwinBim.colouredTiles), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(new URL(map.url()).searchParams.get('element')).toBe(roof.globalId);
    await map.evaluate(() => window.__siteTwinBim.renderNow());
    await b.screenshot('bim-map-picked');
  });

  it('opens the uploaded file in the workspace: storeys listed, section cuts, measurement shows a length; selection syncs both ways', async () => {
    ws = await b.context.newPage();
    ws.on('pageerror', (e) => b.consoleErrors.push(`workspace pageerror: ${e.message}`));
    await ws.setViewportSize({ width: 960, height: 600 });
    await ws.goto(`${t.url}/project/${fzk.projectId}?model=${fzk.id}`, { waitUntil: 'domcontentloaded' });
    await ws.waitForFunction(
      () => window.__siteTwinWorkspace?.ready === true || !!window.__siteTwinWorkspace?.error,
      undefined,
      { timeout: SLOW_MS, polling: 250 },
    );
    expect(await ws.evaluate(() => window.__siteTwinWorkspace.error)).toBeNull();
    await ws.waitForFunction(() => !window.__siteTwinWorkspace.busy, undefined, { timeout: SLOW_MS, polling: 250 });
    // Map -> workspace: the element picked on the map (other tab) is highlighted here.
    await expect
      .poll(() => ws.evaluate(() => window.__siteTwinWorkspace.highlightedGlobalIds()), { timeout: 60_000 })
      .toEqual([roof.globalId]);
    const tree = (await t.api('GET', `/api/v1/models/${fzk.id}/tree`)).body;
    const storeys: string[] = [];
    const walk = (n: any) => (
      n.ifcClass.toUpperCase() === 'IFCBUILDINGSTOREY' && storeys.push(n.name),
      n.children.forEach(walk)
    );
    walk(tree);
    expect(storeys.length).toBeGreaterThanOrEqual(2);
    const listed = await ws
      .locator('[data-testid="spatial-tree"] [data-class="IfcBuildingStorey" i] > .tree-row .tree-label')
      .allTextContents();
    expect(listed).toEqual(storeys);
    expect(await ws.locator('[data-testid="storeys"] li').count()).toBe(storeys.length);
    await ws.evaluate(() => window.__siteTwinWorkspace.renderNow());
    const before = await ws.screenshot();
    await b.page.bringToFront();
    await ws.bringToFront();
    await ws.screenshot({ path: join(ROOT_DIR, 'test-results', 'workspace-model.png') });

    // Section plane: the picture changes and the cut is filled.
    await ws.keyboard.press('s');
    await ws.waitForFunction(() => window.__siteTwinWorkspace.sectionPlanes === 1, undefined, { timeout: 60_000 });
    await ws.evaluate(() => window.__siteTwinWorkspace.renderNow());
    const cut = await ws.screenshot({ path: join(ROOT_DIR, 'test-results', 'workspace-section.png') });
    expect(cut.equals(before)).toBe(false);
    expect(await ws.evaluate(() => window.__siteTwinWorkspace.sectionFillTriangles)).toBeGreaterThan(0);
    await ws.locator('[data-testid="tb-clear-sections"]').click();

    // Length measurement between two walls, with the whole house in view (the map selection zoomed to the roof).
    await ws.keyboard.press('Escape');
    await ws.keyboard.press('f');
    await ws.waitForFunction(
      () => !window.__siteTwinWorkspace.cameraMoving && !window.__siteTwinWorkspace.busy,
      undefined,
      { timeout: SLOW_MS, polling: 250 },
    );
    // Walls by class name (this file exports IfcWallStandardCase as well as IfcWall).
    const walls = ((await t.api('GET', `/api/v1/models/${fzk.id}/elements?limit=1000`)).body.items as any[]).filter(
      (e) => e.hasGeometry && /^IfcWall/i.test(e.ifcClass),
    );
    expect(walls.length).toBeGreaterThan(2);
    const targets: { x: number; y: number }[] = [];
    for (const w of walls) {
      const p = await ws.evaluate((g) => window.__siteTwinWorkspace.screenOf(g), w.globalId);
      if (
        p &&
        p.x > 20 &&
        p.y > 20 &&
        p.x < 940 &&
        p.y < 580 &&
        targets.every((q) => Math.hypot(q.x - p.x, q.y - p.y) > 60)
      )
        targets.push(p);
      if (targets.length === 2) break;
    }
    expect(targets, `wall centres on screen: ${JSON.stringify(targets)}`).toHaveLength(2);
    await ws.keyboard.press('m');
    const canvasBox = (await ws.locator('#map canvas').first().boundingBox())!;
    for (const p of targets) {
      await ws.mouse.click(canvasBox.x + p.x, canvasBox.y + p.y);
    }
    await ws.waitForFunction(() => window.__siteTwinWorkspace.measurements.length === 1, undefined, {
      timeout: 60_000,
    });
    const m = (await ws.evaluate(() => window.__siteTwinWorkspace.measurements))[0]!;
    expect(m.kind).toBe('length');
    expect(m.value).toBeGreaterThan(0.5);
    expect(await ws.locator('[data-testid="measure-length"]').textContent()).toMatch(/^\d+(\.\d+)? m{1,2}$/);
    await ws.evaluate(() => window.__siteTwinWorkspace.renderNow());
    await ws.screenshot({ path: join(ROOT_DIR, 'test-results', 'workspace-measure.png') });
    await ws.keyboard.press('Escape');

    // Workspace -> map: pick a wall here, the map highlights the same GlobalId.
    await ws.keyboard.press('Escape');
    const wall = walls[0]!;
    await ws.evaluate((g) => (window as any).__siteTwinWorkspaceApp.select(g, 'workspace'), wall.globalId);
    await expect
      .poll(() => ws.evaluate(() => window.__siteTwinWorkspace.highlightedGlobalIds()), { timeout: 60_000 })
      .toEqual([wall.globalId]);
    await expect
      .poll(() => map.evaluate(() => window.__siteTwinBim.selectedGlobalId), { timeout: 30_000 })
      .toBe(wall.globalId);
    expect(await map.evaluate(() => window.__siteTwinBim.colouredTiles)).toBeGreaterThan(0);
    expect(await map.locator('.bim-detail [data-testid="element-guid"]').textContent()).toBe(wall.globalId);
    expect(b.consoleErrors).toEqual([]);
    expect(b.externalRequests).toEqual([]);
  });
});
