import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCity } from '../../../../server/demo/demoCity.js';
import { DEMO_DEVICE_PREFIX, startInAppSimulation } from '../../../../server/demo/simulator/inApp.js';
import { startTestServer, type TestServer } from '../../../helpers/server.js';
import { collect } from '../../../helpers/telemetry.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
  await seedDemoCity(t.store);
});
afterAll(() => t?.close());

describe('in-app simulation (npm start, SIMULATE=1)', () => {
  it('registers demo devices once, feeds them through the ingest, and pushes them live', async () => {
    const viewer = t.live();
    const got = collect(viewer);
    await viewer.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'city' } });

    const sim = await startInAppSimulation(t.server.ctx, { tickMs: 100 });
    // 4 demo projects are under construction: 2 + 1 + 2 + 1 cranes and 6 other devices each.
    expect(sim.devices).toBe(30);
    await expect.poll(() => sim.stats.accepted, { timeout: 10_000 }).toBeGreaterThan(30);
    await sim.stop();
    expect(sim.stats.rejected).toBe(0);
    await expect.poll(() => got.filter((m) => m.type === 'telemetry.batch').length).toBeGreaterThan(0);

    const devices = await t.store.devices.list();
    expect(devices.every((d) => d.name.startsWith(DEMO_DEVICE_PREFIX))).toBe(true);
    const latest = await t.store.telemetry.latest({ all: true });
    expect(new Set(latest.map((r) => r.deviceId)).size).toBe(30); // every device reported on the first tick

    // A restart finds the same devices by name and adds none; their new keys work.
    const again = await startInAppSimulation(t.server.ctx, { tickMs: 100 });
    expect(again.devices).toBe(30);
    await expect.poll(() => again.stats.accepted, { timeout: 10_000 }).toBeGreaterThan(0);
    await again.stop();
    expect(again.stats.rejected).toBe(0);
    expect((await t.store.devices.list()).length).toBe(30);
  });
});
