import { describe, expect, it } from 'vitest';
import { DEFAULT_READINESS, ReadinessConfig, scoreReadiness, type ReadinessFacts } from '../../models/Readiness.js';

const NOW = Date.UTC(2025, 2, 10);
const facts = (over: Partial<ReadinessFacts> = {}, devices: ReadinessFacts['devices'] = {}): ReadinessFacts => ({
  projectId: '00000000-0000-4000-8000-000000000001',
  devices,
  modelsReady: 0,
  pitInModel: false,
  scheduled: false,
  progressRecordedAt: null,
  ...over,
});
const all = { registered: 2, passing: 2 };

describe('scoreReadiness', () => {
  it('gives excellent to a site where every item is met (pit present through its model)', () => {
    const r = scoreReadiness(
      DEFAULT_READINESS,
      facts(
        { modelsReady: 1, pitInModel: true, scheduled: true, progressRecordedAt: NOW - 86_400_000 },
        { crane: all, hoist: all, dust: all, noise: all, video: all, attendance: all, pit: all },
      ),
      NOW,
    );
    expect(r).toMatchObject({ earned: 100, max: 100, score: 100, grade: 'excellent', vetoFailed: [] });
  });

  it('fails a high score on a veto item, and leaves absent optional items out of the maximum', () => {
    const r = scoreReadiness(
      DEFAULT_READINESS,
      facts(
        { modelsReady: 1, pitInModel: true, scheduled: true, progressRecordedAt: NOW },
        { crane: all, dust: all, noise: all, video: all, attendance: all, pit: { registered: 3, passing: 2 } },
      ),
      NOW,
    );
    expect(r.items.find((i) => i.id === 'hoist')!.status).toBe('not_applicable');
    expect(r.items.find((i) => i.id === 'pit')).toMatchObject({
      status: 'partial',
      earned: 0,
      detail: '2 of 3 registered reporting',
    });
    expect(r).toMatchObject({ max: 90, earned: 80, score: 89, grade: 'fail', vetoFailed: ['pit'] });
  });

  it('counts progress only when recorded within its window, and grades by the thresholds', () => {
    const cfg = ReadinessConfig.parse({
      thresholds: { pass: 50, good: 70, excellent: 95 },
      items: [
        { id: 'a', label: 'A', points: 60, check: { kind: 'model_ready' } },
        { id: 'b', label: 'B', points: 40, check: { kind: 'progress_recorded', withinDays: 7 } },
      ],
    });
    expect(
      scoreReadiness(cfg, facts({ modelsReady: 1, scheduled: true, progressRecordedAt: NOW - 8 * 86_400_000 }), NOW),
    ).toMatchObject({ score: 60, grade: 'pass' });
    expect(
      scoreReadiness(cfg, facts({ modelsReady: 1, scheduled: true, progressRecordedAt: NOW - 6 * 86_400_000 }), NOW),
    ).toMatchObject({ score: 100, grade: 'excellent' });
    expect(scoreReadiness(cfg, facts(), NOW)).toMatchObject({ score: 0, grade: 'fail' });
  });

  it('refuses a broken table', () => {
    expect(
      ReadinessConfig.safeParse({ ...DEFAULT_READINESS, thresholds: { pass: 80, good: 70, excellent: 90 } }).success,
    ).toBe(false);
    expect(
      ReadinessConfig.safeParse({
        ...DEFAULT_READINESS,
        items: [...DEFAULT_READINESS.items, DEFAULT_READINESS.items[0]],
      }).success,
    ).toBe(false);
    expect(DEFAULT_READINESS.items.reduce((s, i) => s + i.points, 0)).toBe(100);
  });
});
