import type { ReadinessGrade } from '../../models/Readiness.js';
import { t, tOr } from '../i18n/i18n.js';

/** A readiness item's label in the page's language (the server sends English labels keyed by item id). */
export const itemLabel = (id: string, label: string) => tOr(`readiness.item.${id}`, label);

/** A row of the city readiness table. */
export interface ReadinessRow {
  projectId: string;
  name: string;
  score: number;
  grade: ReadinessGrade;
  vetoFailed: string[];
  items: { id: string; status: string }[];
}

export type ReadinessSortKey = 'name' | 'score' | 'grade' | 'veto' | `item:${string}`;

const GRADE_RANK: Record<ReadinessGrade, number> = { fail: 0, pass: 1, good: 2, excellent: 3 };
const STATUS_RANK: Record<string, number> = { missing: 0, partial: 1, met: 2, not_applicable: 3 };

/** Sorts a copy of the rows by a column; ties fall back to the name so the order is stable across refreshes. */
export function sortReadiness(
  rows: readonly ReadinessRow[],
  key: ReadinessSortKey,
  dir: 'asc' | 'desc',
): ReadinessRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  const value = (r: ReadinessRow): number | string => {
    if (key === 'name') return r.name;
    if (key === 'score') return r.score;
    if (key === 'grade') return GRADE_RANK[r.grade] * 1000 + r.score;
    if (key === 'veto') return r.vetoFailed.length;
    const item = r.items.find((i) => i.id === key.slice(5));
    return item ? (STATUS_RANK[item.status] ?? -1) : -1;
  };
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const c = typeof va === 'string' ? va.localeCompare(vb as string, 'zh') : va - (vb as number);
    return sign * c || a.name.localeCompare(b.name, 'zh') || a.projectId.localeCompare(b.projectId);
  });
}

/** Grade colours, shared by the table and the project card. */
const grade = (g: ReadinessGrade, color: string) => ({
  get label() {
    return t(`grade.${g}`);
  },
  color,
});
export const GRADE_STYLE: Record<ReadinessGrade, { label: string; color: string }> = {
  excellent: grade('excellent', '#3fb27f'),
  good: grade('good', '#58a6ff'),
  pass: grade('pass', '#e3c14b'),
  fail: grade('fail', '#e5534b'),
};
