import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewpointInput } from '../../models/Tour.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { rectangleAround } from '../../models/geo.js';
import { FIXTURE_PASSWORD, makeUser } from '../helpers/auth.js';
import { E2E_MAP_BUDGET, openBrowser, SLOW_MS, type BrowserSession } from './browser.js';

let t: TestServer;
let b: BrowserSession;
let tourId: string;

// Three views around the test site (makeProject puts it at 120.47, 36.10), a short dwell and a short flight each.
const VIEWS: ViewpointInput[] = [
  {
    lon: 120.47,
    lat: 36.0955,
    height: 420,
    headingDeg: 0,
    pitchDeg: -40,
    durationS: 2,
    flightS: 1,
    caption: '南侧：基坑与塔吊',
  },
  {
    lon: 120.4755,
    lat: 36.1,
    height: 360,
    headingDeg: 270,
    pitchDeg: -35,
    durationS: 2,
    flightS: 1,
    caption: '东侧：主体结构',
  },
  {
    lon: 120.47,
    lat: 36.1045,
    height: 300,
    headingDeg: 180,
    pitchDeg: -30,
    durationS: 2,
    flightS: 1,
    caption: '北侧：材料堆场',
  },
];

interface Pose {
  lon: number;
  lat: number;
  height: number;
  headingDeg: number;
  pitchDeg: number;
}
/** The camera is at a viewpoint: 1e-5° is about a metre. */
function expectAt(pose: Pose, v: ViewpointInput): void {
  expect(pose.lon).toBeCloseTo(v.lon, 5);
  expect(pose.lat).toBeCloseTo(v.lat, 5);
  expect(Math.abs(pose.height - v.height)).toBeLessThan(1);
  const dh = Math.abs(((((pose.headingDeg - v.headingDeg) % 360) + 540) % 360) - 180);
  expect(dh).toBeLessThan(0.5);
  expect(Math.abs(pose.pitchDeg - v.pitchDeg)).toBeLessThan(0.5);
}

