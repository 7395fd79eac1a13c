import { describe, expect, it } from 'vitest';
import {
  applyCheck,
  applyReply,
  formatNoticeNumber,
  isOverdue,
  NoticeStateError,
  type RectificationNotice,
} from '../../models/Rectification.js';
import { canTransition, componentsOf, TopicCreate, type TopicStatus } from '../../models/Topic.js';
import { actionOfStatus, TOPIC_ACTIONS, topicAllows, type TopicAction } from '../../models/topicRules.js';
import type { UserGrant } from '../../models/User.js';

const E1 = '11111111-1111-4111-8111-111111111111';
const E2 = '22222222-2222-4222-8222-222222222222';
const P1 = '33333333-3333-4333-8333-333333333333';
const project = { id: P1, enterpriseId: E1, regionCode: '370202' };

const grants: Record<string, UserGrant> = {
  admin: { role: 'admin' },
  inspector: { role: 'authority', regionPrefix: '3702' },
  otherInspector: { role: 'authority', regionPrefix: '3701' },
  enterprise: { role: 'enterprise', enterpriseId: E1 },
  otherEnterprise: { role: 'enterprise', enterpriseId: E2 },
  team: { role: 'project', projectIds: [P1] },
  viewer: { role: 'viewer', scope: { kind: 'all' } },
};

const allowed = (g: UserGrant | undefined, notice: boolean) =>
  TOPIC_ACTIONS.filter((a) => topicAllows(g, a, project, { hasNotice: notice }));

describe('topic role rules', () => {
  it('admin (and AUTH=off) may do everything', () => {
    expect(allowed(grants.admin, true)).toEqual(TOPIC_ACTIONS);
    expect(allowed(undefined, false)).toEqual(TOPIC_ACTIONS);
  });

  it('an authority inspector of the region raises notices and re-checks them, never replies', () => {
    expect(allowed(grants.inspector, true)).toEqual([
      'read',
      'raise',
      'comment',
      'attach',
      'update',
      'raiseNotice',
      'checkNotice',
    ]);
    // an ordinary topic it may close and reopen itself
    expect(allowed(grants.inspector, false)).toEqual([
      'read',
      'raise',
      'comment',
      'attach',
      'update',
      'close',
      'reopen',
      'raiseNotice',
      'checkNotice',
    ]);
  });

  it('the project and its enterprise reply to notices but neither raise nor close them', () => {
    const onNotice: TopicAction[] = ['read', 'raise', 'comment', 'attach', 'update', 'replyNotice'];
    expect(allowed(grants.enterprise, true)).toEqual(onNotice);
    expect(allowed(grants.team, true)).toEqual(onNotice);
    expect(allowed(grants.team, false)).toEqual([
      'read',
      'raise',
      'comment',
      'attach',
      'update',
      'close',
      'reopen',
      'replyNotice',
    ]);
  });

  it('viewers read only; out of scope nothing at all', () => {
    expect(allowed(grants.viewer, true)).toEqual(['read']);
    expect(allowed(grants.viewer, false)).toEqual(['read']);
    expect(allowed({ role: 'viewer', scope: { kind: 'region', regionPrefix: '3701' } }, false)).toEqual([]);
    expect(allowed(grants.otherInspector, true)).toEqual([]);
    expect(allowed(grants.otherEnterprise, false)).toEqual([]);
    expect(allowed({ role: 'project', projectIds: [E2] }, false)).toEqual([]);
  });

  it('closing and reopening by PATCH need their own right', () => {
    expect(actionOfStatus('closed')).toBe('close');
    expect(actionOfStatus('reopened')).toBe('reopen');
    expect(actionOfStatus('in_progress')).toBe('update');
  });
});

