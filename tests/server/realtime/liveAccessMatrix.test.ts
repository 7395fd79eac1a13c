import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  roomOf,
  type LiveClientToServer,
  type LiveScope,
  type LiveServerMessage,
  type LiveServerToClient,
} from '../../../models/protocol.js';
import type { UserGrant } from '../../../models/User.js';
import { FIXTURE_PASSWORD, makeProjectFixture, makeUser, type ProjectFixture } from '../../helpers/auth.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { crane } from '../../helpers/telemetry.js';

// Issue 14 finding 1: every /live scope kind x every role. The subscribe answer, the snapshot and every push that
// follows (telemetry, alarms, devices, models, progress, KPIs) carry only the projects the role may read.
let t: TestServer;
let admin: string;
let E1: string;
let E2: string;
/** An enterprise that owns no project. */
let E3: string;
/** P1: E1 Qingdao 370202; P2: E2 Qingdao 370212; P3: E2 Beijing 110101; P4: E1 Beijing 110105. */
let F: Record<'P1' | 'P2' | 'P3' | 'P4', ProjectFixture>;
const REGION: Record<string, string> = { P1: '370202', P2: '370212', P3: '110101', P4: '110105' };

type P = keyof typeof F;
interface Role {
  name: string;
  grant: () => UserGrant;
  /** The projects it reads. */
  sees: P[];
  /** The tier rooms (city, enterprise:, region:) it may watch. */
  tiers: () => string[];
}
const ROLES: Role[] = [
  {
    name: 'admin',
    grant: () => ({ role: 'admin' }),
    sees: ['P1', 'P2', 'P3', 'P4'],
    tiers: () =>
      SCOPES()
        .filter((s) => s.kind !== 'project')
        .map(roomOf),
  },
  {
    name: 'authority',
    grant: () => ({ role: 'authority', regionPrefix: '3702' }),
    sees: ['P1', 'P2'],
    tiers: () => ['region:3702', 'region:370212'],
  },
  {
    name: 'regional-viewer',
    grant: () => ({ role: 'viewer', scope: { kind: 'region', regionPrefix: '11' } }),
    sees: ['P3', 'P4'],
    tiers: () => ['region:11'],
  },
  {
    name: 'enterprise-a',
    grant: () => ({ role: 'enterprise', enterpriseId: E1 }),
    sees: ['P1', 'P4'],
    tiers: () => [`enterprise:${E1}`],
  },
  {
    name: 'enterprise-empty',
    grant: () => ({ role: 'enterprise', enterpriseId: E3 }),
    sees: [],
    tiers: () => [`enterprise:${E3}`],
  },
  {
    name: 'project-user',
    grant: () => ({ role: 'project', projectIds: [F.P2.projectId] }),
    sees: ['P2'],
    tiers: () => [],
  },
  {
    name: 'projects-viewer',
    grant: () => ({ role: 'viewer', scope: { kind: 'projects', projectIds: [F.P1.projectId, F.P3.projectId] } }),
    sees: ['P1', 'P3'],
    tiers: () => [],
  },
];

const SCOPES = (): LiveScope[] => [
  { kind: 'city' },
  { kind: 'enterprise', enterpriseId: E1 },
  { kind: 'enterprise', enterpriseId: E2 },
  { kind: 'enterprise', enterpriseId: E3 },
  { kind: 'region', regionPrefix: '3702' },
  { kind: 'region', regionPrefix: '370212' },
  { kind: 'region', regionPrefix: '11' },
  ...(['P1', 'P2', 'P3', 'P4'] as const).map((p) => ({ kind: 'project' as const, projectId: F[p].projectId })),
];

/** The projects a scope contains. */
function projectsOf(s: LiveScope): P[] {
  const all = ['P1', 'P2', 'P3', 'P4'] as const;
  if (s.kind === 'city') return [...all];
  if (s.kind === 'enterprise') return all.filter((p) => F[p].enterpriseId === s.enterpriseId);
  if (s.kind === 'region') return all.filter((p) => REGION[p]!.startsWith(s.regionPrefix));
  return all.filter((p) => F[p].projectId === s.projectId);
}

