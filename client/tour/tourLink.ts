/**
 * A tour link: `?tour=<id>&step=<n>[&at=<projectId>]` on the city page, `&tour=<id>` on a wall. Steps are 0-based.
 * `at` names the stop by its project: a generated tour's list shifts when a project is added, so the index alone
 * lands on another stop; the index is the fallback (saved tours' stops have no project, or the project is gone).
 */
export interface TourLink {
  tourId: string;
  step: number;
  at?: string;
}

const TOUR_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The tour a query names, or null when absent or mangled (a bad step falls back to the first). */
export function parseTourLink(search: string): TourLink | null {
  const q = new URLSearchParams(search);
  const id = q.get('tour')?.trim();
  if (!id || !TOUR_ID.test(id)) return null;
  const raw = Number(q.get('step') ?? 0);
  const at = q.get('at')?.trim();
  return { tourId: id, step: Number.isInteger(raw) && raw >= 0 ? raw : 0, ...(at && TOUR_ID.test(at) ? { at } : {}) };
}

/** The query string with the tour and step set (or removed for null), keeping every other parameter. */
export function searchWithTour(search: string, link: TourLink | null): string {
  const q = new URLSearchParams(search);
  if (link) {
    q.set('tour', link.tourId);
    q.set('step', String(link.step));
    if (link.at) q.set('at', link.at);
    else q.delete('at');
  } else {
    q.delete('at');
    q.delete('tour');
    q.delete('step');
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The step after `i` in a tour of `n` steps: wraps when looping, else stays on the last (null = end reached). */
export function nextStep(i: number, n: number, loop: boolean): number | null {
  if (n === 0) return null;
  if (i + 1 < n) return i + 1;
  return loop ? 0 : null;
}

/** The step before `i`: wraps to the last when looping, else stays on the first. */
export function previousStep(i: number, n: number, loop: boolean): number {
  if (n === 0) return 0;
  if (i > 0) return i - 1;
  return loop ? n - 1 : 0;
}

/** Clamps a linked step into a tour of `n` steps (a link to step 9 of a 4-step tour opens the last). */
export function clampStep(step: number, n: number): number {
  return Math.max(0, Math.min(step, n - 1));
}

/** The step a link means in this tour: the stop of project `at` when there is one, else the index (clamped). */
export function linkedStep(viewpoints: readonly { projectId?: string }[], link: Pick<TourLink, 'step' | 'at'>): number {
  const byKey = link.at ? viewpoints.findIndex((v) => v.projectId === link.at) : -1;
  return byKey >= 0 ? byKey : clampStep(link.step, viewpoints.length);
}