describe('topic lifecycle', () => {
  it('follows open -> in_progress -> resolved -> closed, and reopens', () => {
    const path: TopicStatus[] = [
      'open',
      'in_progress',
      'resolved',
      'closed',
      'reopened',
      'resolved',
      'reopened',
      'closed',
    ];
    for (let i = 1; i < path.length; i++)
      expect(canTransition(path[i - 1]!, path[i]!), `${path[i - 1]} -> ${path[i]}`).toBe(true);
    expect(canTransition('closed', 'open')).toBe(false);
    expect(canTransition('closed', 'resolved')).toBe(false);
    expect(canTransition('open', 'reopened')).toBe(false);
  });

  it('lists the GlobalIds of anchors and selections once', () => {
    const t = TopicCreate.parse({
      title: '塔吊基础裂缝',
      topicType: 'safety',
      anchors: [
        { kind: 'elements', globalIds: ['2O2Fr$t4X7Zf8NOew3FLOH', '0K7w7JN_T4FuKBmoWQdF1a'] },
        { kind: 'point', lon: 120.4, lat: 36.1 },
      ],
      viewpoints: [
        {
          guid: '44444444-4444-4444-8444-444444444444',
          selection: ['0K7w7JN_T4FuKBmoWQdF1a', '1hOSvn6df7F8_7GcBWlR72'],
        },
      ],
    });
    expect(componentsOf(t.anchors, t.viewpoints)).toEqual([
      '2O2Fr$t4X7Zf8NOew3FLOH',
      '0K7w7JN_T4FuKBmoWQdF1a',
      '1hOSvn6df7F8_7GcBWlR72',
    ]);
    expect(
      TopicCreate.safeParse({
        title: 'x',
        topicType: 'quality',
        anchors: [{ kind: 'elements', globalIds: ['not-a-guid'] }],
      }).success,
    ).toBe(false);
    expect(TopicCreate.safeParse({ title: 'x', topicType: 'fire' }).success).toBe(false);
  });
});

describe('rectification workflow', () => {
  const notice: RectificationNotice = {
    noticeNumber: formatNoticeNumber('370202', 2026, 17),
    legalBasis: '《建设工程安全生产管理条例》第二十八条',
    deadline: 1_000_000,
    issuedBy: 'inspector',
    issuedAt: 0,
    state: 'issued',
    replies: [],
    checks: [],
  };

  it('numbers notices per region and year', () => {
    expect(notice.noticeNumber).toBe('ZG-370202-2026-00017');
  });

  it('reply -> send back -> reply -> close, with the topic status following', () => {
    const r1 = applyReply(notice, { at: 10, by: 'team', text: '已加固', attachmentIds: [] });
    expect([r1.notice.state, r1.topicStatus]).toEqual(['replied', 'resolved']);
    const back = applyCheck(r1.notice, { at: 20, by: 'inspector', outcome: 'send_back', comment: '照片不清晰' });
    expect([back.notice.state, back.topicStatus]).toEqual(['sent_back', 'reopened']);
    const r2 = applyReply(back.notice, { at: 30, by: 'team', text: '补充照片', attachmentIds: [] });
    const done = applyCheck(r2.notice, { at: 40, by: 'inspector', outcome: 'close', comment: '' });
    expect([done.notice.state, done.topicStatus]).toEqual(['closed', 'closed']);
    expect(done.notice.replies.map((r) => r.text)).toEqual(['已加固', '补充照片']);
    expect(done.notice.checks.map((c) => c.outcome)).toEqual(['send_back', 'close']);
  });

  it('refuses steps out of order', () => {
    expect(() => applyCheck(notice, { at: 1, by: 'i', outcome: 'close', comment: '' })).toThrow(NoticeStateError);
    const replied = applyReply(notice, { at: 1, by: 't', text: 'x', attachmentIds: [] }).notice;
    expect(() => applyReply(replied, { at: 2, by: 't', text: 'y', attachmentIds: [] })).toThrow(NoticeStateError);
    const closed = applyCheck(replied, { at: 3, by: 'i', outcome: 'close', comment: '' }).notice;
    expect(() => applyReply(closed, { at: 4, by: 't', text: 'z', attachmentIds: [] })).toThrow(NoticeStateError);
  });

  it('is overdue past its deadline while it waits for the project only', () => {
    expect(isOverdue(notice, 999_999)).toBe(false);
    expect(isOverdue(notice, 1_000_001)).toBe(true);
    expect(isOverdue({ ...notice, state: 'sent_back' }, 1_000_001)).toBe(true);
    expect(isOverdue({ ...notice, state: 'replied' }, 1_000_001)).toBe(false);
    expect(isOverdue({ ...notice, state: 'closed' }, 1_000_001)).toBe(false);
  });
});
