import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceM } from '../../models/geodesy.js';
import { rectangleAround } from '../../models/geo.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { syntheticIfc } from '../server/ifc/syntheticIfc.js';
import { waitForModel } from '../server/ifc/waitForModel.js';
import { E2E_MAP_BUDGET, openBrowser, SLOW_MS, waitForReady, type BrowserSession } from './browser.js';

/**
 * A model whose file stands it in Europe, uploaded to a Qingdao project: the map says how far off it is and stands it
 * at the project with one click (PATCH of the model's georeference), after which the notice goes.
 */
let t: TestServer;
let b: BrowserSession;
let dataDir: string;
let project: { id: string; location: { lon: number; lat: number; height: number } };
let model: any;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-placement-e2e-'));
  t = await startTestServer({
    env: { ...E2E_MAP_BUDGET, DATA_DIR: dataDir, AUTH: 'off', IFC_FAR_FROM_PROJECT_KM: '5' },
  });
  const e = await t.api('POST', '/api/v1/enterprises', { name: '青岛建工集团' });
  const p = await t.api('POST', '/api/v1/projects', {
    name: '浮山湾样板楼',
    enterpriseId: e.body.id,
    regionCode: '370202',
    location: { lon: 120.4, lat: 36.07, height: 5 },
    footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60),
  });
  project = p.body;
  // The synthetic file's IfcSite says Karlsruhe (49°05'43" N, 8°26'01" E).
  const ifc = syntheticIfc({ walls: 4 }).replace('(36,4,12,0),(120,24,0,0)', '(49,5,43,0),(8,26,1,0)');
  const up = await fetch(`${t.url}/api/v1/projects/${project.id}/models?filename=karlsruhe-export.ifc`, {
    method: 'POST',
    body: ifc,
  });
  expect(up.status).toBe(202);
  model = await waitForModel(t, (await up.json()).id, 120_000);
  expect(model.status).toBe('ready');
  expect(model.report.farFromProject.distanceM).toBeGreaterThan(7_000_000);
  b = await openBrowser({ viewport: { width: 1280, height: 720 } });
}, 300_000);
afterAll(async () => {
  await b?.close();
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('far-from-project notice (Chromium)', () => {
  it('shows the distance and places the model at the project with one click', async () => {
    const page = b.page;
    await page.goto(t.url, { waitUntil: 'domcontentloaded' });
    await waitForReady(page);
    const notice = page.locator('[data-testid=placement-notice]');
    await notice.waitFor({ state: 'visible', timeout: SLOW_MS });
    const text = await notice.innerText();
    expect(text).toContain('karlsruhe-export.ifc');
    expect(text).toMatch(/stands 7,\d{3} km from 浮山湾样板楼/);
    await b.screenshot('bim-far-from-project');

    await notice.locator('[data-testid=place-at-project]').click();
    await notice.waitFor({ state: 'hidden', timeout: SLOW_MS });
    const after = (await t.api('GET', `/api/v1/models/${model.id}`)).body;
    expect(after.georeference.source).toBe('manual');
    expect(distanceM(after.georeference, project.location)).toBeLessThan(1);
    // The map holds the re-placed model (its update time changed), and nothing went wrong on the page.
    await page.waitForFunction((id) => window.__siteTwinBim.modelIds.includes(id), model.id, {
      timeout: SLOW_MS,
      polling: 250,
    });
    expect(b.consoleErrors).toEqual([]);
    expect(b.externalRequests).toEqual([]);
  });
});
