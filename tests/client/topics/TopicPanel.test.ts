import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Topic } from '../../../models/Topic.js';
import { setLocale } from '../../../client/i18n/i18n.js';
import { NO_CONTEXT } from '../../../client/topics/topicContext.js';
import { TopicPanel } from '../../../client/topics/TopicPanel.js';
import { topicItem } from '../../../client/topics/TopicItem.js';
import { CJK, ENGLISH_WORD, installFakeDom, uiTexts, type FakeElement } from '../fakeDom.js';

const topic: Topic = {
  id: '5a1f7c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  projectId: '11111111-1111-4111-8111-111111111111',
  title: 'T1',
  description: '',
  topicType: 'safety',
  topicStatus: 'in_progress',
  priority: 'high',
  labels: [],
  anchors: [],
  components: [],
  viewpoints: [],
  comments: [],
  attachments: [],
  creationAuthor: 'inspector',
  creationDate: 0,
  modifiedDate: 0,
};

beforeAll(() => installFakeDom());
afterEach(() => setLocale('zh-CN'));

function texts(): string[] {
  const p = new TopicPanel(topic.projectId, { name: 'P' });
  // The panel's own stylesheet is not text anyone reads.
  const root = p.root as unknown as FakeElement;
  root.querySelector('style')?.remove();
  const item = topicItem(
    topic,
    NO_CONTEXT,
    { name: 'P' },
    () => undefined,
    () => Promise.resolve(),
  );
  return [...uiTexts(root), ...uiTexts(item as unknown as FakeElement)].filter((s) => s !== 'T1');
}

describe('TopicPanel and its items speak the page language', () => {
  it('zh-CN: filters, the raise form and an item in Chinese', () => {
    setLocale('zh-CN');
    const got = texts();
    expect(got).toContain('全部类型');
    expect(got).toContain('只看整改通知');
    expect(got.filter((s) => ENGLISH_WORD.test(s))).toEqual([]);
  });

  it('en: filter labels, type and status names and the item in English, without Chinese', () => {
    setLocale('en');
    const got = texts();
    expect(got).toContain('All types');
    expect(got).toContain('Safety');
    expect(got.some((s) => s.includes('In progress'))).toBe(true);
    expect(got.filter((s) => CJK.test(s))).toEqual([]);
  });
});