/** The projects a message is about (empty for kpis). */
function projectsIn(m: LiveServerMessage): string[] {
  switch (m.type) {
    case 'project.created':
    case 'project.updated':
      return [m.project.id];
    case 'project.deleted':
    case 'device.deleted':
    case 'model.deleted':
    case 'progress.updated':
      return [m.projectId];
    case 'device.created':
    case 'device.updated':
      return [m.device.projectId];
    case 'telemetry.batch':
      return m.readings.map((r) => r.projectId);
    case 'snapshot':
      return [...m.devices.map((d) => d.projectId), ...m.latest.map((r) => r.projectId)];
    case 'model.progress':
      return [m.progress.projectId];
    case 'model.updated':
      return [m.model.projectId];
    case 'alarm.raised':
    case 'alarm.updated':
    case 'alarm.cleared':
      return [m.alarm.projectId];
    case 'crane.clearance':
      return [m.clearance.projectId];
    case 'topic.created':
    case 'topic.updated':
      return [m.topic.projectId];
    case 'kpis':
      return [];
  }
}

interface Watch {
  role: Role;
  scope: LiveScope;
  socket: Socket<LiveServerToClient, LiveClientToServer>;
  ack: { ok: boolean; error?: { code: string } };
  got: LiveServerMessage[];
  /** The readable projects of the scope: what everything it receives must be about, exactly. */
  want: Set<string>;
  allowed: boolean;
}
const watches: Watch[] = [];
/** The pushes the test provokes for every project; each allowed watch must see each for each of its projects. */
const PUSHED = [
  'telemetry.batch',
  'device.updated',
  'device.created',
  'alarm.updated',
  'progress.updated',
  'model.deleted',
] as const;

const uniq = (xs: string[]) => [...new Set(xs)].sort();

beforeAll(async () => {
  t = await startTestServer({ env: { AUTH: 'on', KPI_PUSH_MS: '500' } });
  await makeUser(t.store, 'root', { role: 'admin' });
  admin = await t.login('root', FIXTURE_PASSWORD);
  const ent = async (name: string) =>
    (await t.api('POST', '/api/v1/enterprises', { name }, { token: admin })).body.id as string;
  [E1, E2, E3] = [await ent('甲建设'), await ent('乙建设'), await ent('丙建设 (no projects)')];
  F = {
    P1: await makeProjectFixture(t, admin, E1, REGION.P1!, '甲-市南'),
    P2: await makeProjectFixture(t, admin, E2, REGION.P2!, '乙-崂山'),
    P3: await makeProjectFixture(t, admin, E2, REGION.P3!, '乙-东城'),
    P4: await makeProjectFixture(t, admin, E1, REGION.P4!, '甲-朝阳'),
  };
  for (const role of ROLES) {
    const token =
      role.name === 'admin'
        ? admin
        : (await makeUser(t.store, `u.${role.name}`, role.grant()), await t.login(`u.${role.name}`, FIXTURE_PASSWORD));
    const sees = new Set(role.sees.map((p) => F[p].projectId));
    for (const scope of SCOPES()) {
      const socket = t.live({ protocolVersion: 1, token });
      const got: LiveServerMessage[] = [];
      socket.on('msg', (m) => got.push(m));
      await new Promise<void>((r, j) => {
        socket.once('connect', () => r());
        socket.once('connect_error', j);
      });
      const ack = (await socket.emitWithAck('msg', {
        type: 'subscribe',
        scope,
        ...(scope.kind === 'project' ? {} : { kpis: true }),
      })) as Watch['ack'];
      const allowed = scope.kind === 'project' ? sees.has(scope.projectId) : role.tiers().includes(roomOf(scope));
      const want = new Set(
        projectsOf(scope)
          .map((p) => F[p].projectId)
          .filter((id) => sees.has(id)),
      );
      watches.push({ role, scope, socket, ack, got, want, allowed });
    }
  }
  // Every kind of push, for every project.
  const today = new Date().toISOString().slice(0, 10);
  for (const [i, f] of Object.values(F).entries()) {
    const api = (m: string, p: string, b?: unknown) => t.api(m, p, b, { token: admin });
    expect((await api('PATCH', `/api/v1/devices/${f.deviceId}`, { name: `renamed ${i}` })).status).toBe(200);
    expect((await api('POST', `/api/v1/projects/${f.projectId}/devices`, crane(`新塔吊 ${i}`))).status).toBe(201);
    expect(
      (
        await t.api(
          'POST',
          '/api/v1/ingest',
          [{ deviceId: f.deviceId, seq: 50, time: Date.now(), values: { loadT: 3, ratedLoadT: 8, momentPct: 30 } }],
          { token: f.apiKey },
        )
      ).status,
    ).toBe(200);
    expect((await api('POST', `/api/v1/alarms/${f.alarmId}/ack`, { by: 'matrix' })).status).toBe(200);
    expect(
      (
        await api('POST', `/api/v1/models/${f.modelId}/progress`, {
          globalIds: [f.globalId],
          status: 'started',
          date: today,
        })
      ).status,
    ).toBe(200);
    expect((await api('DELETE', `/api/v1/models/${f.modelId}`)).status).toBe(204);
  }
  // Wait until every allowed watch has every push of every project it should see (or give up: the tests say which
  // is missing), then a little longer for any push that should not come at all.
  const complete = (w: Watch) =>
    !w.allowed ||
    PUSHED.every(
      (type) => uniq(w.got.filter((m) => m.type === type).flatMap(projectsIn)).join() === uniq([...w.want]).join(),
    );
  const deadline = Date.now() + 10_000;
  while (!watches.every(complete) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1200)); // two KPI periods and many telemetry ticks
}, 180_000);
afterAll(() => t?.close());

