import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSWORD, makeProjectFixture, makeUser, type ProjectFixture } from '../helpers/auth.js';
import { DEFAULT_CITY_TOUR_ID } from '../../models/Tour.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { E2E_MAP_BUDGET, openBrowser, type BrowserSession } from './browser.js';

/**
 * Issue 19's journeys 7 and 10, with accounts on: one server for the file, one browser (fresh profile) per journey.
 */
let t: TestServer;
let admin: string;
let a: ProjectFixture;
let b: ProjectFixture;
let otherCrane: string;
let collisionId: string;
let enterpriseId: string;
const open: BrowserSession[] = [];

beforeAll(async () => {
  t = await startTestServer({ env: { ...E2E_MAP_BUDGET, AUTH: 'on' } });
  await makeUser(t.store, 'root', { role: 'admin' });
  admin = await t.login('root', FIXTURE_PASSWORD);
  const e = await t.api('POST', '/api/v1/enterprises', { name: '旅程二集团' }, { token: admin });
  enterpriseId = e.body.id;
  a = await makeProjectFixture(t, admin, e.body.id, '370212', '甲工地');
  b = await makeProjectFixture(t, admin, e.body.id, '370212', '乙工地');
  // A second crane on site 乙 and a collision risk between the two (the rule names the other crane by id).
  const d = await t.api(
    'POST',
    `/api/v1/projects/${b.projectId}/devices`,
    {
      kind: 'tower_crane',
      name: '乙工地 2号塔吊',
      location: { lon: 120.4705, lat: 36.1004, height: 0 },
      params: { mastHeightM: 60, jibLengthM: 55, maxLoadT: 8, maxRadiusM: 55 },
    },
    { token: admin },
  );
  expect(d.status).toBe(201);
  otherCrane = d.body.device.id;
  const { alarm } = await t.store.alarms.raise({
    projectId: b.projectId,
    deviceId: b.deviceId,
    rule: `crane.collision:${otherCrane}`,
    quantity: 'clearanceM',
    level: 'alarm',
    value: 3,
    threshold: 5,
    message: 'clearance 3 m',
    time: Date.now(),
  });
  collisionId = alarm.id;
}, 120_000);
afterAll(async () => {
  for (const s of open) await s.close();
  await t?.close();
});
// A journey's browser is done when its test is: closed, so its globe does not render beside the next journey's.
afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
});

async function browser(): Promise<BrowserSession> {
  const s = await openBrowser();
  open.push(s);
  return s;
}

async function logIn(s: BrowserSession, username: string): Promise<void> {
  const login = s.page.locator('[data-testid="login-screen"]');
  await login.waitFor({ state: 'visible', timeout: 60_000 });
  await s.page.locator('[data-testid="login-username"]').fill(username);
  await s.page.locator('[data-testid="login-password"]').fill(FIXTURE_PASSWORD);
  await s.page.locator('[data-testid="login-submit"]').click();
  await login.waitFor({ state: 'hidden' });
}

describe('journeys 7 and 10 (Chromium, 1600x900)', () => {
  it("7. an alarm row names its project, device and rule readably, and a click opens the alarm's own project", async () => {
    const s = await browser();
    await s.page.goto(`${t.url}/?project=${a.projectId}`, { waitUntil: 'domcontentloaded' });
    await logIn(s, 'root');
    const row = s.page.locator(`[data-testid="alarm-feed"] [data-alarm-id="${collisionId}"]`);
    await row.waitFor({ timeout: 60_000 });
    // The names come from the project list and the device REST (project 乙 is not the one on screen).
    await expect.poll(() => row.innerText(), { timeout: 30_000 }).toContain('乙工地 1号塔吊');
    const text = await row.innerText();
    expect(text).toContain('乙工地');
    expect(text).toContain('Crane collision risk');
    expect(text).toContain('乙工地 2号塔吊');
    expect(text).not.toContain(otherCrane);
    const own = s.page.locator(`[data-testid="alarm-feed"] [data-alarm-id="${a.alarmId}"]`);
    await expect.poll(() => own.innerText(), { timeout: 30_000 }).toContain('甲工地 1号塔吊');
    expect(await own.innerText()).toContain('Crane load');
    await s.screenshot('journey7-alarm-names');
    // A click on 乙's alarm while 甲 is on screen opens 乙 and its crane's panel.
    await row.locator('[data-action="focus"]').dispatchEvent('click');
    await expect
      .poll(
        () =>
          s.page.evaluate(() => ({
            projectId: window.__siteTwinSite?.projectId,
            panel: window.__siteTwinSite?.panelDeviceId(),
          })),
        { timeout: 60_000 },
      )
      .toEqual({ projectId: b.projectId, panel: b.deviceId });
  });

  it('10. a city tour share link opens paused on the shared stop, even after a project was added before it', async () => {
    const tourState = (s: BrowserSession) => s.page.evaluate(() => window.__siteTwinTour?.state ?? null);
    const first = await browser();
    // 甲工地, 乙工地 (Chinese collation): 乙 is step 1 of the generated city tour.
    await first.page.goto(`${t.url}/?tour=${DEFAULT_CITY_TOUR_ID}&step=1`, { waitUntil: 'domcontentloaded' });
    await logIn(first, 'root');
    await first.page.waitForFunction(
      () => {
        const s = window.__siteTwinTour?.state;
        return s?.step === 1 && s.arrived;
      },
      undefined,
      { timeout: 120_000, polling: 100 },
    );
    const link = await first.page.locator('[data-testid="tour-link"]').inputValue();
    expect((await tourState(first))!.caption).toBe('乙工地');
    await first.close();
    // 丙 sorts before 甲: 乙 is now step 2, and step 1 is 甲.
    await makeProjectFixture(t, admin, enterpriseId, '370212', '丙工地');
    const s = await browser();
    await s.page.goto(link, { waitUntil: 'domcontentloaded' });
    await logIn(s, 'root');
    await s.page.waitForFunction(() => window.__siteTwinTour?.state.arrived === true, undefined, {
      timeout: 120_000,
      polling: 100,
    });
    const st = (await tourState(s))!;
    expect([st.caption, st.step, st.steps, st.playing]).toEqual(['乙工地', 2, 3, false]);
    await s.screenshot('journey10-shared-stop');
  });
});
