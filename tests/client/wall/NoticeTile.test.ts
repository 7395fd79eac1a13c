import { describe, expect, it } from 'vitest';
import type { NoticeCounts } from '../../../models/NoticeCounts.js';
import { noticeTileView } from '../../../client/wall/NoticeTile.js';

const E1 = '00000000-0000-4000-8000-0000000000e1';
const E2 = '00000000-0000-4000-8000-0000000000e2';
const P = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const counts: NoticeCounts = {
  at: 1,
  totals: { openNotices: 6, overdueNotices: 3 },
  projects: [
    { projectId: P(1), name: '市南一号', enterpriseId: E1, regionCode: '370202', openNotices: 3, overdueNotices: 2 },
    { projectId: P(2), name: '市北二号', enterpriseId: E1, regionCode: '370203', openNotices: 1, overdueNotices: 0 },
    { projectId: P(3), name: '市南三号', enterpriseId: E2, regionCode: '370202', openNotices: 2, overdueNotices: 1 },
  ],
  enterprises: [],
  districts: [
    { code: '370202', name: '市南区', openNotices: 5, overdueNotices: 3 },
    { code: '370203', name: '市北区', openNotices: 1, overdueNotices: 0 },
  ],
};

describe('the wall notice tile', () => {
  it("takes the wall's share: city totals with the worst districts, an enterprise's, a district's, a project's", () => {
    expect(noticeTileView(counts, 'city', null)).toEqual({
      tally: { openNotices: 6, overdueNotices: 3 },
      worst: [{ name: '市南区', overdue: 3 }],
    });
    expect(noticeTileView(counts, 'enterprise', E1)).toEqual({
      tally: { openNotices: 4, overdueNotices: 2 },
      worst: [{ name: '市南一号', overdue: 2 }],
    });
    expect(noticeTileView(counts, 'city', '370202')).toEqual({
      tally: { openNotices: 5, overdueNotices: 3 },
      worst: [
        { name: '市南一号', overdue: 2 },
        { name: '市南三号', overdue: 1 },
      ],
    });
    expect(noticeTileView(counts, 'project', P(2)).tally).toEqual({ openNotices: 1, overdueNotices: 0 });
    expect(noticeTileView(counts, 'project', P(9)).tally).toEqual({ openNotices: 0, overdueNotices: 0 });
  });
});
