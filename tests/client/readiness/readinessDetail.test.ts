import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_READINESS, scoreReadiness, type ReadinessFacts } from '../../../models/Readiness.js';
import { setLocale } from '../../../client/i18n/i18n.js';
import { readinessDetail } from '../../../client/readiness/readinessDetail.js';

const facts: ReadinessFacts = {
  projectId: '00000000-0000-4000-8000-000000000001',
  devices: {
    crane: { registered: 3, passing: 2, blacklisted: 1 },
    dust: { registered: 2, passing: 2 },
    video: { registered: 4, passing: 1 },
  },
  modelsReady: 1,
  pitInModel: false,
  scheduled: true,
  progressRecordedAt: null,
};
const score = () => scoreReadiness(DEFAULT_READINESS, facts, Date.UTC(2026, 11, 6));
const detailOf = (id: string) => readinessDetail(score().items.find((i) => i.id === id)!);
afterEach(() => setLocale('zh-CN'));

describe('readinessDetail: what a readiness item found, in the page language (the server words it in English)', () => {
  it('zh-CN: counts, kind of check, blacklist and field names in Chinese, no English word', () => {
    setLocale('zh-CN');
    expect(detailOf('crane')).toBe('已登记 3 台，2 台按时上报；其中 1 台属黑名单厂商');
    expect(detailOf('video')).toBe('已登记 4 台，1 台在线');
    expect(detailOf('dust')).toMatch(/^已登记 2 台，2 台按时上传 PM2\.5 \+ PM10$/);
    expect(detailOf('bim')).toBe('已转换模型 1 个');
    expect(detailOf('progress')).toBe('已导入进度计划，尚未填报进度');
    expect(detailOf('attendance')).toBe('未登记设备');
    expect(detailOf('hoist')).toBe('本工地无此项');
    for (const i of score().items) expect(readinessDetail(i), i.id).not.toMatch(/\b[a-z]{3,}\b/);
  });

  it('en: the same facts in English, as the server words them', () => {
    setLocale('en');
    for (const i of score().items.filter((x) => x.status !== 'not_applicable'))
      expect(readinessDetail(i), i.id).toBe(
        i.detail.replace('uploading pm25Ugm3 + pm10Ugm3', 'uploading PM2.5 + PM10').replace('noiseDb', 'Noise'),
      );
  });

  it("an answer without facts (an older server) shows the server's text", () => {
    setLocale('zh-CN');
    expect(readinessDetail({ detail: '2 of 3 registered reporting' })).toBe('2 of 3 registered reporting');
  });
});
