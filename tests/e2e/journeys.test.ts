import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '../../models/Alarm.js';
import { FIXTURE_PASSWORD, makeProjectFixture, makeUser, type ProjectFixture } from '../helpers/auth.js';
import { ROOT_DIR } from '../../server/Server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { E2E_MAP_BUDGET, openBrowser, SLOW_MS, type BrowserSession } from './browser.js';

/**
 * Journeys as each role walks them, with accounts on (issue 19's "broken journeys"): one server for the file, one
 * browser (fresh profile, so a fresh session) per journey.
 */
// buildingSMART's 4D sample (five elements; shared files, never copied into the repo): a converted model, so the
// workspace opens and the 4D panel shows its controls.
const SAMPLE = join(ROOT_DIR, '..', 'shared', 'ifc', 'ifc4x3-samples', 'construction-scheduling-task.ifc');
const missing = !existsSync(SAMPLE);
if (missing) console.warn(`journeys e2e skipped: the shared IFC sample is missing at ${SAMPLE} (needs ../shared/ifc)`);

let t: TestServer;
let admin: string;
let f: ProjectFixture;
let modelId: string;
let dataDir: string;
const open: BrowserSession[] = [];

/** Polls the model (as admin: accounts are on) until its Fragments file is built. */
async function waitForFragments(id: string): Promise<void> {
  for (let i = 0; ; i++) {
    const m = (await t.api('GET', `/api/v1/models/${id}`, undefined, { token: admin })).body;
    if (m.status === 'failed' || m.fragments === 'failed') throw new Error(`conversion failed: ${JSON.stringify(m)}`);
    if (m.status === 'ready' && m.fragments === 'ready') return;
    if (i > 1200) throw new Error(`conversion did not finish: ${JSON.stringify(m)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  if (missing) return;
  dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-journeys-e2e-'));
  t = await startTestServer({ env: { ...E2E_MAP_BUDGET, AUTH: 'on', DATA_DIR: dataDir } });
  await makeUser(t.store, 'root', { role: 'admin' });
  admin = await t.login('root', FIXTURE_PASSWORD);
  const e = await t.api('POST', '/api/v1/enterprises', { name: '旅程建设集团' }, { token: admin });
  f = await makeProjectFixture(t, admin, e.body.id, '370212', '旅程工地');
  await makeUser(t.store, 'site.safety', { role: 'project', projectIds: [f.projectId] });
  await makeUser(t.store, 'city.viewer', { role: 'viewer', scope: { kind: 'all' } });
  await makeUser(t.store, 'ent.hq', { role: 'enterprise', enterpriseId: f.enterpriseId });
  const form = new FormData();
  form.append('file', new Blob([readFileSync(SAMPLE)]), 'construction-scheduling-task.ifc');
  const up = await fetch(`${t.url}/api/v1/projects/${f.projectId}/models`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${admin}` },
  });
  expect(up.status).toBe(202);
  modelId = ((await up.json()) as { id: string }).id;
  await waitForFragments(modelId);
  const csv = [
    'task;plannedStart;plannedFinish;globalIds;ifcClass;storey',
    '砌筑墙体;2025-03-01;2025-03-12;;IfcWall;',
  ].join('\n');
  const imp = await fetch(`${t.url}/api/v1/models/${modelId}/schedule`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${admin}` },
    body: csv,
  });
  expect(imp.status, await imp.text()).toBe(200);
}, 300_000);
afterAll(async () => {
  for (const b of open) await b.close();
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});
// A journey's browser is done when its test is: closed, so its globe does not render beside the next journey's.
afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
});

async function browser(): Promise<BrowserSession> {
  const b = await openBrowser();
  open.push(b);
  return b;
}

/** Fills the login form the page showed on its first 401 and waits for it to go. */
async function logIn(page: Page, username: string): Promise<void> {
  const login = page.locator('[data-testid="login-screen"]');
  await login.waitFor({ state: 'visible', timeout: SLOW_MS });
  await page.locator('[data-testid="login-username"]').fill(username);
  await page.locator('[data-testid="login-password"]').fill(FIXTURE_PASSWORD);
  await page.locator('[data-testid="login-submit"]').click();
  await login.waitFor({ state: 'hidden' });
}

const site = (page: Page) =>
  page.evaluate(() =>
    window.__siteTwinSite
      ? {
          projectId: window.__siteTwinSite.projectId,
          devices: window.__siteTwinSite.devices,
          alarms: window.__siteTwinSite.alarmsActive(),
        }
      : null,
  );
/** Chromium logs each 401 that brought up the login as a failed resource: expected here, nothing else is. */
const unexpectedErrors = (b: BrowserSession) => b.consoleErrors.filter((m) => !/status of 401/.test(m));

describe.skipIf(missing)('journeys with accounts on (Chromium, 1600x900)', () => {
  it('1. a project link opened logged out shows live devices and alarms right after the login, without a reload', async () => {
    const b = await browser();
    await b.page.goto(`${t.url}/?project=${f.projectId}`, { waitUntil: 'domcontentloaded' });
    await logIn(b.page, 'root');
    // The live room's snapshot brings the crane; the alarm list is read once the socket is subscribed.
    await expect
      .poll(() => site(b.page), { timeout: 60_000, interval: 500 })
      .toEqual({ projectId: f.projectId, devices: 1, alarms: 1 });
    await expect
      .poll(() => b.page.evaluate(() => window.__siteTwin?.liveStatus), { timeout: 30_000 })
      .toBe('connected');
    await b.page.locator(`[data-testid="alarm-feed"] [data-alarm-id="${f.alarmId}"]`).waitFor({ timeout: 30_000 });
    await b.screenshot('journey1-live-after-login');
    expect(unexpectedErrors(b)).toEqual([]);
  });

  it('2. a workspace link opened logged out shows the login form, then the workspace', async () => {
    const b = await browser();
    await b.page.goto(`${t.url}/project/${f.projectId}`, { waitUntil: 'domcontentloaded' });
    await b.page.locator('[data-testid="login-screen"]').waitFor({ state: 'visible', timeout: 60_000 });
    await b.screenshot('journey2-workspace-login');
    expect(await b.page.locator('#fatal').isHidden()).toBe(true);
    await logIn(b.page, 'site.safety');
    // The workspace read the project's models with the new session and opened the converted one.
    await expect
      .poll(() => b.page.evaluate(() => window.__siteTwinWorkspace?.modelId ?? null), { timeout: 60_000 })
      .toBe(modelId);
    expect(await b.page.evaluate(() => window.__siteTwinWorkspace.error)).toBe(null);
    expect(await b.page.locator('#fatal').isHidden()).toBe(true);
    expect(unexpectedErrors(b)).toEqual([]);
  });

  it('8. an acknowledgement is signed by the logged-in account, without asking for a name', async () => {
    const b = await browser();
    await b.page.goto(`${t.url}/?project=${f.projectId}`, { waitUntil: 'domcontentloaded' });
    await logIn(b.page, 'site.safety');
    const row = b.page.locator(`[data-testid="alarm-feed"] [data-alarm-id="${f.alarmId}"][data-state="open"]`);
    await row.waitFor({ timeout: 60_000 });
    // DOM clicks and keys: the globe's loading veil may still cover the feed on this shared, slow machine (minutes at
    // 0.2 fps), and what is tested here is the form and the signature, not the veil.
    await row.locator('[data-action="ack"]').dispatchEvent('click');
    await row.locator('input[name="comment"]').waitFor();
    expect(await row.locator('input[name="by"]').count()).toBe(0);
    await b.screenshot('journey8-ack-form');
    await row.locator('input[name="comment"]').fill('限位已复位');
    await row.locator('input[name="comment"]').press('Enter');
    await b.page
      .locator(`[data-testid="alarm-feed"] [data-alarm-id="${f.alarmId}"][data-state="acknowledged"]`)
      .waitFor({ timeout: 30_000 });
    const stored = (
      await t.api<Alarm[]>('GET', `/api/v1/projects/${f.projectId}/alarms`, undefined, { token: admin })
    ).body.find((a) => a.id === f.alarmId)!;
    expect([stored.state, stored.acknowledgedBy, stored.ackComment]).toEqual([
      'acknowledged',
      'site.safety',
      '限位已复位',
    ]);
    expect(unexpectedErrors(b)).toEqual([]);
  });

  it('9. a read-only account sees no write controls: no acknowledge, no schedule upload, no element marking', async () => {
    // An open alarm of its own (journey 8 acknowledged the fixture's, and only an open one offers the button).
    const { alarm } = await t.store.alarms.raise({
      projectId: f.projectId,
      deviceId: f.deviceId,
      rule: 'crane.wind',
      quantity: 'windSpeedMps',
      level: 'alarm',
      value: 14,
      threshold: 10.8,
      message: 'wind',
      time: Date.now(),
    });
    const b = await browser();
    await b.page.goto(`${t.url}/?project=${f.projectId}&progress=2025-03-05`, { waitUntil: 'domcontentloaded' });
    await logIn(b.page, 'city.viewer');
    const row = b.page.locator(`[data-testid="alarm-feed"] [data-alarm-id="${alarm.id}"][data-state="open"]`);
    await row.waitFor({ timeout: 60_000 });
    // The 4D panel has loaded the converted model (its read-only part is what a viewer gets).
    await b.page.waitForFunction(
      (m) => {
        const p = window.__siteTwinProgress;
        return p?.open && p.modelId === m && p.seq > 0 && !p.loading;
      },
      modelId,
      { timeout: SLOW_MS, polling: 250 },
    );
    expect(await b.page.locator('[data-testid="progress-total"]').isVisible()).toBe(true);
    expect(await row.locator('[data-action="ack"]').count()).toBe(0);
    expect(await b.page.locator('[data-action="upload"]').isVisible()).toBe(false);
    expect(await b.page.locator('.progress-mark').isVisible()).toBe(false);
    expect(await b.page.locator('[data-testid="progress-mark"]').isVisible()).toBe(false);
    await b.screenshot('journey9-viewer-read-only');
    expect(unexpectedErrors(b)).toEqual([]);
  });

  it('4. an enterprise account sent to the city wall gets its enterprise wall, and the wall says why', async () => {
    const b = await browser();
    await b.page.goto(`${t.url}/wall?tier=city&every=30`, { waitUntil: 'domcontentloaded' });
    await logIn(b.page, 'ent.hq');
    // The enterprise's figures arrive (the city's are not this account's to read: 403 and "—" tiles before).
    await b.page.waitForFunction(
      () => window.__siteTwinWall?.kpis !== null && window.__siteTwinWall?.kpis !== undefined,
      undefined,
      { timeout: SLOW_MS, polling: 250 },
    );
    expect(await b.page.evaluate(() => window.__siteTwinWall.kpis!.projectsTotal)).toBe(1);
    const q = new URL(b.page.url()).searchParams;
    expect([q.get('tier'), q.get('id'), q.get('every')]).toEqual(['enterprise', f.enterpriseId, '30']);
    expect(await b.page.locator('[data-testid="wall-notes"]').textContent()).toMatch(/sees its enterprise only/);
    await expect.poll(() => b.page.evaluate(() => window.__siteTwinWall.projectsTotal), { timeout: 30_000 }).toBe(1);
    await b.screenshot('journey4-enterprise-wall');
    expect(unexpectedErrors(b)).toEqual([]);
  });
});
