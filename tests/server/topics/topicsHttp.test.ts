import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROTOCOL_VERSION,
  type LiveClientToServer,
  type LiveServerMessage,
  type LiveServerToClient,
} from '../../../models/protocol.js';
import { FIXTURE_PASSWORD, makeProjectFixture, makeUser, type ProjectFixture } from '../../helpers/auth.js';
import { jpegWithExif } from '../../helpers/exifJpeg.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { createLogger } from '../../../server/log.js';
import { NoticeOverdueWatcher } from '../../../server/topics/NoticeOverdueWatcher.js';

// Acceptance 3 of issue 16 over real HTTP and /live (AUTH=on): an inspector raises a safety notice on a crane, the
// project replies with a photo, the inspector closes it; scope as everywhere else; BCF export / import.
let t: TestServer;
let admin: string;
let A: ProjectFixture;
let B: ProjectFixture;
const tok: Record<string, string> = {};

const raw = async (
  method: string,
  path: string,
  body: Uint8Array,
  token: string,
  type = 'application/octet-stream',
) => {
  const res = await fetch(t.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body: body as unknown as BodyInit,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

beforeAll(async () => {
  t = await startTestServer({ env: { AUTH: 'on' } });
  await makeUser(t.store, 'root', { role: 'admin' });
  admin = await t.login('root', FIXTURE_PASSWORD);
  const e = await t.api('POST', '/api/v1/enterprises', { name: '青岛建工' }, { token: admin });
  A = await makeProjectFixture(t, admin, e.body.id, '370202', '市南工地');
  B = await makeProjectFixture(t, admin, e.body.id, '370102', '历下工地');
  const users: Array<[string, Parameters<typeof makeUser>[2]]> = [
    ['inspector', { role: 'authority', regionPrefix: '3702' }],
    ['jinan', { role: 'authority', regionPrefix: '3701' }],
    ['team', { role: 'project', projectIds: [A.projectId] }],
    ['builder', { role: 'enterprise', enterpriseId: e.body.id }],
    ['look', { role: 'viewer', scope: { kind: 'all' } }],
  ];
  for (const [name, grant] of users) {
    await makeUser(t.store, name, grant);
    tok[name] = await t.login(name, FIXTURE_PASSWORD);
  }
}, 120_000);
afterAll(() => t?.close());

describe('topics over REST and /live', () => {
  let id: string;

  it('an inspector raises a safety notice on the crane; scope and roles decide who sees and acts', async () => {
    // the enterprise watches project A live; the Jinan inspector watches its own region
    const watch = (token: string, scope: object) => {
      const s: Socket<LiveServerToClient, LiveClientToServer> = ioClient(`${t.url}/live`, {
        auth: { protocolVersion: PROTOCOL_VERSION, token },
        transports: ['websocket'],
        forceNew: true,
      });
      const got: LiveServerMessage[] = [];
      s.on('msg', (m) => got.push(m));
      return {
        s,
        got,
        ready: new Promise<void>((r, j) => (s.once('connect', () => r()), s.once('connect_error', j))).then(() =>
          s.timeout(5000).emitWithAck('msg', { type: 'subscribe', scope } as never),
        ),
      };
    };
    const ent = watch(tok.builder!, { kind: 'project', projectId: A.projectId });
    const jn = watch(tok.jinan!, { kind: 'region', regionPrefix: '3701' });
    await Promise.all([ent.ready, jn.ready]);

    const body = {
      title: '1号塔吊标准节螺栓缺失',
      topicType: 'safety',
      priority: 'critical',
      anchors: [
        { kind: 'device', deviceId: A.deviceId },
        { kind: 'elements', globalIds: [A.globalId] },
      ],
      viewpoints: [
        {
          guid: 'c0ffee00-1111-4222-8333-444455556666',
          camera: {
            kind: 'perspective',
            position: [10, -20, 30],
            direction: [0, 0.6, -0.8],
            up: [0, 0.8, 0.6],
            fov: 60,
          },
          selection: [A.globalId],
        },
      ],
      notice: { legalBasis: '《建设工程安全生产管理条例》第六十五条', deadline: Date.now() + 3 * 86_400_000 },
    };
    expect((await t.api('POST', `/api/v1/projects/${A.projectId}/topics`, body, { token: tok.team })).status).toBe(403);
    expect((await t.api('POST', `/api/v1/projects/${A.projectId}/topics`, body, { token: tok.jinan })).status).toBe(
      404,
    );
    expect(
      (
        await t.api(
          'POST',
          `/api/v1/projects/${A.projectId}/topics`,
          { ...body, topicType: 'fire' },
          { token: tok.inspector },
        )
      ).status,
    ).toBe(400);
    const res = await t.api('POST', `/api/v1/projects/${A.projectId}/topics`, body, { token: tok.inspector });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    id = res.body.id;
    expect(res.headers.get('location')).toBe(`/api/v1/topics/${id}`);
    expect(res.body).toMatchObject({
      topicType: 'safety',
      topicStatus: 'open',
      components: [A.globalId],
      comments: [],
      notice: { state: 'issued' },
    });
    expect(res.body.notice.noticeNumber).toMatch(/^ZG-370202-\d{4}-00001$/);

    expect((await t.api('GET', `/api/v1/topics/${id}`, undefined, { token: tok.jinan })).status).toBe(404);
    expect((await t.api('GET', `/api/v1/projects/${A.projectId}/topics`, undefined, { token: tok.jinan })).status).toBe(
      404,
    );
    expect((await t.api('GET', `/api/v1/topics/${id}`)).status).toBe(401);
    expect((await t.api('GET', `/api/v1/topics/not-a-uuid`, undefined, { token: tok.look })).status).toBe(404);
    const list = await t.api('GET', `/api/v1/projects/${A.projectId}/topics?notice=true&open=true`, undefined, {
      token: tok.look,
    });
    expect(list.body.map((x: { id: string }) => x.id)).toEqual([id]);
    expect((await t.api('PATCH', `/api/v1/topics/${id}`, { priority: 'low' }, { token: tok.look })).status).toBe(403);

    await expect.poll(() => ent.got.filter((m) => m.type === 'topic.created').length).toBe(1);
    // a token round trip later the out-of-region watcher has still seen nothing of it
    await t.api('POST', `/api/v1/topics/${id}/comments`, { comment: '请立即停止使用并整改' }, { token: tok.inspector });
    await expect.poll(() => ent.got.filter((m) => m.type === 'topic.updated').length).toBe(1);
    expect(jn.got.filter((m) => m.type.startsWith('topic.'))).toEqual([]);
    ent.s.close();
    jn.s.close();
  });

  it('the project replies with a phone photo (EXIF read), the inspector closes it', async () => {
    const photo = jpegWithExif({ dateTimeOriginal: '2026:12:06 16:05:00', lat: 36.1002, lon: 120.4702, altM: 8 });
    expect(
      (
        await raw(
          'POST',
          `/api/v1/topics/${id}/attachments`,
          new TextEncoder().encode('<svg/>'),
          tok.team!,
          'image/jpeg',
        )
      ).status,
    ).toBe(422);
    expect(
      (
        await raw(
          'POST',
          `/api/v1/topics/${id}/attachments`,
          new Uint8Array(10 * 1024 * 1024 + 1).fill(0xff),
          tok.team!,
          'image/jpeg',
        )
      ).status,
    ).toBe(413);
    expect((await raw('POST', `/api/v1/topics/${id}/attachments`, photo, tok.look!)).status).toBe(403);
    const up = await raw(
      'POST',
      `/api/v1/topics/${id}/attachments?name=${encodeURIComponent('整改后.jpg')}`,
      photo,
      tok.team!,
      'image/png',
    );
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body).toMatchObject({
      fileName: '整改后.jpg',
      mime: 'image/jpeg',
      size: photo.length,
      takenAt: '2026-12-06T16:05:00',
    });
    expect(up.body.location.lat).toBeCloseTo(36.1002, 5);
    const bytes = await fetch(`${t.url}/api/v1/topics/${id}/attachments/${up.body.id}`, {
      headers: { authorization: `Bearer ${tok.inspector}` },
    });
    expect([bytes.status, bytes.headers.get('content-type'), new Uint8Array(await bytes.arrayBuffer())]).toEqual([
      200,
      'image/jpeg',
      photo,
    ]);

    expect(
      (await t.api('POST', `/api/v1/topics/${id}/notice/reply`, { text: 'x' }, { token: tok.inspector })).status,
    ).toBe(403);
    const rep = await t.api(
      'POST',
      `/api/v1/topics/${id}/notice/reply`,
      { text: '已补齐螺栓并复紧', attachmentIds: [up.body.id] },
      { token: tok.team },
    );
    expect(rep.status, JSON.stringify(rep.body)).toBe(200);
    expect([rep.body.topicStatus, rep.body.notice.state]).toEqual(['resolved', 'replied']);
    expect(
      (await t.api('POST', `/api/v1/topics/${id}/notice/check`, { outcome: 'close' }, { token: tok.builder })).status,
    ).toBe(403);
    const done = await t.api(
      'POST',
      `/api/v1/topics/${id}/notice/check`,
      { outcome: 'close', comment: '复查合格，同意销项' },
      { token: tok.inspector },
    );
    expect([done.body.topicStatus, done.body.notice.state]).toEqual(['closed', 'closed']);
    expect(
      (await t.api('POST', `/api/v1/topics/${id}/notice/check`, { outcome: 'close' }, { token: tok.inspector })).status,
    ).toBe(409);
    const audit = (await t.store.audit.list({ limit: 500 }))
      .filter((a) => a.target === id)
      .sort((a, b) => a.id - b.id)
      .map((a) => a.action);
    expect(audit).toEqual(['notice.raise', 'topic.comment', 'topic.attach', 'notice.reply', 'notice.close']);
  });

  it('exports the project as BCF 3.0 and imports it back; a guid of another project is a conflict', async () => {
    const res = await fetch(`${t.url}/api/v1/projects/${A.projectId}/topics.bcfzip`, {
      headers: { authorization: `Bearer ${tok.look}` },
    });
    expect(res.status).toBe(200);
    const zip = new Uint8Array(await res.arrayBuffer());
    expect((await raw('POST', `/api/v1/projects/${A.projectId}/topics.bcfzip`, zip, tok.look!)).status).toBe(403);
    expect((await raw('POST', `/api/v1/projects/${A.projectId}/topics.bcfzip`, zip, tok.jinan!)).status).toBe(404);
    expect(
      (await raw('POST', `/api/v1/projects/${A.projectId}/topics.bcfzip`, new Uint8Array([1, 2, 3]), tok.team!)).status,
    ).toBe(422);
    const back = await raw('POST', `/api/v1/projects/${A.projectId}/topics.bcfzip`, zip, tok.team!);
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body).toMatchObject({ version: '3.0', created: 0, replaced: 1, topics: [id], warnings: [] });
    const after = await t.api('GET', `/api/v1/topics/${id}`, undefined, { token: tok.team });
    // the BCF carries topic, comments, viewpoints; the notice workflow stays as it was
    expect(after.body).toMatchObject({
      title: '1号塔吊标准节螺栓缺失',
      components: [A.globalId],
      notice: { state: 'closed' },
    });
    expect(after.body.comments.map((c: { comment: string }) => c.comment)).toEqual(['请立即停止使用并整改']);
    expect(after.body.anchors).toEqual([
      { kind: 'device', deviceId: A.deviceId },
      { kind: 'elements', globalIds: [A.globalId] },
    ]);
    expect((await raw('POST', `/api/v1/projects/${B.projectId}/topics.bcfzip`, zip, admin)).status).toBe(409);
  });

  it('an overdue notice on a device raises an alarm once, cleared when the project replies', async () => {
    const deadline = Date.now() + 3_600_000;
    const n = await t.api(
      'POST',
      `/api/v1/projects/${A.projectId}/topics`,
      {
        title: '塔吊司机无证上岗',
        topicType: 'safety',
        anchors: [{ kind: 'device', deviceId: A.deviceId }],
        notice: { legalBasis: '特种作业人员持证上岗', deadline },
      },
      { token: tok.inspector },
    );
    expect(n.status).toBe(201);
    const pushed: LiveServerMessage[] = [];
    const w = new NoticeOverdueWatcher(t.store, { toProject: (_p, m) => pushed.push(m) }, createLogger('silent'));
    expect(await w.scan(deadline - 1)).toEqual({ raised: 0, cleared: 0 });
    expect(await w.scan(deadline + 2 * 3_600_000)).toEqual({ raised: 1, cleared: 0 });
    expect(await w.scan(deadline + 3 * 3_600_000)).toEqual({ raised: 0, cleared: 0 });
    const alarm = (await t.store.alarms.open()).find((a) => a.rule === `notice.overdue:${n.body.id}`)!;
    expect(alarm).toMatchObject({ projectId: A.projectId, deviceId: A.deviceId, level: 'alarm', value: 2 });
    expect(pushed.map((m) => m.type)).toEqual(['alarm.raised', 'topic.updated']);
    const counts = (await t.store.topics.countsByProject(deadline + 1)).find((c) => c.projectId === A.projectId)!;
    expect(counts.overdueNotices).toBe(1);
    await t.api('POST', `/api/v1/topics/${n.body.id}/notice/reply`, { text: '已更换持证司机' }, { token: tok.builder });
    expect(await w.scan(deadline + 4 * 3_600_000)).toEqual({ raised: 0, cleared: 1 });
    expect((await t.store.alarms.open()).some((a) => a.rule === `notice.overdue:${n.body.id}`)).toBe(false);
  });
});
