import { describe, expect, it } from 'vitest';
import type { Topic } from '../../../models/Topic.js';
import { noticeHtml } from '../../../client/topics/noticePrint.js';
import { pinStyle } from '../../../client/topics/topicStyle.js';

const topic: Topic = {
  id: '5a1f7c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  projectId: '11111111-1111-4111-8111-111111111111',
  title: '塔吊 <附着> 未按方案设置',
  description: '第一行\n第二行',
  topicType: 'safety',
  topicStatus: 'resolved',
  priority: 'critical',
  labels: [],
  anchors: [],
  components: [],
  viewpoints: [],
  comments: [],
  attachments: [],
  notice: {
    noticeNumber: 'ZG-370202-2026-00017',
    legalBasis: '《建设工程安全生产管理条例》第六十五条',
    deadline: Date.UTC(2026, 11, 9, 4),
    issuedBy: 'inspector',
    issuedAt: Date.UTC(2026, 11, 6, 2),
    state: 'replied',
    replies: [
      {
        at: Date.UTC(2026, 11, 7, 2),
        by: 'team',
        text: '已整改 & 复紧',
        attachmentIds: ['9e5b1c62-7f80-4c93-8e3f-4a5b6c7d8e9f'],
      },
    ],
    checks: [],
  },
  creationAuthor: 'inspector',
  creationDate: 0,
  modifiedDate: 0,
};

describe('printable rectification notice', () => {
  it('carries the notice number, the project, the deadline (China time) and the record, escaped', () => {
    const html = noticeHtml(topic, { name: '市南工地', address: '香港中路 1 号' });
    expect(html).toContain('data-notice-number="ZG-370202-2026-00017"');
    expect(html).toContain('<title>整改通知书 ZG-370202-2026-00017</title>');
    expect(html).toContain('市南工地（香港中路 1 号）');
    expect(html).toContain('2026/12/09');
    expect(html).toContain('塔吊 &lt;附着&gt; 未按方案设置');
    expect(html).toContain('第一行<br>第二行');
    expect(html).toContain('已整改 &amp; 复紧，附照片 1 张');
    expect(html).toContain('@media print');
    expect(html).not.toContain('<附着>');
  });

  it('refuses a topic that is not a notice', () => {
    const { notice: _n, ...plain } = topic;
    expect(() => noticeHtml(plain, { name: 'x' })).toThrow(/not a rectification notice/);
  });
});

describe('topic pins', () => {
  it('colour by type, fade once resolved, none when closed, ring when overdue', () => {
    expect(pinStyle({ topicType: 'safety', topicStatus: 'open' })).toEqual({
      fill: '#d93025',
      outline: '#ffffff',
      alpha: 1,
    });
    expect(pinStyle({ topicType: 'quality', topicStatus: 'resolved' })!.alpha).toBeLessThan(1);
    expect(pinStyle({ topicType: 'dust', topicStatus: 'closed' })).toBeNull();
    expect(pinStyle({ topicType: 'safety', topicStatus: 'open', overdue: true })!.outline).toBe('#000000');
    expect(pinStyle({ topicType: 'design', topicStatus: 'reopened' })!.outline).toBe('#ff6d00');
  });
});
