import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceM } from '../../models/geodesy.js';
import { rectangleAround } from '../../models/geo.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { syntheticIfc } from '../server/ifc/syntheticIfc.js';
import { waitForModel } from '../server/ifc/waitForModel.js';
import { E2E_MAP_BUDGET, openBrowser, SLOW_MS, waitForIdle, waitForReady, type BrowserSession } from './browser.js';

/**
 * Issue 20: with the map open on a project, a model uploaded, moved (PATCH of its placement) and deleted over REST
 * appears, moves and goes on the map from the `/live` model messages alone: the camera never moves.
 */
let t: TestServer;
let b: BrowserSession;
let dataDir: string;
let project: { id: string; location: { lon: number; lat: number; height: number } };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-livemodels-e2e-'));
  t = await startTestServer({ env: { ...E2E_MAP_BUDGET, DATA_DIR: dataDir, AUTH: 'off' } });
  const e = await t.api('POST', '/api/v1/enterprises', { name: '青岛建工集团' });
  const p = await t.api('POST', '/api/v1/projects', {
    name: '浮山湾样板楼',
    enterpriseId: e.body.id,
    regionCode: '370202',
    location: { lon: 120.4, lat: 36.07, height: 5 },
    footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60),
  });
  project = p.body;
  b = await openBrowser({ viewport: { width: 1280, height: 720 } });
}, 120_000);
afterAll(async () => {
  await b?.close();
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('live models on the map (Chromium)', () => {
  it('shows an uploaded model, moves it on a placement patch and drops it on delete, without a camera move', async () => {
    const page = b.page;
    await page.goto(`${t.url}/?project=${project.id}`, { waitUntil: 'domcontentloaded' });
    await waitForReady(page);
    await waitForIdle(page);
    expect(await page.evaluate(() => window.__siteTwinBim.modelIds)).toEqual([]);
    const camera = () => page.evaluate(() => window.__siteTwinBim.cameraPosition());
    const before = await camera();
    // Every conversion text the map shows, kept as it changes (a small file converts in a second or two).
    await page.evaluate(() => {
      const seen: string[] = ((window as any).__conversionTexts = []);
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid=bim-conversion]'))
          if (!(el as HTMLElement).hidden && el.textContent) seen.push(el.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });

    const up = await fetch(`${t.url}/api/v1/projects/${project.id}/models?filename=live-upload.ifc`, {
      method: 'POST',
      body: syntheticIfc({ walls: 4 }),
    });
    expect(up.status).toBe(202);
    const model = await waitForModel(t, (await up.json()).id, 120_000);
    expect(model.status).toBe('ready');
    await page.waitForFunction((id) => window.__siteTwinBim.modelIds.includes(id), model.id, {
      timeout: SLOW_MS,
      polling: 250,
    });
    const at = await page.evaluate((id) => window.__siteTwinBim.modelOrigin(id), model.id);
    expect(at).not.toBeNull();
    // The tileset's frame stands at the site (the file's IfcSite is the project's place).
    expect(distanceM(at!, project.location)).toBeLessThan(200);
    const texts: string[] = await page.evaluate(() => (window as any).__conversionTexts);
    expect(texts.some((s) => s.includes('live-upload.ifc'))).toBe(true);
    // Once ready, the conversion text goes.
    await page.locator('[data-testid=bim-conversion]').waitFor({ state: 'hidden', timeout: SLOW_MS });
    await waitForIdle(page);
    await b.screenshot('live-model-appeared');

    // 200 m north-east of where the file stood it.
    const to = {
      lon: model.georeference.lon + 0.0016,
      lat: model.georeference.lat + 0.0013,
      height: model.georeference.height,
    };
    const patch = await t.api('PATCH', `/api/v1/models/${model.id}`, { georeference: to });
    expect(patch.status).toBe(200);
    await page.waitForFunction(
      ([id, lon]) => {
        const o = window.__siteTwinBim.modelOrigin(id as string);
        return !!o && Math.abs(o.lon - (lon as number)) > 0.001;
      },
      [model.id, at!.lon] as const,
      { timeout: SLOW_MS, polling: 250 },
    );
    const moved = await page.evaluate((id) => window.__siteTwinBim.modelOrigin(id), model.id);
    // The frame moved as far as the placement did (about 200 m).
    expect(Math.abs(distanceM(moved!, at!) - distanceM(to, model.georeference))).toBeLessThan(1);

    const del = await t.api('DELETE', `/api/v1/models/${model.id}`);
    expect(del.status).toBeLessThan(300);
    await page.waitForFunction((id) => !window.__siteTwinBim.modelIds.includes(id), model.id, {
      timeout: SLOW_MS,
      polling: 250,
    });

    expect(await camera()).toEqual(before);
    expect(b.consoleErrors).toEqual([]);
    expect(b.externalRequests).toEqual([]);
  });
});
