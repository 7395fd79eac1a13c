import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import type { LiveServerMessage } from '../../../models/protocol.js';
import { TopicCreate, type TopicCreateInput } from '../../../models/Topic.js';
import type { UserGrant } from '../../../models/User.js';
import { AppError } from '../../../server/errors.js';
import { TopicService, type TopicActor } from '../../../server/topics/TopicService.js';
import { openTestStore, storeKinds, type TestStore } from '../../helpers/store.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 6, 8, 0, 0);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

// Acceptance 1 of issue 16: the lifecycle and the rectification workflow per role, on both stores.
describe.each(storeKinds())('topics and rectification notices (%s)', (kind) => {
  let t: TestStore;
  let svc: TopicService;
  let now = T0;
  const events: LiveServerMessage[] = [];
  let P1: string;
  let P2: string;
  let E1: string;
  const actors: Record<string, TopicActor> = {};
  const as = (id: string, grant: UserGrant): TopicActor => ({ id, grant });

  beforeAll(async () => {
    t = await openTestStore(kind);
    E1 = (await t.store.enterprises.create({ name: `Builder-${kind}`, role: 'contractor' })).id;
    const mk = async (name: string, regionCode: string) =>
      (
        await t.store.projects.create({
          name,
          enterpriseId: E1,
          address: name,
          regionCode,
          location: { lon: 120.4, lat: 36.1, height: 0 },
          footprint: rectangleAround({ lon: 120.4, lat: 36.1 }, 100, 100),
          status: 'under_construction',
          heightM: 30,
        })
      ).id;
    P1 = await mk('市南项目', '370202');
    P2 = await mk('历下项目', '370102');
    svc = new TopicService(
      t.store,
      async (id) => (await t.store.users.projectOwners()).find((o) => o.id === id),
      { toProject: (_p, m) => events.push(m) },
      () => now,
    );
    Object.assign(actors, {
      inspector: as('inspector-qd', { role: 'authority', regionPrefix: '3702' }),
      jinan: as('inspector-jn', { role: 'authority', regionPrefix: '3701' }),
      enterprise: as('builder', { role: 'enterprise', enterpriseId: E1 }),
      team: as('team-p1', { role: 'project', projectIds: [P1] }),
      viewer: as('viewer', { role: 'viewer', scope: { kind: 'all' } }),
      admin: as('admin', { role: 'admin' }),
    });
  });
  afterAll(() => t?.cleanup());

  const notice = (over: Partial<TopicCreateInput> = {}) =>
    TopicCreate.parse({
      title: '塔吊附着未按方案设置',
      topicType: 'safety',
      priority: 'high',
      anchors: [
        { kind: 'elements', globalIds: ['2O2Fr$t4X7Zf8NOew3FLOH'] },
        { kind: 'point', lon: 120.4001, lat: 36.1002, height: 12 },
      ],
      notice: { legalBasis: '《建设工程安全生产管理条例》第六十五条', deadline: T0 + 3 * DAY },
      ...over,
    });

  it('an inspector raises a numbered notice in its region only; projects and viewers cannot', async () => {
    const n = await svc.raise(actors.inspector!, P1, notice());
    expect(n.notice).toMatchObject({
      noticeNumber: 'ZG-370202-2026-00001',
      state: 'issued',
      issuedBy: 'inspector-qd',
      deadline: T0 + 3 * DAY,
    });
    expect(n.topicStatus).toBe('open');
    expect(n.components).toEqual(['2O2Fr$t4X7Zf8NOew3FLOH']);
    const second = await svc.raise(actors.admin!, P1, notice({ title: '第二份' }));
    expect(second.notice!.noticeNumber).toBe('ZG-370202-2026-00002');
    expect(await codeOf(svc.raise(actors.jinan!, P1, notice()))).toBe('not_found'); // out of region: as if missing
    expect(await codeOf(svc.raise(actors.enterprise!, P1, notice()))).toBe('forbidden');
    expect(await codeOf(svc.raise(actors.team!, P1, notice()))).toBe('forbidden');
    expect(await codeOf(svc.raise(actors.viewer!, P1, notice()))).toBe('forbidden');
    expect(await codeOf(svc.raise(actors.team!, P2, TopicCreate.parse({ title: 'x', topicType: 'quality' })))).toBe(
      'not_found',
    );
    expect(
      await codeOf(svc.raise(actors.inspector!, P1, notice({ notice: { legalBasis: 'x', deadline: T0 - 1 } }))),
    ).toBe('validation_failed');
    expect(events.filter((e) => e.type === 'topic.created').length).toBe(2);
  });

  it('the project replies with evidence, the inspector sends back, the enterprise replies, the inspector closes', async () => {
    const [n] = await svc.list(actors.team!, P1, { notice: 'true' });
    const id = n!.id;
    const photo = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    const { attachment } = await svc.attach(
      actors.team!,
      id,
      {
        fileName: '整改后.jpg',
        mime: 'image/jpeg',
        takenAt: '2026-12-07T10:00:00',
        location: { lon: 120.4, lat: 36.1 },
      },
      photo,
    );
    expect((await svc.attachment(actors.inspector!, id, attachment.id)).data).toEqual(photo);
    // wrong parties and wrong order
    expect(await codeOf(svc.check(actors.inspector!, id, { outcome: 'close', comment: '' }))).toBe('conflict');
    expect(await codeOf(svc.reply(actors.inspector!, id, { text: 'x', attachmentIds: [] }))).toBe('forbidden');
    expect(await codeOf(svc.reply(actors.viewer!, id, { text: 'x', attachmentIds: [] }))).toBe('forbidden');
    expect(await codeOf(svc.reply(actors.jinan!, id, { text: 'x', attachmentIds: [] }))).toBe('not_found');
    expect(
      await codeOf(svc.reply(actors.team!, id, { text: 'x', attachmentIds: ['00000000-0000-4000-8000-000000000000'] })),
    ).toBe('validation_failed');
    expect(await codeOf(svc.patch(actors.team!, id, { topicStatus: 'closed' }))).toBe('forbidden');

    now = T0 + DAY;
    const replied = await svc.reply(actors.team!, id, { text: '已按方案加设附着', attachmentIds: [attachment.id] });
    expect([replied.notice!.state, replied.topicStatus]).toEqual(['replied', 'resolved']);
    expect(await codeOf(svc.reply(actors.team!, id, { text: 'again', attachmentIds: [] }))).toBe('conflict');
    expect(await codeOf(svc.check(actors.team!, id, { outcome: 'close', comment: '' }))).toBe('forbidden');
    expect(await codeOf(svc.check(actors.enterprise!, id, { outcome: 'close', comment: '' }))).toBe('forbidden');

    const back = await svc.check(actors.inspector!, id, { outcome: 'send_back', comment: '缺少验收记录' });
    expect([back.notice!.state, back.topicStatus]).toEqual(['sent_back', 'reopened']);
    const again = await svc.reply(actors.enterprise!, id, { text: '补充验收记录', attachmentIds: [] });
    expect(again.notice!.state).toBe('replied');
    const closed = await svc.check(actors.inspector!, id, { outcome: 'close', comment: '同意销项' });
    expect([closed.notice!.state, closed.topicStatus]).toEqual(['closed', 'closed']);
    expect(closed.notice!.replies.map((r) => r.by)).toEqual(['team-p1', 'builder']);
    expect(closed.notice!.checks.map((c) => c.outcome)).toEqual(['send_back', 'close']);
    // a closed notice reopens by nobody but an admin
    expect(await codeOf(svc.patch(actors.inspector!, id, { topicStatus: 'reopened' }))).toBe('forbidden');
    expect(await codeOf(svc.patch(actors.team!, id, { topicStatus: 'reopened' }))).toBe('forbidden');

    const audit = (await t.store.audit.list({ limit: 100 }))
      .filter((a) => a.target === id)
      .sort((a, b) => a.id - b.id)
      .map((a) => `${a.action}:${a.actor}`);
    expect(audit).toEqual([
      'notice.raise:inspector-qd',
      'topic.attach:team-p1',
      'notice.reply:team-p1',
      'notice.send_back:inspector-qd',
      'notice.reply:builder',
      'notice.close:inspector-qd',
    ]);
  });

  it('an ordinary topic goes open -> in_progress -> resolved -> closed -> reopened, by the roles that may', async () => {
    const topic = await svc.raise(
      actors.team!,
      P1,
      TopicCreate.parse({ title: '二层梁板蜂窝麻面', topicType: 'quality', labels: ['混凝土'] }),
    );
    expect(await codeOf(svc.patch(actors.viewer!, topic.id, { topicStatus: 'in_progress' }))).toBe('forbidden');
    expect(
      (
        await svc.patch(actors.enterprise!, topic.id, {
          topicStatus: 'in_progress',
          assignee: { kind: 'enterprise', enterpriseId: E1 },
        })
      ).topicStatus,
    ).toBe('in_progress');
    expect((await svc.patch(actors.team!, topic.id, { topicStatus: 'resolved' })).topicStatus).toBe('resolved');
    expect((await svc.patch(actors.inspector!, topic.id, { topicStatus: 'closed' })).topicStatus).toBe('closed');
    expect(await codeOf(svc.patch(actors.team!, topic.id, { topicStatus: 'open' }))).toBe('conflict');
    const re = await svc.patch(actors.team!, topic.id, { topicStatus: 'reopened', dueDate: T0 + 10 * DAY });
    expect(re).toMatchObject({
      topicStatus: 'reopened',
      dueDate: T0 + 10 * DAY,
      assignee: { kind: 'enterprise', enterpriseId: E1 },
      labels: ['混凝土'],
      modifiedAuthor: 'team-p1',
    });
    // comments: anyone in scope but viewers
    const c = await svc.comment(actors.inspector!, topic.id, { comment: '请附检测报告' });
    expect(c.comments.map((x) => [x.author, x.comment])).toEqual([['inspector-qd', '请附检测报告']]);
    expect(await codeOf(svc.comment(actors.viewer!, topic.id, { comment: 'x' }))).toBe('forbidden');
    expect(await codeOf(svc.get(actors.jinan!, topic.id))).toBe('not_found');
    expect((await svc.get(actors.viewer!, topic.id)).comments).toHaveLength(1);
    expect((await svc.list(actors.team!, P1, { topicType: 'quality', label: '混凝土' })).map((x) => x.id)).toEqual([
      topic.id,
    ]);
  });

  it('a notice past its deadline waiting for the project is overdue, counted per project with its enterprise and region', async () => {
    now = T0 + 4 * DAY;
    const overdue = await t.store.topics.overdueNotices(now);
    // the first notice is closed; the second still waits and is past its deadline
    expect(overdue.map((o) => [o.noticeNumber, o.enterpriseId, o.regionCode])).toEqual([
      ['ZG-370202-2026-00002', E1, '370202'],
    ]);
    expect((await svc.list(actors.inspector!, P1, { overdue: 'true' })).map((x) => x.notice!.noticeNumber)).toEqual([
      'ZG-370202-2026-00002',
    ]);
    const counts = await t.store.topics.countsByProject(now);
    expect(counts).toEqual([{ projectId: P1, openTopics: 2, openNotices: 1, overdueNotices: 1 }]);
  });
});
