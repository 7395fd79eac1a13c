import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import { localDayStart } from '../../../models/localTime.js';
import { Kpis } from '../../../models/Kpis.js';
import { ProjectReadiness } from '../../../models/Readiness.js';
import type { LiveServerMessage } from '../../../models/protocol.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { storeKinds } from '../../helpers/store.js';
import { collect, crane, makeDevice, makeProject, postIngest } from '../../helpers/telemetry.js';

// Attendance, readiness and wall KPIs from devices registered and readings sent through the real ingest API.
// Run on each store driver: the KPI and readiness SQL must hold on PGlite and on PostgreSQL alike.
describe.each(storeKinds())('on the %s store', (kind) => {
  let t: TestServer;
  let p1: string;
  let p2: string;
  let p3: string;
  let e1: string;
  let now: number;
  const keys: Record<string, { id: string; key: string }> = {};

  const at = (agoMs: number) => now - agoMs;
  async function send(name: string, time: number, values: Record<string, unknown>) {
    const d = keys[name]!;
    const r = await postIngest(t, [{ deviceId: d.id, time, values }], d.key);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  async function device(name: string, projectId: string, body: Parameters<typeof makeDevice>[2]) {
    const { device: d, apiKey } = await makeDevice(t, projectId, body);
    keys[name] = { id: d.id, key: apiKey };
  }

  beforeAll(async () => {
    t = await startTestServer({ kind, env: { KPI_PUSH_MS: '500' } });
    // Keep every event of this file on one local day.
    const sinceMidnight = Date.now() - localDayStart(Date.now());
    if (sinceMidnight < 180_000) await new Promise((r) => setTimeout(r, 180_000 - sinceMidnight));
    now = Date.now();
    p1 = await makeProject(t, '甲 工地');
    p2 = await makeProject(t, '乙 工地');
    e1 = (await t.api('GET', `/api/v1/projects/${p1}`)).body.enterpriseId;
    const p3r = await t.api('POST', '/api/v1/projects', {
      name: '丙 济南工地',
      enterpriseId: e1,
      regionCode: '370102',
      location: { lon: 117.0, lat: 36.65, height: 0 },
      footprint: rectangleAround({ lon: 117.0, lat: 36.65 }, 100, 80),
    });
    p3 = p3r.body.id;
    await device('c1', p1, crane('1号塔吊'));
    await device('c2', p1, crane('2号塔吊'));
    await device('env', p1, {
      kind: 'env_monitor',
      name: '东门扬尘',
      location: { lon: 120.4701, lat: 36.1001, height: 3 },
      params: { pm10LimitUgm3: 80 },
    });
    await device('cam', p1, {
      kind: 'camera',
      name: '大门',
      location: { lon: 120.47, lat: 36.1, height: 5 },
      params: {},
    });
    await device('gate', p1, {
      kind: 'gate',
      name: '实名制闸机',
      location: { lon: 120.47, lat: 36.1, height: 0 },
      params: {},
    });
    await device('hoist', p1, {
      kind: 'hoist',
      name: '1号升降机',
      location: { lon: 120.47, lat: 36.1, height: 0 },
      params: { ratedLoadKg: 2000, maxPersons: 12, maxHeightM: 100 },
    });

    await send('c1', at(5000), { loadT: 2, ratedLoadT: 8, momentPct: 40 });
    await send('c2', at(5000), { loadT: 7, ratedLoadT: 8, momentPct: 105 });
    await send('env', at(20 * 60_000), { pm25Ugm3: 30, pm10Ugm3: 60, noiseDb: 50 });
    await send('env', at(10_000), { pm25Ugm3: 40, pm10Ugm3: 120, noiseDb: 75 });
    await send('cam', at(10_000), { online: true });
    await send('gate', at(50_000), { event: 'enter', workerId: 'W-0001', trade: 'rebar', team: 'T1' });
    await send('gate', at(40_000), { event: 'enter', workerId: 'W-0002', trade: 'rebar', team: 'T1' });
    await send('gate', at(30_000), { event: 'enter', workerId: 'W-0003', trade: 'concrete', team: 'T2' });
    await send('gate', at(20_000), { event: 'leave', workerId: 'W-0002', trade: 'rebar', team: 'T1' });
    await send('gate', at(10_000), { event: 'enter', workerId: 'W-0004' });
  }, 300_000);
  afterAll(() => t?.close());

  describe('attendance', () => {
    it('counts workers on site per project, trade and team from gate events', async () => {
      const a = await t.api('GET', `/api/v1/projects/${p1}/attendance`);
      expect(a.body).toEqual({
        projectId: p1,
        onSite: 3,
        attendedToday: 4,
        lastEventAt: at(10_000),
        byTrade: { rebar: 1, concrete: 1, '(unknown)': 1 },
        byTeam: { T1: 1, T2: 1, '(unknown)': 1 },
      });
      const city = await t.api('GET', '/api/v1/attendance');
      expect(city.body).toMatchObject({ onSite: 3, byTrade: { rebar: 1, concrete: 1, '(unknown)': 1 } });
      expect(city.body.projects.map((p: { projectId: string }) => p.projectId)).toEqual([p1]);
      expect((await t.api('GET', '/api/v1/attendance?region=370102')).body.onSite).toBe(0);
      expect((await t.api('GET', `/api/v1/projects/${p2}/attendance`)).body).toMatchObject({
        onSite: 0,
        lastEventAt: null,
      });
      expect((await t.api('GET', '/api/v1/attendance?region=abc')).status).toBe(400);
    });

    it('never stores or returns a name, ID-card or phone number', async () => {
      const g = keys.gate!;
      const leaks = [
        { event: 'enter', workerId: 'W-0009', name: '张三' },
        { event: 'enter', workerId: '370212199001011234' },
        { event: 'enter', workerId: '37021219900101123X' },
        { event: 'enter', workerId: '13800138000' },
        { event: 'enter', workerId: 'W-0010', extra: { 姓名: '李四' } },
        { event: 'enter', workerId: 'W-0011', extra: { idNumber: 'whatever' } },
        { event: 'enter', workerId: 'W-0012', extra: { badge: '370212199001011234' } },
      ];
      const r = await postIngest(
        t,
        leaks.map((values, i) => ({ deviceId: g.id, time: at(5000 - i), values })),
        g.key,
      );
      expect(r.status).toBe(400);
      expect(r.body.accepted).toBe(0);
      expect(r.body.rejected.map((x: { index: number; code: string }) => [x.index, x.code])).toEqual(
        leaks.map((_, i) => [i, 'validation_failed']),
      );
      const history = await t.api('GET', `/api/v1/devices/${g.id}/readings?from=${at(3_600_000)}&to=${now + 60_000}`);
      const stored = JSON.stringify(history.body);
      expect(stored).not.toMatch(/张三|李四|370212199001011234|13800138000|idNumber/);
      // What a wall reads carries counts only: not even the pseudonyms.
      for (const path of [
        `/api/v1/projects/${p1}/attendance`,
        '/api/v1/attendance',
        `/api/v1/kpis?tier=project&id=${p1}`,
      ]) {
        expect(JSON.stringify((await t.api('GET', path)).body)).not.toMatch(/W-000|张三|李四|3702121990/);
      }
    });
  });

  describe('readiness', () => {
    it('scores each project from live facts, with veto items and not-applicable items', async () => {
      const r = ProjectReadiness.parse((await t.api('GET', `/api/v1/projects/${p1}/readiness`)).body);
      const status = Object.fromEntries(r.items.map((i) => [i.id, i.status]));
      expect(status).toEqual({
        crane: 'met',
        hoist: 'missing',
        dust: 'met',
        noise: 'met',
        video: 'met',
        attendance: 'met',
        pit: 'not_applicable',
        bim: 'missing',
        progress: 'missing',
      });
      // 20 + 15 + 10 + 15 + 10 earned of 90 that apply (the pit item does not).
      expect(r).toMatchObject({ earned: 70, max: 90, score: 78, grade: 'good', vetoFailed: [] });
      expect(r.items.find((i) => i.id === 'hoist')!.detail).toBe('0 of 1 registered reporting');

      const empty = (await t.api('GET', `/api/v1/projects/${p2}/readiness`)).body;
      expect(empty).toMatchObject({ earned: 0, max: 80, score: 0, grade: 'fail', vetoFailed: ['crane', 'dust'] });
    });

    it('moves with the data: a hoist that reports earns points, a crane that stopped reporting fails the veto', async () => {
      await send('hoist', at(3000), { loadKg: 500, persons: 3 });
      let r = (await t.api('GET', `/api/v1/projects/${p1}/readiness`)).body;
      expect(r).toMatchObject({ earned: 80, score: 89, grade: 'good' });
      await device('c3', p1, crane('3号塔吊'));
      await send('c3', at(5 * 60_000), { loadT: 1 }); // five minutes old: past its 60 s interval
      r = (await t.api('GET', `/api/v1/projects/${p1}/readiness`)).body;
      expect(r.items.find((i: { id: string }) => i.id === 'crane')).toMatchObject({
        status: 'partial',
        earned: 0,
        detail: '2 of 3 registered reporting',
      });
      expect(r).toMatchObject({ earned: 60, grade: 'fail', vetoFailed: ['crane'] });

      const table = (await t.api('GET', '/api/v1/readiness')).body;
      // Best score first; the two sites without devices tie at 0 and follow by name.
      expect(table.projects.map((p: { projectId: string; score: number }) => [p.projectId, p.score])).toEqual([
        [p1, 67],
        [p3, 0],
        [p2, 0],
      ]);
      expect(table.grades).toEqual({ fail: 3, pass: 0, good: 0, excellent: 0 });
      expect(table.items.map((i: { id: string }) => i.id)).toContain('pit');
      expect(
        (await t.api('GET', '/api/v1/readiness?region=370102')).body.projects.map(
          (p: { projectId: string }) => p.projectId,
        ),
      ).toEqual([p3]);
    });
  });

  describe('wall KPIs', () => {
    it('computes the city, enterprise, region and project figures with their data age', async () => {
      const city = Kpis.parse((await t.api('GET', '/api/v1/kpis?tier=city')).body);
      expect(city.projects).toMatchObject({ total: 3, online: { value: 1, stale: false } });
      expect(city.cranes).toMatchObject({ total: 3, working: { value: 2 }, inAlarm: { value: 1 } });
      expect(city.cranes.working.ageMs).toBeGreaterThanOrEqual(5000);
      expect(city.cranes.working.ageMs).toBeLessThan(60_000);
      expect(city.dust).toMatchObject({ exceedances: { value: 1 }, devicesOver: 1, devicesWithoutLimit: 0 });
      expect(city.noise).toMatchObject({ exceedances: { value: 1 }, devicesOver: 1 });
      expect(city.workers).toMatchObject({
        onSite: { value: 3, stale: false },
        byTrade: { rebar: 1, concrete: 1, '(unknown)': 1 },
      });
      expect(city.openAlarms.available).toBe(true);

      const ent = Kpis.parse((await t.api('GET', `/api/v1/kpis?tier=enterprise&id=${e1}`)).body);
      expect(ent.projects.total).toBe(2); // p1 and the Jinan site share the enterprise
      const region = Kpis.parse((await t.api('GET', '/api/v1/kpis?tier=city&id=370100')).body);
      expect(region).toMatchObject({ projects: { total: 1, online: { value: 0 } }, cranes: { total: 0 } });
      const quiet = Kpis.parse((await t.api('GET', `/api/v1/kpis?tier=project&id=${p2}`)).body);
      expect(quiet.workers.onSite).toEqual({ value: 0, ageMs: null, expectedIntervalMs: 86_400_000, stale: true });

      expect((await t.api('GET', '/api/v1/kpis?tier=project')).status).toBe(400);
      expect((await t.api('GET', '/api/v1/kpis?tier=moon')).status).toBe(400);
      expect((await t.api('GET', '/api/v1/kpis?tier=enterprise&id=00000000-0000-4000-8000-000000000000')).status).toBe(
        404,
      );
    });

    it('pushes kpis to the viewers that asked for them, on subscribe and then every KPI_PUSH_MS', async () => {
      const viewer = t.live();
      const got = collect(viewer);
      // a map viewer of the same project that did not ask for KPIs gets none
      const mapViewer = t.live();
      const mapGot = collect(mapViewer);
      await mapViewer.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId: p1 } });
      const ack = await viewer.emitWithAck('msg', {
        type: 'subscribe',
        scope: { kind: 'enterprise', enterpriseId: e1 },
        kpis: true,
      });
      expect(ack).toEqual({ ok: true });
      await viewer.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId: p1 }, kpis: true });
      const kpis = () => got.filter((m): m is Extract<LiveServerMessage, { type: 'kpis' }> => m.type === 'kpis');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && kpis().filter((m) => m.scope.kind === 'project').length < 3)
        await new Promise((r) => setTimeout(r, 100));
      const project = kpis().filter((m) => m.scope.kind === 'project');
      expect(project.length).toBeGreaterThanOrEqual(3);
      expect(project.at(-1)!.kpis).toMatchObject({ tier: 'project', id: p1, workers: { onSite: { value: 3 } } });
      expect(kpis().find((m) => m.scope.kind === 'enterprise')!.kpis).toMatchObject({
        tier: 'enterprise',
        id: e1,
        projects: { total: 2 },
      });
      expect(kpis().some((m) => m.scope.kind === 'city')).toBe(false);
      expect(mapGot.some((m) => m.type === 'kpis')).toBe(false);
    });
  });
});
