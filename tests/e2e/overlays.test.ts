import jpeg from 'jpeg-js';
import { en } from '../../client/i18n/en.js';
import { zhCN } from '../../client/i18n/zh-CN.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '../../models/Alarm.js';
import type { Device } from '../../models/Device.js';
import type { Project } from '../../models/Project.js';
import { seedDemoCity } from '../../server/demo/demoCity.js';
import { offset } from '../../server/demo/simulator/fleet.js';
import { startInAppSimulation, type InAppSimulation } from '../../server/demo/simulator/inApp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { E2E_MAP_MSAA, openBrowser, SLOW_MS, waitForIdle, waitForReady, type BrowserSession } from './browser.js';

let t: TestServer;
let b: BrowserSession;
let sim: InAppSimulation;
let project: Project;
let crane: Device;
let craneKey: string;
/** A generic sensor with a location, and one bound to an IFC element no model of the project holds (not drawn). */
let sensor: Device;
let unplaced: Device;

/** Sends readings of the test crane through the ingest API as its safety monitor would: stamped now, 1 ms apart. */
async function ingest(values: Record<string, unknown>[]): Promise<void> {
  const now = Date.now();
  const readings = values.map((v, i) => ({ deviceId: crane.id, time: now - values.length + 1 + i, values: v }));
  const res = await fetch(`${t.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${craneKey}` },
    body: JSON.stringify(readings),
  });
  expect(res.status).toBe(200);
  expect((await res.json()).accepted).toBe(readings.length);
}
/** Longer than the alarm rules' minimum duration for cranes (2 s): a value must hold that long to raise or clear. */
const HOLD_MS = 2100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pose = () => ({ loadT: 2, ratedLoadT: 6, momentPct: 33, radiusM: 20, hookHeightM: 70 });
const site = () =>
  b.page.evaluate(() => ({
    projectId: window.__siteTwinSite?.projectId,
    devices: window.__siteTwinSite?.devices ?? 0,
  }));
const glowOf = (id: string) => b.page.evaluate((i) => window.__siteTwinSite!.glowLevels()[i] ?? null, id);
const craneProbe = (id: string) =>
  b.page.evaluate((i) => window.__siteTwinSite!.cranes().find((c) => c.id === i) ?? null, id);

/** A JPEG screenshot of a page region, decoded to RGBA. */
async function region(clip: { x: number; y: number; width: number; height: number }): Promise<Uint8Array> {
  return jpeg.decode(await b.page.screenshot({ type: 'jpeg', quality: 92, clip }), { useTArray: true }).data;
}
const meanDiff = (a: Uint8Array, c: Uint8Array) => {
  let d = 0;
  for (let i = 0; i < a.length; i += 4)
    d += Math.abs(a[i]! - c[i]!) + Math.abs(a[i + 1]! - c[i + 1]!) + Math.abs(a[i + 2]! - c[i + 2]!);
  return d / (a.length / 4);
};

