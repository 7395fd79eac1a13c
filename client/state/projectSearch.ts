import type { Project } from '../../models/Project.js';

/** Folds width and case so "ＡＢＣ" finds "abc" and a full-width space separates terms (common in CJK input). */
function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

/** The text a project is found by: name, address, enterprise and region code. */
export function searchText(p: Project): string {
  return fold([p.name, p.address, p.enterpriseName ?? '', p.regionCode].join('\n'));
}

/**
 * Projects matching every whitespace-separated term of the query (AND), in the order given. An empty query keeps
 * all. Terms match anywhere, since Chinese names have no word boundaries.
 */
export function filterProjects(projects: readonly Project[], query: string): Project[] {
  const terms = fold(query).split(/\s+/).filter(Boolean);
  if (terms.length === 0) return [...projects];
  return projects.filter((p) => {
    const text = searchText(p);
    return terms.every((t) => text.includes(t));
  });
}
