import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topic } from '../../models/Topic.js';
import { DEMO_PASSWORD, seedDemoAccounts } from '../../server/demo/accounts.js';
import { DEMO_PROJECTS, seedDemoCity } from '../../server/demo/demoCity.js';
import { demoBuildingFor } from '../../server/demo/demoModels.js';
import { createLogger } from '../../server/log.js';
import { FIXTURE_PASSWORD, makeUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { E2E_MAP_BUDGET, openBrowser, SLOW_MS, waitForReady, type BrowserSession } from './browser.js';

/**
 * Issue 16, acceptance 3 and "field use": a safety rectification notice on a tower crane, raised by the authority's
 * inspector from the wall's project, answered with a photo by the project's site office on a phone (375x812, the
 * camera input), re-checked and closed by the inspector; its viewpoint restores the same camera on the map page and
 * in the BIM workspace. One server, accounts on, the demo city seeded (its demo accounts, the first project's
 * generated building); the crane is registered through the API as an installer would.
 */
const PROJECT = DEMO_PROJECTS[0]!;
const INSPECTOR = 'authority.qingdao';
const SITE_OFFICE = 'project.fushan';
const TITLE = '塔吊标准节螺栓松动';

let t: TestServer;
let admin: string;
let dataDir: string;
let projectId: string;
let modelId: string;
let craneId: string;
let topicId: string;
/** The map camera when the notice was raised (the viewpoint's frame: the model's IFC world, metres, Z up). */
let savedCamera: Cam;
let inspector: BrowserSession;
const open: BrowserSession[] = [];

interface Cam {
  position: [number, number, number];
  headingDeg: number;
  pitchDeg: number;
}

async function api(method: string, path: string, body?: unknown) {
  return t.api(method, path, body, { token: admin });
}

async function waitForModelReady(id: string): Promise<any> {
  for (let i = 0; ; i++) {
    const m = (await api('GET', `/api/v1/models/${id}`)).body;
    if (m.status === 'failed' || m.fragments === 'failed') throw new Error(`conversion failed: ${JSON.stringify(m)}`);
    if (m.status === 'ready' && m.fragments === 'ready') return m;
    if (i > 2400) throw new Error(`conversion did not finish: ${JSON.stringify(m)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-rectification-e2e-'));
  t = await startTestServer({ env: { ...E2E_MAP_BUDGET, AUTH: 'on', DATA_DIR: dataDir } });
  await seedDemoCity(t.store);
  expect(await seedDemoAccounts(t.store, createLogger('silent'))).toBeGreaterThan(0);
  await makeUser(t.store, 'root', { role: 'admin' });
  admin = await t.login('root', FIXTURE_PASSWORD);
  const projects = (await api('GET', '/api/v1/projects')).body as any[];
  projectId = projects.find((p) => p.name === PROJECT.name)!.id;
  // The demo's generated building for the project, five storeys instead of fifty (the conversion takes minutes
  // on this machine otherwise): the same generator and pipeline as the demo seed.
  modelId = (
    await t.server.models.acceptGenerated(
      projectId,
      `${PROJECT.name}.ifc`,
      demoBuildingFor({ ...PROJECT, heightM: 18 }),
    )
  ).id;
  await waitForModelReady(modelId);
  // The crane east of the tower, inside the red line (the building covers 60 % of it, turned 12 degrees).
  const east = 38 / (111_320 * Math.cos((PROJECT.lat * Math.PI) / 180));
  const crane = await api('POST', `/api/v1/projects/${projectId}/devices`, {
    kind: 'tower_crane',
    name: '1# 塔吊',
    location: { lon: PROJECT.lon + east, lat: PROJECT.lat, height: 0 },
    params: { mastHeightM: 60, jibLengthM: 40, maxLoadT: 8, maxRadiusM: 40 },
  });
  expect(crane.status, JSON.stringify(crane.body)).toBe(201);
  craneId = crane.body.device.id;
}, 600_000);
afterAll(async () => {
  for (const b of open) await b.close();
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function browser(viewport = { width: 1600, height: 900 }): Promise<BrowserSession> {
  const b = await openBrowser({ viewport });
  open.push(b);
  return b;
}

async function logIn(page: Page, username: string): Promise<void> {
  const login = page.locator('[data-testid="login-screen"]');
  await login.waitFor({ state: 'visible', timeout: SLOW_MS });
  await page.locator('[data-testid="login-username"]').fill(username);
  await page.locator('[data-testid="login-password"]').fill(DEMO_PASSWORD);
  await page.locator('[data-testid="login-submit"]').click();
  await login.waitFor({ state: 'hidden', timeout: 60_000 });
}

/** Chromium logs each 401 that brought up the login as a failed resource: expected, nothing else is. */
const unexpectedErrors = (b: BrowserSession) =>
  // Leaving the wall for the map page closes the wall's socket while it may still be writing.
  b.consoleErrors.filter((m) => !/status of 401/.test(m) && !/WebSocket is already in CLOSING or CLOSED state/.test(m));

const topicItem = (page: Page) => page.locator(`[data-testid="topic-panel"] li[data-topic-id="${topicId}"]`);

async function openIssues(page: Page): Promise<void> {
  await page.locator('.dock-right .dock-tab[data-tab="issues"]').click();
  await page.locator('[data-testid="topic-panel"][data-ready="1"]').waitFor({ timeout: 60_000 });
}

const angleDiff = (a: number, b: number) => Math.abs(((a - b + 540) % 360) - 180);
const distance = (a: readonly number[], b: readonly number[]) =>
  Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
const cameraOf = (c: { position: number[]; direction: number[] }): Cam => ({
  position: c.position as Cam['position'],
  headingDeg: (Math.atan2(c.direction[0]!, c.direction[1]!) * 180) / Math.PI,
  pitchDeg: (Math.asin(c.direction[2]! / Math.hypot(...(c.direction as [number, number, number]))) * 180) / Math.PI,
});

/** Boxes of every element the page's controls cover, for overlap / clipping checks on the phone. */
const controlsOf = (page: Page, root: string) =>
  page.evaluate((sel) => {
    return [...document.querySelectorAll(`${sel} :is(input, textarea, select, button, a, img)`)]
      .filter((e) => (e as HTMLElement).offsetParent !== null && (e as HTMLInputElement).type !== 'hidden')
      .map((e) => {
        const b = e.getBoundingClientRect();
        return {
          what: `${e.tagName.toLowerCase()}[${e.getAttribute('data-testid') ?? (e as HTMLInputElement).type ?? ''}]`,
          left: b.left,
          top: b.top,
          right: b.right,
          bottom: b.bottom,
          width: b.width,
          height: b.height,
          fontPx: parseFloat(getComputedStyle(e).fontSize),
        };
      });
  }, root);

describe('a rectification notice on a crane: raised from the wall, answered on a phone, closed, its viewpoint restored', () => {
  it('1. the inspector goes from the wall to the project, selects the crane and raises a safety notice anchored to it with the current view', async () => {
    inspector = await browser();
    const page = inspector.page;
    await page.goto(`${t.url}/wall`, { waitUntil: 'domcontentloaded' });
    await logIn(page, INSPECTOR);
    const row = page.locator(`[data-testid="strip-row"][data-project-id="${projectId}"]`);
    await row.waitFor({ state: 'visible', timeout: SLOW_MS });
    await inspector.screenshot('rectification-1-wall');
    const go = row.locator('[data-testid="strip-open"]');
    await go.waitFor({ state: 'visible', timeout: 30_000 });
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/', { timeout: 60_000 }),
      go.click({ timeout: 120_000 }),
    ]);
    expect(new URL(page.url()).searchParams.get('project')).toBe(projectId);
    await waitForReady(page);
    await expect
      .poll(() => page.evaluate(() => window.__siteTwinSite?.deviceIds('tower_crane') ?? []), { timeout: 60_000 })
      .toEqual([craneId]);
    await page.waitForFunction(() => window.__siteTwin.idle, undefined, { timeout: SLOW_MS, polling: 250 });
    // A click on the crane's marker selects it (its panel in the Device tab).
    const at = await page.evaluate((id) => window.__siteTwinSite!.devicePagePosition(id), craneId);
    expect(at, 'the crane is on screen').not.toBeNull();
    expect(await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.tagName, [at!.x, at!.y])).toBe('CANVAS');
    await page.mouse.click(at!.x, at!.y);
    await expect
      .poll(() => page.evaluate(() => window.__siteTwinSite!.panelDeviceId()), { timeout: 60_000 })
      .toBe(craneId);

    await openIssues(page);
    const form = page.locator('[data-testid="topic-panel"] form.topic-raise');
    await form.locator('[data-testid="topic-title"]').fill(TITLE);
    await form.locator('[data-testid="topic-type"]').selectOption('safety');
    await form.locator('[data-testid="topic-description"]').fill('3 号标准节与 4 号标准节连接螺栓 2 颗松动。');
    // The inspector may raise it as a notice: legal basis and deadline.
    await form.locator('[data-testid="topic-notice"]').check();
    await form.locator('[data-testid="topic-legal-basis"]').fill('《建设工程安全生产管理条例》第六十五条');
    const deadline = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    await form.locator('[data-testid="topic-deadline"]').fill(deadline);
    // The selected crane is offered as the anchor, and the current view is kept with it.
    const anchor = form.locator('[data-testid="topic-anchor-device"]');
    expect(await anchor.isChecked()).toBe(true);
    expect(await form.locator('[data-testid="topic-anchor-device-label"]').textContent()).toContain('1# 塔吊');
    expect(await form.locator('[data-testid="topic-save-view"]').isChecked()).toBe(true);
    await page.waitForFunction(() => window.__siteTwin.idle && window.__siteTwinTopics?.frameReady, undefined, {
      timeout: SLOW_MS,
      polling: 250,
    });
    const before = await page.evaluate(() => window.__siteTwinTopics!.mapCamera());
    expect(before).not.toBeNull();
    savedCamera = cameraOf(before!);
    await inspector.screenshot('rectification-1-raise-form');
    await form.locator('[data-testid="topic-submit"]').click();
    const li = page.locator('[data-testid="topic-panel"] li[data-topic-id]').filter({ hasText: TITLE });
    await li.waitFor({ timeout: 60_000 });
    topicId = (await li.getAttribute('data-topic-id'))!;
    expect(await li.getAttribute('data-status')).toBe('open');

    const topic = (await api('GET', `/api/v1/topics/${topicId}`)).body as Topic;
    expect(topic.topicType).toBe('safety');
    expect(topic.creationAuthor).toBeTruthy();
    expect(topic.notice?.state).toBe('issued');
    expect(topic.notice?.noticeNumber).toMatch(/^ZG-370202-\d{4}-\d{5}$/);
    expect(topic.anchors).toContainEqual({ kind: 'device', deviceId: craneId });
    const cam = topic.viewpoints[0]?.camera;
    expect(cam?.kind).toBe('perspective');
    const stored = cameraOf(cam!);
    expect(distance(stored.position, savedCamera.position)).toBeLessThan(0.01);
    expect(angleDiff(stored.headingDeg, savedCamera.headingDeg)).toBeLessThan(0.01);
    expect(angleDiff(stored.pitchDeg, savedCamera.pitchDeg)).toBeLessThan(0.01);
    // A pin for the open notice on the map.
    await expect
      .poll(() =>
        page.evaluate(() => document.querySelector('.dock-right [data-pane="issues"]')?.getAttribute('data-pins')),
      )
      .toBe('1');
    await inspector.screenshot('rectification-1-raised');
    expect(unexpectedErrors(inspector)).toEqual([]);
    expect(inspector.externalRequests).toEqual([]);
  }, 600_000);

  it('2. the site office answers on a phone (375x812): the notice, a reply with a photo from the camera input, the photo shown', async () => {
    const phone = await browser({ width: 375, height: 812 });
    const page = phone.page;
    await page.goto(`${t.url}/?project=${projectId}`, { waitUntil: 'domcontentloaded' });
    await logIn(page, SITE_OFFICE);
    await waitForReady(page);
    await phone.screenshot('rectification-2-phone-map');
    await openIssues(page);
    const li = topicItem(page);
    await li.waitFor({ timeout: 60_000 });
    await li.scrollIntoViewIfNeeded();
    await phone.screenshot('rectification-2-phone-notice');
    // The site office replies; it may not raise notices nor re-check them.
    expect(await page.locator('[data-testid="topic-panel"] [data-testid="topic-notice"]').count()).toBe(0);
    expect(await li.locator('[data-testid="check-close"]').count()).toBe(0);
    const file = li.locator('[data-testid="reply-photos"]');
    expect(await file.getAttribute('accept')).toBe('image/*');
    expect(await file.getAttribute('capture')).toBe('environment');
    await li.locator('[data-testid="reply-text"]').fill('已紧固全部螺栓并复测扭矩，附照片。');
    // A photo from "the camera": a real PNG (a frame of this very map).
    const photo = await page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 240 } });
    await file.setInputFiles({ name: 'bolts.png', mimeType: 'image/png', buffer: photo });
    const reply = li.locator('form.topic-reply');
    await reply.scrollIntoViewIfNeeded();
    // The form fits the phone: nothing clipped at the sides, nothing on top of another control, text large enough.
    const boxes = await controlsOf(page, `[data-testid="topic-panel"] li[data-topic-id="${topicId}"]`);
    expect(boxes.length).toBeGreaterThan(3);
    for (const b of boxes) {
      expect(b.left, `${b.what} inside the screen`).toBeGreaterThanOrEqual(0);
      expect(b.right, `${b.what} inside the screen`).toBeLessThanOrEqual(375);
      expect(b.fontPx, `${b.what} readable`).toBeGreaterThanOrEqual(14);
    }
    for (const a of boxes)
      for (const b of boxes)
        if (a !== b && a.width > 0 && b.width > 0)
          expect(
            a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1,
            `${a.what} overlaps ${b.what}`,
          ).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await phone.screenshot('rectification-2-phone-reply-form');
    await li.locator('[data-testid="reply-submit"]').click();
    await expect.poll(() => li.getAttribute('data-status'), { timeout: 60_000 }).toBe('resolved');
    const img = li.locator('img[data-testid="topic-photo"]');
    await img.waitFor({ timeout: 60_000 });
    await expect
      .poll(() => img.evaluate((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth), {
        timeout: 60_000,
      })
      .toBe(320);
    expect(await li.locator('[data-testid="topic-trail"]').textContent()).toContain('已紧固全部螺栓');
    await img.scrollIntoViewIfNeeded();
    await phone.screenshot('rectification-2-phone-replied');
    const topic = (await api('GET', `/api/v1/topics/${topicId}`)).body as Topic;
    expect(topic.notice?.state).toBe('replied');
    expect(topic.notice?.replies).toHaveLength(1);
    expect(topic.notice?.replies[0]!.attachmentIds).toHaveLength(1);
    expect(topic.attachments[0]).toMatchObject({ mime: 'image/png', fileName: 'bolts.png' });
    expect(unexpectedErrors(phone)).toEqual([]);
    await phone.close(); // done: its globe would otherwise render beside the inspector's page in steps 3 and 4
  });

  it('3. the inspector re-checks and closes it: status closed, the trail and the audit log say who did what', async () => {
    const page = inspector.page;
    const li = topicItem(page);
    // The reply reached the inspector's open page over /live.
    await expect.poll(() => li.getAttribute('data-status'), { timeout: 60_000 }).toBe('resolved');
    await li.locator('[data-testid="check-comment"]').fill('复查合格，同意销项。');
    await li.locator('[data-testid="check-close"]').click();
    await expect.poll(() => li.getAttribute('data-status'), { timeout: 60_000 }).toBe('closed');
    const trail = (await li.locator('[data-testid="topic-trail"] li').allTextContents()).join('\n');
    expect(trail).toContain('已紧固全部螺栓');
    expect(trail).toContain('复查合格');
    await li.scrollIntoViewIfNeeded();
    await inspector.screenshot('rectification-3-closed');
    const topic = (await api('GET', `/api/v1/topics/${topicId}`)).body as Topic;
    expect(topic.topicStatus).toBe('closed');
    expect(topic.notice?.state).toBe('closed');
    expect(topic.notice?.checks).toEqual([
      expect.objectContaining({ outcome: 'close', comment: '复查合格，同意销项。' }),
    ]);
    const users = (await api('GET', '/api/v1/users')).body as any[];
    const idOf = (name: string) => users.find((u) => u.username === name)!.id;
    const audit = ((await api('GET', '/api/v1/audit?limit=500')).body as any[]).filter((e) => e.target === topicId);
    const steps = audit.map((e) => `${e.action} ${e.actor}`).reverse();
    expect(steps).toEqual([
      `notice.raise ${idOf(INSPECTOR)}`,
      `topic.attach ${idOf(SITE_OFFICE)}`,
      `notice.reply ${idOf(SITE_OFFICE)}`,
      `notice.close ${idOf(INSPECTOR)}`,
    ]);
    // Closed: no pin any more.
    await expect
      .poll(() =>
        page.evaluate(() => document.querySelector('.dock-right [data-pane="issues"]')?.getAttribute('data-pins')),
      )
      .toBe('0');
    expect(unexpectedErrors(inspector)).toEqual([]);
  });

  it('4. the viewpoint restores the same camera on the map and in the BIM workspace (1 m, 0.5 deg)', async () => {
    const page = inspector.page;
    // Somewhere else first: the whole city.
    await page.locator('.cesium-home-button').click();
    await expect
      .poll(
        async () =>
          distance(
            cameraOf((await page.evaluate(() => window.__siteTwinTopics!.mapCamera()))!).position,
            savedCamera.position,
          ),
        { timeout: 60_000 },
      )
      .toBeGreaterThan(1000);
    await page.waitForFunction(() => window.__siteTwin.idle, undefined, { timeout: SLOW_MS, polling: 250 });
    const framesBefore = await page.evaluate(() => window.__siteTwin.frames);
    await topicItem(page).locator('[data-testid="topic-view"]').click();
    // `idle` is worked out after each frame: it still says true for the old view until a frame of the new one was drawn.
    await page.waitForFunction((f) => window.__siteTwin.frames > f + 1, framesBefore, {
      timeout: SLOW_MS,
      polling: 250,
    });
    await page.waitForFunction(() => window.__siteTwin.idle, undefined, { timeout: SLOW_MS, polling: 250 });
    const onMap = cameraOf((await page.evaluate(() => window.__siteTwinTopics!.mapCamera()))!);
    const mapDiff = {
      m: distance(onMap.position, savedCamera.position),
      headingDeg: angleDiff(onMap.headingDeg, savedCamera.headingDeg),
      pitchDeg: angleDiff(onMap.pitchDeg, savedCamera.pitchDeg),
    };
    console.info('rectification e2e: map camera after restore differs by', JSON.stringify(mapDiff));
    expect(mapDiff.m).toBeLessThan(1);
    expect(mapDiff.headingDeg).toBeLessThan(0.5);
    expect(mapDiff.pitchDeg).toBeLessThan(0.5);
    await inspector.screenshot('rectification-4-map-viewpoint');
    // This screenshot once showed the site under a purple wash (the light theme's district fill is purple and the
    // project's district has a project under construction); not seen again in three runs on 11cdf7b. At site scale
    // the fill is faded out and nothing of it lies under the site.
    expect(await page.evaluate(() => window.__siteTwinCity.districtFade().fade)).toBe(0);
    const under = await page.evaluate(([x, y]) => window.__siteTwinCity.drillAt(x!, y!, 0), [PROJECT.lon, PROJECT.lat]);
    expect(under, 'the site is on screen').not.toContain('off-screen');
    expect(
      under.filter((k) => k.startsWith('district:')),
      'no district fill under the site',
    ).toEqual([]);

    // The workspace, through the notice's own link.
    const link = topicItem(page).locator('[data-testid="topic-open-workspace"]');
    const href = new URL((await link.getAttribute('href'))!, t.url);
    expect(href.pathname).toBe(`/project/${projectId}`);
    await page.goto(href.toString(), { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(
      () => window.__siteTwinWorkspace?.ready === true || !!window.__siteTwinWorkspace?.error,
      undefined,
      { timeout: SLOW_MS, polling: 250 },
    );
    expect(await page.evaluate(() => window.__siteTwinWorkspace.error)).toBeNull();
    expect(await page.evaluate(() => window.__siteTwinWorkspace.topicViewpoint)).toBe('applied');
    expect(await page.evaluate(() => window.__siteTwinWorkspace.modelId)).toBe(modelId);
    // The workspace's frame is the IFC world's: an element's box from the server (IFC world, Z up) lands on the box
    // the viewer draws it with.
    // The topmost element (the roof), far from the one the workspace measured its frame with (among the first 50).
    const els = (await api('GET', `/api/v1/models/${modelId}/elements?limit=1000`)).body.items as any[];
    const el = els
      .slice(50)
      .filter((e) => e.hasGeometry && e.bbox)
      .sort((a, z) => z.bbox.max[2] - a.bbox.max[2])[0];
    expect(el, 'an element above the first 50').toBeTruthy();
    const boxes = await page.evaluate(([gid, bb]) => window.__siteTwinWorkspace.compareIfcBox(gid, bb), [
      el.globalId,
      el.bbox,
    ] as const);
    expect(boxes, JSON.stringify(boxes)).not.toBeNull();
    expect(boxes!.maxCornerDistanceM).toBeLessThan(0.05);
    await page.waitForFunction(() => !window.__siteTwinWorkspace.cameraMoving, undefined, {
      timeout: SLOW_MS,
      polling: 250,
    });
    const inWs = cameraOf((await page.evaluate(() => window.__siteTwinWorkspace.topicCamera()))!);
    const wsDiff = {
      m: distance(inWs.position, savedCamera.position),
      headingDeg: angleDiff(inWs.headingDeg, savedCamera.headingDeg),
      pitchDeg: angleDiff(inWs.pitchDeg, savedCamera.pitchDeg),
    };
    console.info('rectification e2e: workspace camera after restore differs by', JSON.stringify(wsDiff));
    expect(wsDiff.m).toBeLessThan(1);
    expect(wsDiff.headingDeg).toBeLessThan(0.5);
    expect(wsDiff.pitchDeg).toBeLessThan(0.5);
    await page.evaluate(() => window.__siteTwinWorkspace.renderNow());
    await inspector.screenshot('rectification-4-workspace-viewpoint');
    expect(unexpectedErrors(inspector)).toEqual([]);
  });
});