beforeAll(async () => {
  // SIMULATE mounts the camera streams the simulation below feeds. Full resolution (pixel comparisons), antialiasing off.
  t = await startTestServer({ env: { ...E2E_MAP_MSAA, SIMULATE: '1' } });
  await seedDemoCity(t.store);
  sim = await startInAppSimulation(t.server.ctx, { tickMs: 250, streamBaseUrl: t.url });
  const projects = (await t.api<Project[]>('GET', '/api/v1/projects')).body;
  const devices = await t.store.devices.list();
  // A site with one simulated crane, so the test crane can stand clear of its jib circle (no clearance alarms).
  project = projects.find((p) => devices.filter((d) => d.projectId === p.id && d.kind === 'tower_crane').length === 1)!;
  const simCrane = devices.find((d) => d.projectId === project.id && d.kind === 'tower_crane')!;
  const spots = [
    [-70, 0],
    [0, -70],
    [0, 70],
    [70, 0],
    [-60, -60],
    [60, 60],
  ].map(([e, n]) => offset(project.location, e!, n!, 0));
  const far = spots.find(
    (s) => Math.hypot((s.lon - simCrane.location!.lon) * 90_000, (s.lat - simCrane.location!.lat) * 111_000) > 100,
  )!;
  const created = await t.api<{ device: Device; apiKey: string }>('POST', `/api/v1/projects/${project.id}/devices`, {
    kind: 'tower_crane',
    name: 'E2E 塔吊',
    location: far,
    params: { mastHeightM: 80, jibLengthM: 35, counterJibLengthM: 10, maxLoadT: 6, maxRadiusM: 35 },
  });
  expect(created.status).toBe(201);
  crane = created.body.device;
  craneKey = created.body.apiKey;
  await ingest([{ ...pose(), slewDeg: 0 }]);
  const quantities = [
    { name: 'strainUe', unit: 'µε' },
    { name: 'tempC', unit: '°C', min: -40, max: 80 },
  ];
  const made = await t.api<{ device: Device; apiKey: string }>('POST', `/api/v1/projects/${project.id}/devices`, {
    kind: 'sensor',
    name: 'E2E 应变计',
    location: offset(project.location, -25, -35, 0),
    params: { quantities },
  });
  expect(made.status).toBe(201);
  sensor = made.body.device;
  const sent = await fetch(`${t.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${made.body.apiKey}` },
    body: JSON.stringify([{ deviceId: sensor.id, time: Date.now(), values: { strainUe: 12.345, tempC: 21.5 } }]),
  });
  expect(sent.status).toBe(200);
  const bound = await t.api<{ device: Device }>('POST', `/api/v1/projects/${project.id}/devices`, {
    kind: 'sensor',
    name: 'E2E 未建模',
    ifcGlobalId: '0AAAAAAAAAAAAAAAAAAAAA',
    params: { quantities },
  });
  expect(bound.status).toBe(201);
  unplaced = bound.body.device;
  b = await openBrowser({ viewport: { width: 1280, height: 760 } });
});
afterAll(async () => {
  await b?.close();
  await sim?.stop();
  await t?.close();
});

