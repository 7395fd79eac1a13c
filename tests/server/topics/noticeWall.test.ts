import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import type { LiveServerMessage } from '../../../models/protocol.js';
import { usccCheckChar } from '../../../models/Vendor.js';
import { createLogger } from '../../../server/log.js';
import { NoticeOverdueWatcher } from '../../../server/topics/NoticeOverdueWatcher.js';
import { FIXTURE_PASSWORD, makeUser } from '../../helpers/auth.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

// Issue 16, supervision, over real HTTP (AUTH=on): the authority's blacklist of device vendors (who may keep it, the
// audit trail, the flag on the device and its readiness), and overdue notices on the wall (an alarm without a device,
// open / overdue counts per project, enterprise and district, scoped as the REST list of topics).
let t: TestServer;
const tok: Record<string, string> = {};
let E1: string;
let E2: string;
const P: Record<string, string> = {};
const crane: Record<string, string> = {};
const HOUR = 3_600_000;

const api = (who: string, method: string, path: string, body?: unknown) =>
  t.api(method, path, body, { token: tok[who] });

beforeAll(async () => {
  t = await startTestServer({ env: { AUTH: 'on' } });
  await makeUser(t.store, 'root', { role: 'admin' });
  tok.root = await t.login('root', FIXTURE_PASSWORD);
  E1 = (await api('root', 'POST', '/api/v1/enterprises', { name: '青岛建工' })).body.id;
  E2 = (await api('root', 'POST', '/api/v1/enterprises', { name: '海湾建设' })).body.id;
  for (const [key, enterpriseId, regionCode] of [
    ['a', E1, '370202'],
    ['c', E1, '370203'],
    ['d', E2, '370202'],
  ] as const) {
    const p = await api('root', 'POST', '/api/v1/projects', {
      name: `工地${key}`,
      enterpriseId,
      regionCode,
      location: { lon: 120.38, lat: 36.07, height: 0 },
      footprint: rectangleAround({ lon: 120.38, lat: 36.07 }, 100, 80),
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    P[key] = p.body.id;
  }
  const users: Array<[string, Parameters<typeof makeUser>[2]]> = [
    ['inspector', { role: 'authority', regionPrefix: '3702' }],
    ['builder', { role: 'enterprise', enterpriseId: E1 }],
  ];
  for (const [name, grant] of users) {
    await makeUser(t.store, name, grant);
    tok[name] = await t.login(name, FIXTURE_PASSWORD);
  }
}, 120_000);
afterAll(() => t?.close());

describe('device vendors and the blacklist', () => {
  let vendorId: string;

  it('anyone configuring may register a vendor with a valid credit code; a bad check character is refused', async () => {
    const bad = await api('builder', 'POST', '/api/v1/vendors', { name: '某厂', uscc: '91350100M000100Y44' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    const first17 = '91370200MA3C5EXL2';
    const v = await api('builder', 'POST', '/api/v1/vendors', {
      name: '青岛某监测设备公司',
      uscc: first17 + usccCheckChar(first17),
    });
    expect(v.status, JSON.stringify(v.body)).toBe(201);
    vendorId = v.body.id;
    const m = await api('builder', 'POST', `/api/v1/vendors/${vendorId}/models`, {
      model: 'JX-300',
      kind: 'tower_crane',
    });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    expect(m.body.models).toEqual([{ vendorId, model: 'JX-300', kind: 'tower_crane' }]);
    const list = await api('inspector', 'GET', '/api/v1/vendors');
    expect(list.body.map((x: { id: string }) => x.id)).toEqual([vendorId]);
    const d = await api('builder', 'POST', `/api/v1/projects/${P.a}/devices`, {
      kind: 'tower_crane',
      name: '1号塔吊',
      vendorId,
      model: 'JX-300',
      location: { lon: 120.3802, lat: 36.0702, height: 0 },
      params: { mastHeightM: 60, jibLengthM: 55, maxLoadT: 8, maxRadiusM: 55 },
    });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    crane.a = d.body.device.id;
    expect(d.body.device).toMatchObject({ vendorId, model: 'JX-300', vendorBlacklisted: false });
  });

  it('only the authority (or an admin) blacklists; the enterprise gets 403 forbidden and nothing changes', async () => {
    const no = await api('builder', 'PATCH', `/api/v1/vendors/${vendorId}/blacklist`, {
      blacklisted: true,
      reason: '自己说了算',
    });
    expect(no.status).toBe(403);
    expect(no.body.code).toBe('forbidden');
    expect((await api('root', 'GET', '/api/v1/vendors')).body[0].blacklisted).toBe(false);
    const noReason = await api('inspector', 'PATCH', `/api/v1/vendors/${vendorId}/blacklist`, { blacklisted: true });
    expect(noReason.status).toBe(400);
    const yes = await api('inspector', 'PATCH', `/api/v1/vendors/${vendorId}/blacklist`, {
      blacklisted: true,
      reason: '监测数据造假',
    });
    expect(yes.status, JSON.stringify(yes.body)).toBe(200);
    expect(yes.body).toMatchObject({ blacklisted: true, blacklistReason: '监测数据造假' });
    const inspectorId = (await t.store.users.list()).find((u) => u.username === 'inspector')!.id;
    expect(yes.body.blacklistedBy).toBe(inspectorId);
    // the audit entry is appended once the answer is sent
    await expect
      .poll(async () => (await api('root', 'GET', '/api/v1/audit?action=vendor.blacklist')).body)
      .toEqual([
        expect.objectContaining({
          actor: inspectorId,
          action: 'vendor.blacklist',
          target: vendorId,
          details: expect.objectContaining({ blacklisted: true, reason: '监测数据造假' }),
        }),
      ]);
    expect(
      (
        await api('root', 'PATCH', `/api/v1/vendors/00000000-0000-4000-8000-000000000000/blacklist`, {
          blacklisted: false,
        })
      ).status,
    ).toBe(404);
  });

  it("the project's device list and readiness flag the device of the blacklisted vendor, with the reason", async () => {
    const list = await api('builder', 'GET', `/api/v1/projects/${P.a}/devices`);
    expect(list.body.find((d: { id: string }) => d.id === crane.a)).toMatchObject({
      vendorBlacklisted: true,
      vendorBlacklistReason: '监测数据造假',
    });
    const r = await api('builder', 'GET', `/api/v1/projects/${P.a}/readiness`);
    expect(r.status).toBe(200);
    expect(r.body.blacklistedDevices).toEqual([expect.objectContaining({ deviceId: crane.a, reason: '监测数据造假' })]);
    expect(r.body.items.find((i: { id: string }) => i.id === 'crane').detail).toContain('1 of a blacklisted vendor');
  });
});

describe('overdue notices on the wall', () => {
  const notice = async (projectKey: string, title: string) => {
    const n = await api('inspector', 'POST', `/api/v1/projects/${P[projectKey]}/topics`, {
      title,
      topicType: 'safety',
      notice: { legalBasis: '《建设工程安全生产管理条例》', deadline: Date.now() + HOUR },
    });
    expect(n.status, JSON.stringify(n.body)).toBe(201);
    return n.body.id as string;
  };

  it('an overdue notice anchored to no device raises an alarm the wall lists, once, cleared on reply', async () => {
    const overdueA = await notice('a', '脚手架连墙件缺失');
    await notice('a', '临边防护不到位'); // open, not overdue
    const overdueD = await notice('d', '基坑未设排水沟');
    // Time passes: the two deadlines lie behind us (the column the scan and the counts read).
    await t.store.db.query('UPDATE topics SET notice_deadline = $1 WHERE id = ANY($2::uuid[])', [
      Date.now() - 2 * HOUR,
      [overdueA, overdueD],
    ]);
    const pushed: LiveServerMessage[] = [];
    const w = new NoticeOverdueWatcher(t.store, { toProject: (_p, m) => pushed.push(m) }, createLogger('silent'));
    expect(await w.scan()).toEqual({ raised: 2, cleared: 0 });
    expect(await w.scan()).toEqual({ raised: 0, cleared: 0 });
    expect(pushed.filter((m) => m.type === 'alarm.raised')).toHaveLength(2);

    // the wall's alarm list (GET /alarms, open) as the authority: both, without a device
    const wall = await api('inspector', 'GET', '/api/v1/alarms?state=open');
    expect(wall.status).toBe(200);
    const mine = wall.body.filter((a: { rule: string }) => a.rule.startsWith('notice.overdue:'));
    expect(mine.map((a: { projectId: string; deviceId: string | null }) => [a.projectId, a.deviceId]).sort()).toEqual(
      [
        [P.a, null],
        [P.d, null],
      ].sort(),
    );
    // the enterprise's wall: only its project's
    const ent = await api('builder', 'GET', '/api/v1/alarms?state=open');
    expect(
      ent.body
        .filter((a: { rule: string }) => a.rule.startsWith('notice.overdue:'))
        .map((a: { projectId: string }) => a.projectId),
    ).toEqual([P.a]);

    await t.store.db.query("UPDATE topics SET notice_state = 'closed' WHERE id = $1", [overdueD]);
    expect(await w.scan()).toEqual({ raised: 0, cleared: 1 });
  });

  it('counts open and overdue notices per project, enterprise and district, over what the reader may read', async () => {
    const all = await api('inspector', 'GET', '/api/v1/notices/counts');
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.totals).toEqual({ openNotices: 2, overdueNotices: 1 });
    const district = (code: string) => all.body.districts.find((d: { code: string }) => d.code === code);
    expect(district('370202')).toMatchObject({ openNotices: 2, overdueNotices: 1 });
    expect(district('370203')).toMatchObject({ openNotices: 0, overdueNotices: 0 });
    expect(all.body.enterprises).toEqual([
      { enterpriseId: E1, name: '青岛建工', openNotices: 2, overdueNotices: 1 },
      { enterpriseId: E2, name: '海湾建设', openNotices: 0, overdueNotices: 0 },
    ]);
    expect(all.body.projects.find((p: { projectId: string }) => p.projectId === P.a)).toMatchObject({
      enterpriseId: E1,
      regionCode: '370202',
      openNotices: 2,
      overdueNotices: 1,
    });

    // a notice of the other enterprise's project, overdue again: the enterprise never counts it
    const n = await notice('d', '塔吊基础积水');
    await t.store.db.query('UPDATE topics SET notice_deadline = $1 WHERE id = $2', [Date.now() - HOUR, n]);
    const admin = await api('root', 'GET', '/api/v1/notices/counts');
    expect(admin.body.totals).toEqual({ openNotices: 3, overdueNotices: 2 });
    const mine = await api('builder', 'GET', '/api/v1/notices/counts');
    expect(mine.body.totals).toEqual({ openNotices: 2, overdueNotices: 1 });
    expect(mine.body.projects.map((p: { projectId: string }) => p.projectId).sort()).toEqual([P.a, P.c].sort());
    expect(mine.body.enterprises.map((e: { enterpriseId: string }) => e.enterpriseId)).toEqual([E1]);
    expect(mine.body.districts.find((d: { code: string }) => d.code === '370202')).toMatchObject({
      openNotices: 2,
      overdueNotices: 1,
    });
  });
});
