import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../models/Device.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { envMonitor, makeDevice, makeProject, postIngest } from '../helpers/telemetry.js';
import { E2E_MAP_BUDGET, openBrowser, SLOW_MS, waitForReady, type BrowserSession } from './browser.js';

let t: TestServer;
let b: BrowserSession;
let projectId: string;
let dust: Device;
let broken: Device;

beforeAll(async () => {
  t = await startTestServer({ env: E2E_MAP_BUDGET });
  projectId = await makeProject(t, '数据质量工地');
  // A dust monitor that sends PM in ng/m3 next to good fields (stored with one refused field), and one that sends
  // nothing usable at all (only refused data).
  const a = await makeDevice(t, projectId, envMonitor('1# 扬尘 ng/m3'));
  dust = a.device;
  const r = await postIngest(
    t,
    [
      {
        deviceId: dust.id,
        time: Date.now() - 5000,
        values: { pm10Ugm3: 140600, pm25Ugm3: 35, noiseDb: 62.5, temperatureC: 11.5 },
      },
    ],
    a.apiKey,
  );
  expect(r.status).toBe(207);
  const c = await makeDevice(t, projectId, {
    ...envMonitor('2# 扬尘 坏'),
    location: { lon: 120.4699, lat: 36.0999, height: 3 },
  });
  broken = c.device;
  expect(
    (
      await postIngest(
        t,
        [{ deviceId: broken.id, time: Date.now() - 4000, values: { humidityPct: 180, windDirDeg: 720 } }],
        c.apiKey,
      )
    ).status,
  ).toBe(400);
  b = await openBrowser({ viewport: { width: 1280, height: 760 } });
});
afterAll(async () => {
  await b?.close();
  await t?.close();
});

describe('data quality in the device panel and the project panel (Chromium)', () => {
  it("shows a device's refused-field counts and last refused payload, and the project's table with the only-refused device flagged", async () => {
    await b.page.goto(`${t.url}/?project=${projectId}`, { waitUntil: 'domcontentloaded' });
    await waitForReady(b.page);
    await expect.poll(() => b.page.evaluate(() => window.__siteTwinSite?.devices ?? 0), { timeout: 60_000 }).toBe(2);

    await b.page.evaluate((id) => window.__siteTwinSite!.openDevice(id), dust.id);
    const q = b.page.locator('[data-testid="device-panel"] [data-testid="device-quality"][data-state="loaded"]');
    await q.waitFor({ timeout: SLOW_MS });
    expect(await q.locator('[data-testid="quality-refused"]').textContent()).toBe('1');
    expect(await q.locator('dd[data-code="out_of_range"]').textContent()).toBe('1');
    expect(await q.locator('dd[data-refused-field="pm10Ugm3"]').textContent()).toBe('1');
    // The refusal worded by the panel from its code and values (the page is English here: Chromium's language), not
    // the server's English reason, which adds an example setting ("e.g. { … }") for API readers.
    const why = q.locator('[data-testid="quality-recent"] li').first();
    expect(await why.getAttribute('data-code')).toBe('out_of_range');
    expect(await why.textContent()).toMatch(
      /^PM10 140600 is above the plausible maximum \d+: is this device sending ng\/m3\? \(set its units\)$/,
    );
    expect(JSON.parse((await q.locator('[data-testid="quality-raw"]').textContent())!)).toMatchObject({
      deviceId: dust.id,
      values: { pm10Ugm3: 140600 },
    });
    expect(await q.locator('[data-testid="quality-last-accepted"]').textContent()).not.toBe('never');
    expect(await q.locator('[data-testid="quality-flag"]').count()).toBe(0);
    await b.page.locator('[data-testid="device-panel"]').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await b.screenshot('data-quality-device');

    // The unit setting from the panel reaches the device.
    await q.locator('select[data-unit="pm"]').selectOption('ng/m3');
    await q.locator('[data-testid="unit-settings"] button[type="submit"]').click();
    await expect.poll(() => q.locator('[data-testid="unit-status"]').textContent()).toMatch(/^Saved/);
    expect((await t.api('GET', `/api/v1/devices/${dust.id}`)).body.units).toEqual({ pm: 'ng/m3' });

    // The device that sends only refused data: flagged in its panel.
    await b.page.evaluate((id) => window.__siteTwinSite!.openDevice(id), broken.id);
    const bq = b.page.locator('[data-testid="device-panel"] [data-testid="device-quality"][data-state="loaded"]');
    await bq.waitFor({ timeout: SLOW_MS });
    expect(await bq.locator('[data-testid="quality-flag"]').count()).toBe(1);
    expect(await bq.locator('[data-testid="quality-last-accepted"]').textContent()).toBe('never');

    // The project's table, from the project panel (the right dock shows the device now: its Project tab first).
    await b.page.locator('.dock-right .dock-tab[data-tab="project"]').click();
    await b.page.locator('[data-testid="project-panel"] [data-testid="open-quality"]').click();
    const table = b.page.locator('[data-testid="project-quality"][data-state="loaded"]');
    await table.waitFor({ timeout: SLOW_MS });
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().getAttribute('data-device-id')).toBe(broken.id); // only-refused first
    expect(await rows.first().getAttribute('data-only-refused')).toBe('true');
    expect(await rows.first().locator('td[data-refused]').textContent()).toBe('2');
    expect(await table.locator(`tr[data-device-id="${dust.id}"] td[data-refused]`).textContent()).toBe('1');
    await b.screenshot('data-quality-project');

    // The same refusal in Chinese, from the same values.
    await b.page.goto(`${t.url}/?project=${projectId}&lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    await waitForReady(b.page);
    await expect.poll(() => b.page.evaluate(() => window.__siteTwinSite?.devices ?? 0), { timeout: 60_000 }).toBe(2);
    await b.page.evaluate((id) => window.__siteTwinSite!.openDevice(id), dust.id);
    await q.waitFor({ timeout: SLOW_MS });
    const zh = await q.locator('[data-testid="quality-recent"] li[data-field="pm10Ugm3"]').first().textContent();
    expect(zh).toMatch(/^PM10 140600 [\u4e00-\u9fff]+ \d+：[\u4e00-\u9fff]+ ng\/m3？/);
    expect(zh).not.toMatch(/is above|sending/);
    expect(b.consoleErrors).toEqual([]);
  }, 900_000);
});