beforeAll(async () => {
  // With accounts on: the page must ask for a login on its first 401, then carry on where it was going (the tour).
  t = await startTestServer({ env: { ...E2E_MAP_BUDGET, AUTH: 'on' } });
  await makeUser(t.store, 'root', { role: 'admin' });
  await makeUser(t.store, 'wall.viewer', { role: 'viewer', scope: { kind: 'all' } });
  const admin = await t.login('root', FIXTURE_PASSWORD);
  const e = await t.api('POST', '/api/v1/enterprises', { name: '漫游建设集团' }, { token: admin });
  const p = await t.api(
    'POST',
    '/api/v1/projects',
    {
      name: '漫游工地',
      enterpriseId: e.body.id,
      regionCode: '370212',
      location: { lon: 120.47, lat: 36.1, height: 0 },
      footprint: rectangleAround({ lon: 120.47, lat: 36.1 }, 120, 80),
    },
    { token: admin },
  );
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  const r = await t.api(
    'POST',
    `/api/v1/projects/${p.body.id}/tours`,
    { name: '工地漫游', viewpoints: VIEWS, path: 'fly', loop: true },
    { token: admin },
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  tourId = r.body.id;
  b = await openBrowser({ viewport: { width: 960, height: 600 } });
  // Record each arrival with the camera pose at that moment, in the page, so no step is missed between polls.
  await b.context.addInitScript(() => {
    const w = window as unknown as { __arrivals: { step: number; pose: unknown }[] };
    w.__arrivals = [];
    let last = -1;
    setInterval(() => {
      const p = window.__siteTwinTour;
      if (!p?.state.arrived) return void (last = p && !p.state.arrived ? -1 : last);
      if (p.state.step !== last) w.__arrivals.push({ step: p.state.step, pose: p.camera() });
      last = p.state.step;
    }, 50);
  });
});
afterAll(async () => {
  await b?.close();
  await t?.close();
});

const arrivals = () =>
  b.page.evaluate(() => (window as unknown as { __arrivals: { step: number; pose: Pose }[] }).__arrivals);
const state = () => b.page.evaluate(() => window.__siteTwinTour?.state ?? null);

describe('tour player', () => {
  it('opens from its link and flies the camera through every viewpoint with captions', async () => {
    await b.page.goto(`${t.url}/?tour=${tourId}&step=0`, { waitUntil: 'domcontentloaded' });
    const login = b.page.locator('[data-testid="login-screen"]');
    await login.waitFor({ state: 'visible', timeout: SLOW_MS });
    await b.page.locator('[data-testid="login-username"]').fill('wall.viewer');
    await b.page.locator('[data-testid="login-password"]').fill('not-the-password');
    await b.page.locator('[data-testid="login-submit"]').click();
    await expect
      .poll(() => b.page.locator('[data-testid="login-error"]').textContent())
      .toBe('Wrong username or password.');
    await b.page.locator('[data-testid="login-password"]').fill(FIXTURE_PASSWORD);
    await b.page.locator('[data-testid="login-submit"]').click();
    await login.waitFor({ state: 'hidden' });
    // Nothing but the httpOnly cookie is kept.
    expect(await b.page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length])).toEqual([
      '',
      0,
      0,
    ]);
    // A link opens paused on its step (issue 19, journey 10): Play starts the tour from there.
    await b.page.waitForFunction(
      () => window.__siteTwinTour?.state.arrived === true && !window.__siteTwinTour.state.playing,
      undefined,
      { timeout: SLOW_MS, polling: 100 },
    );
    await b.page.locator('[data-testid="tour-toggle"]').click();
    await expect
      .poll(async () => (await arrivals()).map((a) => a.step).slice(0, 4), { timeout: SLOW_MS, interval: 500 })
      .toEqual([0, 1, 2, 0]);
    const got = await arrivals();
    for (let i = 0; i < 4; i++) expectAt(got[i]!.pose, VIEWS[got[i]!.step]!);
    expect(await b.page.locator('[data-testid="tour-overlay"]').isVisible()).toBe(true);
    expect(await b.page.locator('[data-testid="tour-step"]').textContent()).toMatch(/^\d \/ 3$/);
    await expect.poll(() => b.page.locator('[data-testid="user-role"]').textContent()).toBe('viewer');
  });

  it('pauses, steps with next / previous, and its share link reopens the tour at that step', async () => {
    await b.page.locator('[data-testid="tour-toggle"]').click();
    await expect.poll(async () => (await state())?.playing).toBe(false);
    // A pause keeps a flight under way to its end (an arrival, then no further step): wait for it, so the arrivals
    // counted from here are the buttons' only (a pause clicked mid-flight added that flight's arrival after the count).
    await b.page.waitForFunction(() => window.__siteTwinTour.state.arrived, undefined, { timeout: SLOW_MS });
    const at = (await state())!.step;
    const pausedAt = (await arrivals()).length;
    await b.page.locator('[data-testid="tour-next"]').click();
    const next = (at + 1) % 3;
    await b.page.waitForFunction(
      (n) => window.__siteTwinTour.state.step === n && window.__siteTwinTour.state.arrived,
      next,
      { timeout: SLOW_MS },
    );
    expectAt(await b.page.evaluate(() => window.__siteTwinTour.camera()), VIEWS[next]!);
    expect(await b.page.locator('[data-testid="tour-caption"]').textContent()).toBe(VIEWS[next]!.caption);
    // At its stop the caption shows: the camera's own arrival is not a move off the tour (issue 19).
    expect(await b.page.locator('[data-testid="tour-caption"]').isVisible()).toBe(true);
    expect((await state())!.away).toBe(false);
    const prev = (next + 2) % 3;
    await b.page.locator('[data-testid="tour-prev"]').click();
    await b.page.waitForFunction(
      (n) => window.__siteTwinTour.state.step === n && window.__siteTwinTour.state.arrived,
      prev,
      { timeout: SLOW_MS },
    );
    await b.page.locator('[data-testid="tour-next"]').click();
    await b.page.waitForFunction(
      (n) => window.__siteTwinTour.state.step === n && window.__siteTwinTour.state.arrived,
      next,
      { timeout: SLOW_MS },
    );
    // Paused means paused: since the pause the camera went only where the buttons sent it.
    await expect.poll(async () => (await arrivals()).slice(pausedAt).map((a) => a.step)).toEqual([next, prev, next]);

    const link = await b.page.locator('[data-testid="tour-link"]').inputValue();
    expect(link).toBe(`${t.url}/?tour=${tourId}&step=${next}`);
    expect(new URL(b.page.url()).search).toBe(`?tour=${tourId}&step=${next}`);
    await b.page.goto(link, { waitUntil: 'domcontentloaded' });
    await b.page.waitForFunction(
      (n) => window.__siteTwinTour?.state.step === n && window.__siteTwinTour.state.arrived,
      next,
      { timeout: SLOW_MS, polling: 100 },
    );
    // The page records arrivals every 50 ms: the wait above may see the arrival before the recorder has written it.
    await expect.poll(async () => (await arrivals())[0]?.step ?? null, { timeout: 10_000 }).toBe(next);
    const reopened = (await arrivals())[0]!;
    expectAt(reopened.pose, VIEWS[next]!);
    // A share link opens paused on its step (issue 19, journey 10).
    expect((await state())!.playing).toBe(false);
    await b.page.waitForFunction(() => window.__siteTwin?.ready === true, undefined, {
      timeout: SLOW_MS,
      polling: 500,
    });
    await b.screenshot('tour-reopened');
    // The only console errors: the 401s that brought up the login and the refused wrong password.
    expect(b.consoleErrors.filter((m) => !/status of 401/.test(m))).toEqual([]);
    expect(b.externalRequests).toEqual([]);
  });
});