describe('/live access matrix: every scope kind x every role', () => {
  for (const role of ROLES) {
    it(`${role.name}: subscribe answers, snapshots and pushes carry only readable projects`, () => {
      for (const w of watches.filter((x) => x.role === role)) {
        const label = `${role.name} on ${roomOf(w.scope)}`;
        if (!w.allowed) {
          expect(w.ack, label).toMatchObject({ ok: false, error: { code: 'forbidden' } });
          expect(
            w.got.map((m) => m.type),
            label,
          ).toEqual([]);
          continue;
        }
        expect(w.ack, label).toEqual({ ok: true });
        const want = uniq([...w.want]);
        const snap = w.got.find((m) => m.type === 'snapshot');
        expect(snap, label).toBeDefined();
        if (snap?.type === 'snapshot') {
          expect([label, 'snapshot devices', uniq(snap.devices.map((d) => d.projectId))]).toEqual([
            label,
            'snapshot devices',
            want,
          ]);
          expect([label, 'snapshot latest', uniq(snap.latest.map((r) => r.projectId))]).toEqual([
            label,
            'snapshot latest',
            want,
          ]);
        }
        for (const type of PUSHED) {
          expect([label, type, uniq(w.got.filter((m) => m.type === type).flatMap(projectsIn))]).toEqual([
            label,
            type,
            want,
          ]);
        }
        // Nothing at all about another project, whatever its type.
        expect([label, 'any', uniq(w.got.flatMap(projectsIn))]).toEqual([label, 'any', want]);
        const kpis = w.got.filter((m) => m.type === 'kpis');
        if (w.scope.kind === 'project') continue;
        expect(kpis.length, `${label}: kpis pushed`).toBeGreaterThan(1); // on subscribe, then periodically
        for (const k of kpis) {
          if (k.type !== 'kpis') continue;
          expect(k.scope, label).toEqual(w.scope);
          expect([label, 'kpi projects', k.kpis.projects.total]).toEqual([label, 'kpi projects', w.want.size]);
        }
      }
    });
  }
});
