import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveThresholds } from '../../../models/alarmRules/thresholds.js';
import { AlarmEngine } from '../../../server/alarms/AlarmEngine.js';
import { createLogger } from '../../../server/log.js';
import type { LivePublisher } from '../../../server/realtime/LiveHub.js';
import { openTestStore, storeProject, type TestStore } from '../../helpers/store.js';

/**
 * The engine's alarm lines per project (jurisdiction defaults + overrides) are cached for 10 s. A city's projects
 * expire together, so they are read again in one query, not two per project; a project invalidated by a PUT is read
 * alone at once and its new lines apply to the next reading.
 */
describe('AlarmEngine threshold cache', () => {
  let ts: TestStore;
  let engine: AlarmEngine;
  const projects: string[] = [];
  const live = { toProject() {} } as unknown as LivePublisher;

  beforeAll(async () => {
    ts = await openTestStore('embedded');
    const e = await ts.store.enterprises.create({ name: 'E', role: 'contractor' });
    // Two jurisdictions: Qingdao (Shandong) and Beijing, whose dust defaults differ.
    for (let i = 0; i < 6; i++)
      projects.push(await storeProject(ts.store, e.id, { name: `P${i}`, regionCode: i % 2 ? '110105' : '370202' }));
    engine = new AlarmEngine(ts.store, live, createLogger('silent'));
  }, 300_000);
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });
  afterAll(async () => {
    await engine?.dispose();
    await ts?.cleanup();
  }, 300_000);

  it('reads every project in one query per TTL, and a PUT-invalidated project alone, at once', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const all = vi.spyOn(ts.store.alarms, 'thresholdInputs');
    const one = vi.spyOn(ts.store.alarms, 'thresholdOverrides');
    const project = vi.spyOn(ts.store.projects, 'get');

    const lines = await Promise.all(projects.map((p) => engine.thresholdsOf(p)));
    expect(all).toHaveBeenCalledTimes(1);
    expect(one).not.toHaveBeenCalled();
    expect(project).not.toHaveBeenCalled();
    // Each project got its own jurisdiction's lines.
    const ref = [resolveThresholds('370202'), resolveThresholds('110105')];
    for (let i = 0; i < projects.length; i++) expect(lines[i]).toEqual(ref[i % 2]);
    expect(ref[0]!.dust).not.toEqual(ref[1]!.dust);

    // Within the TTL: no query at all.
    for (const p of projects) await engine.thresholdsOf(p);
    expect(all).toHaveBeenCalledTimes(1);

    // Past it: one query again for the whole city.
    vi.setSystemTime(Date.now() + 11_000);
    for (const p of projects) await engine.thresholdsOf(p);
    expect(all).toHaveBeenCalledTimes(2);
    expect(one).not.toHaveBeenCalled();

    // An override (what PUT /projects/:id/alarm-thresholds does): the project is read alone, and its lines change.
    await ts.store.alarms.setThresholdOverrides(projects[0]!, { dust: { pm10Ugm3: 33 } });
    engine.invalidateThresholds(projects[0]!);
    expect((await engine.thresholdsOf(projects[0]!)).dust.pm10Ugm3).toBe(33);
    expect(one).toHaveBeenCalledTimes(1);
    expect(all).toHaveBeenCalledTimes(2);
    // The next whole read keeps it.
    vi.setSystemTime(Date.now() + 11_000);
    expect((await engine.thresholdsOf(projects[0]!)).dust.pm10Ugm3).toBe(33);
    expect((await engine.thresholdsOf(projects[2]!)).dust.pm10Ugm3).toBe(ref[0]!.dust.pm10Ugm3);
    expect(all).toHaveBeenCalledTimes(3);
  });

  it('does not let a whole read that started before an invalidation restore the old lines', async () => {
    // Later than the first test's clock, so everything cached there is past its TTL.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
    const p = projects[4]!;
    await ts.store.alarms.setThresholdOverrides(p, { dust: { pm10Ugm3: 41 } });
    engine.invalidateThresholds(p);
    expect((await engine.thresholdsOf(p)).dust.pm10Ugm3).toBe(41);

    // A whole read (for another project past its TTL) has read the old overrides when a PUT changes them.
    vi.setSystemTime(Date.now() + 11_000);
    const real = ts.store.alarms.thresholdInputs.bind(ts.store.alarms);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const all = vi.spyOn(ts.store.alarms, 'thresholdInputs').mockImplementationOnce(async () => {
      const rows = await real();
      await held;
      return rows;
    });
    const other = engine.thresholdsOf(projects[5]!);
    await expect.poll(() => all.mock.calls.length).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    await ts.store.alarms.setThresholdOverrides(p, { dust: { pm10Ugm3: 42 } });
    engine.invalidateThresholds(p);
    release();
    await other;
    expect((await engine.thresholdsOf(p)).dust.pm10Ugm3).toBe(42);
  });
});