describe('site overlays, alarms and camera in Chromium (simulator on)', () => {
  it('opens a project site with every device kind drawn, and a camera panel that plays moving MJPEG frames', async () => {
    const t0 = Date.now();
    const step = (what: string) => console.info(`${what}: ${Date.now() - t0} ms`);
    await b.page.goto(`${t.url}/?project=${project.id}`, { waitUntil: 'domcontentloaded' });
    await waitForReady(b.page);
    step('page ready');
    // 1 sim crane + 6 sim devices + the test crane + the two sensors
    await expect.poll(async () => (await site()).devices, { timeout: 60_000 }).toBe(10);
    expect(b.consoleErrors).toEqual([]);
    expect((await site()).projectId).toBe(project.id);
    await expect.poll(async () => (await craneProbe(crane.id))?.slewDeg ?? null, { timeout: 60_000 }).not.toBeNull();
    expect(await b.page.evaluate(() => window.__siteTwinSite!.heatmap())).toBe(true);
    step('site drawn');
    await waitForIdle(b.page);
    step('idle');
    await b.screenshot('overlays-site');

    const camId = (await b.page.evaluate(() => window.__siteTwinSite!.deviceIds('camera')))[0]!;
    const at = await b.page.evaluate((id) => window.__siteTwinSite!.devicePagePosition(id), camId);
    expect(at).not.toBeNull();
    await b.page.mouse.click(at!.x, at!.y);
    await expect
      .poll(() => b.page.evaluate(() => window.__siteTwinSite!.panelDeviceId()), { timeout: SLOW_MS })
      .toBe(camId);
    const img = b.page.locator('[data-testid="camera-img"]');
    await expect.poll(() => img.evaluate((e) => (e as HTMLImageElement).naturalWidth), { timeout: 30_000 }).toBe(320);
    step('camera panel playing');
    // Two snapshots of the <img> as decoded by the page (drawn to a canvas), 1.5 s apart: the stream sends 2 frames/s.
    const snap = () =>
      img.evaluate((e) => {
        const el = e as HTMLImageElement;
        const c = document.createElement('canvas');
        [c.width, c.height] = [el.naturalWidth, el.naturalHeight];
        const g = c.getContext('2d')!;
        g.drawImage(el, 0, 0);
        return Array.from(g.getImageData(0, 0, c.width, c.height).data);
      });
    const fa = await snap();
    await b.page.waitForTimeout(1500);
    const fb = await snap();
    expect(fa.length).toBe(320 * 180 * 4);
    const moved = meanDiff(Uint8Array.from(fa), Uint8Array.from(fb));
    console.info(`camera frames 1.5 s apart differ by ${moved.toFixed(2)} per pixel (sum of RGB)`);
    expect(moved).toBeGreaterThan(0.5);
    await b.screenshot('overlays-camera');
    expect(b.consoleErrors).toEqual([]);
    expect(b.externalRequests).toEqual([]);
  });

  it('draws a generic sensor as a marker with its live values and units; a click opens its panel', async () => {
    await expect
      .poll(() => b.page.evaluate((id) => window.__siteTwinSite!.sensorLabel(id), sensor.id), { timeout: SLOW_MS })
      .toMatch(/^E2E 应变计.*\n(?:Strain|应变) 12\.35 µε\n(?:Temperature|温度) 21\.50 °C$/); // field names in words, in the page's language;
    // Bound to an element no model holds: listed, not drawn, no place made up.
    expect(await b.page.evaluate((id) => window.__siteTwinSite!.sensorLabel(id), unplaced.id)).toBeNull();
    expect(await b.page.evaluate((id) => window.__siteTwinSite!.placement(id), unplaced.id)).toBeNull();
    // The camera may still be moving (the last click flies to its device): take the marker's place once it rests.
    await waitForIdle(b.page);
    const at = await b.page.evaluate((id) => window.__siteTwinSite!.devicePagePosition(id), sensor.id);
    expect(at).not.toBeNull();
    await b.page.mouse.click(at!.x, at!.y);
    await expect
      .poll(() => b.page.evaluate(() => window.__siteTwinSite!.panelDeviceId()), { timeout: SLOW_MS })
      .toBe(sensor.id);
    const panel = b.page.locator('[data-testid="device-panel"]');
    expect(await panel.locator('[data-testid="device-name"]').textContent()).toBe('E2E 应变计');
    expect(await panel.locator('dd[data-field="strainUe"]').textContent()).toBe('12.35 µε');
    expect(await panel.locator('dd[data-field="tempC"]').textContent()).toBe('21.50 °C');
    expect(
      await panel.locator('dd[data-field]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.field)),
    ).toEqual(['strainUe', 'tempC']); // declared order
    await b.screenshot('overlays-sensor');
    expect(b.consoleErrors).toEqual([]);
  });

  it('shows an overload in the feed as it is raised (pushed, no list reload), flies to the crane, acknowledges it, and clears it when the load drops', async () => {
    await ingest([{ ...pose(), slewDeg: 0, loadT: 7.2, momentPct: 120 }]);
    await sleep(HOLD_MS);
    // The row must come by /live push: a reload of the alarm list would also show it, late (timing is the benches').
    const listReloads: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (/\/api\/v1\/(?:projects\/[^/]+\/)?alarms(?:\?|$)/.test(r.url())) listReloads.push(r.url());
    };
    b.page.on('request', onRequest);
    const sent = Date.now();
    await ingest([{ ...pose(), slewDeg: 0, loadT: 7.2, momentPct: 120 }]); // held past the minimum duration: raised
    const row = b.page
      .locator(`[data-testid="alarm-feed"] [data-device-id="${crane.id}"][data-state="open"][data-level="alarm"]`)
      .first();
    await row.waitFor({ timeout: 10_000 });
    b.page.off('request', onRequest);
    console.info(`overload alarm in the feed ${Date.now() - sent} ms after the ingest call`);
    expect(listReloads).toEqual([]);
    expect(await row.locator('.alarm-msg').textContent()).toMatch(/%/);
    await expect.poll(() => glowOf(crane.id)).toBe('alarm');

    await row.locator('[data-action="focus"]').click();
    await expect.poll(() => b.page.evaluate(() => window.__siteTwinSite!.panelDeviceId())).toBe(crane.id);
    await waitForIdle(b.page);
    await expect.poll(async () => (await craneProbe(crane.id))?.state).toBe('alarm');
    await b.screenshot('overlays-alarm');

    await row.locator('[data-action="ack"]').click();
    await row.locator('input[name="comment"]').fill('Load split in two lifts');
    await row.locator('button[type="submit"]').click();
    const acked = b.page
      .locator(`[data-testid="alarm-feed"] [data-device-id="${crane.id}"][data-state="acknowledged"]`)
      .first();
    await acked.waitFor({ timeout: 10_000 });
    const id = await acked.getAttribute('data-alarm-id');
    const stored = (await t.api<Alarm[]>('GET', `/api/v1/alarms?deviceId=${crane.id}`)).body.find((a) => a.id === id)!;
    expect(stored.state).toBe('acknowledged');
    // Without accounts the form offers the catalogue's default name, in the page's language.
    const lang = await b.page.evaluate(() => document.documentElement.lang);
    expect(stored.acknowledgedBy).toBe((lang === 'en' ? en : zhCN)['alarm.defaultWho']);
    expect(stored.ackComment).toBe('Load split in two lifts');

    await ingest([{ ...pose(), slewDeg: 0 }]);
    await sleep(HOLD_MS);
    await ingest([{ ...pose(), slewDeg: 0 }]);
    await b.page
      .locator(`[data-testid="alarm-feed"] [data-alarm-id="${id}"][data-state="cleared"]`)
      .waitFor({ timeout: 15_000 });
    await expect.poll(() => glowOf(crane.id), { timeout: 15_000 }).toBe(null);
    expect(b.consoleErrors).toEqual([]);
  });

  it('turns the crane smoothly: the posed slew changes between readings and the jib moves on screen', async () => {
    const sentSlews: number[] = [];
    let slew = 0;
    let stop = false;
    const driver = (async () => {
      while (!stop) {
        slew = (slew + 6) % 360;
        sentSlews.push(slew);
        await ingest([{ ...pose(), slewDeg: slew }]);
        await sleep(500);
      }
    })();
    try {
      await expect
        .poll(async () => (await craneProbe(crane.id))?.slewDeg ?? 0, { timeout: 30_000 })
        .toBeGreaterThan(10);
      const a = (await craneProbe(crane.id))!;
      const box = (p: typeof a) => {
        const xs = [p.mast!.x, p.tip!.x];
        const ys = [p.mast!.y, p.tip!.y];
        const pad = 90;
        const x = Math.max(0, Math.min(...xs) - pad);
        const y = Math.max(0, Math.min(...ys) - pad);
        return {
          x,
          y,
          width: Math.min(1280 - x, Math.max(...xs) - x + pad),
          height: Math.min(760 - y, Math.max(...ys) - y + pad),
        };
      };
      const clip = box(a);
      const shotA = await region(clip);
      await b.screenshot('overlays-crane-a');
      const posed: number[] = [];
      await expect
        .poll(
          async () => {
            const p = (await craneProbe(crane.id))!;
            posed.push(p.slewDeg!);
            return Math.abs(((p.slewDeg! - a.slewDeg! + 540) % 360) - 180);
          },
          { timeout: 60_000, interval: 300 },
        )
        .toBeGreaterThan(25);
      const shotB = await region(clip);
      await b.screenshot('overlays-crane-b');
      const diff = meanDiff(shotA, shotB);
      console.info(
        `crane slew ${a.slewDeg!.toFixed(1)}° -> ${posed.at(-1)!.toFixed(1)}°, mean pixel difference in the crane region ${diff.toFixed(2)} (${clip.width}x${clip.height} px)`,
      );
      expect(diff).toBeGreaterThan(1);
      // Smooth: some drawn poses lie between two sent readings (interpolated), not only on them. Sampled until one is
      // seen: a starved page (SwiftShader, loaded machine) may hold the newest reading for a while, which is right.
      const between = () => posed.some((p) => sentSlews.every((s) => Math.abs(s - p) > 0.05));
      await expect
        .poll(
          async () => {
            posed.push((await craneProbe(crane.id))!.slewDeg!);
            return between();
          },
          { timeout: 30_000, interval: 200 },
        )
        .toBe(true);
    } finally {
      stop = true;
      await driver;
    }
  });

  it('shows the crane in the device panel with units, age and a history chart per range; replays the last hour', async () => {
    const panel = b.page.locator('[data-testid="device-panel"]');
    expect(await panel.locator('[data-testid="device-name"]').textContent()).toBe('E2E 塔吊');
    await expect.poll(() => panel.locator('dd[data-field="loadT"]').textContent()).toMatch(/^\d+\.\d\d t$/);
    expect(await panel.locator('[data-testid="device-age"]').getAttribute('data-stale')).toBe('false');
    await expect
      .poll(() => panel.locator('[data-testid="chart-status"]').getAttribute('data-state'), { timeout: 20_000 })
      .toBe('loaded');
    expect(Number(await panel.locator('[data-testid="chart-status"]').getAttribute('data-points'))).toBeGreaterThan(0);
    await panel.locator('[data-range="24h"]').click();
    await expect
      .poll(() => panel.locator('[data-testid="chart-status"]').textContent(), { timeout: 20_000 })
      .toMatch(/last 24 h/);
    expect(await panel.locator('.u-wrap canvas, canvas').count()).toBeGreaterThan(0);

    // Replay: the crane at an instant of its recorded rotation is posed as stored.
    const readings = (
      await t.api<{ readings: { time: number; values: { slewDeg?: number } }[] }>(
        'GET',
        `/api/v1/devices/${crane.id}/readings?from=${Date.now() - 600_000}&to=${Date.now()}`,
      )
    ).body.readings;
    const turning = readings.filter((r) => r.values.slewDeg !== undefined && r.values.slewDeg > 0);
    // A replay sample instant (whole second) inside the rotation: the crane must stand at the last stored slew at or
    // before it (the replay API samples and holds at from + k * stepMs).
    const at = Math.ceil(turning.at(-6)!.time / 1000) * 1000;
    const expected = readings.filter((r) => r.time <= at && r.values.slewDeg !== undefined).at(-1)!.values.slewDeg!;
    await b.page.locator('[data-testid="replay-open"]').click();
    await expect.poll(() => b.page.evaluate(() => window.__siteTwinSite!.replay().active)).toBe(true);
    await b.page.locator('[data-testid="replay-slider"]').evaluate((el, tt) => {
      const i = el as HTMLInputElement;
      i.value = String(tt);
      i.dispatchEvent(new Event('change'));
    }, at);
    await expect
      .poll(() => b.page.evaluate(() => window.__siteTwinSite!.replay().loading), { timeout: 30_000 })
      .toBe(false);
    expect((await b.page.evaluate(() => window.__siteTwinSite!.replay())).error).toBeNull();
    await expect.poll(async () => (await craneProbe(crane.id))?.slewDeg, { timeout: 30_000 }).toBeCloseTo(expected, 1);
    expect(await panel.locator('[data-testid="device-age"]').textContent()).toMatch(/^Replay: as of/);
    await b.screenshot('overlays-replay');
    await b.page.locator('[data-testid="replay-live"]').click();
    await expect.poll(() => b.page.evaluate(() => window.__siteTwinSite!.replay().active)).toBe(false);
    expect(b.consoleErrors).toEqual([]);
    expect(b.externalRequests).toEqual([]);
  });
});
