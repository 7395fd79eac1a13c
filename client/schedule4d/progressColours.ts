import type { ProgressState } from '../../models/Progress.js';
import { t } from '../i18n/i18n.js';

/**
 * How each 4D state looks, everywhere (model, legend, storey bars), so the colours cannot drift apart. Labels are read
 * when drawn (getters), in the page's language.
 */
export const PROGRESS_STYLE: Record<ProgressState, { label: string; color: string }> = {
  done: {
    get label() {
      return t('progress.state.done');
    },
    color: '#3fb27f',
  },
  ahead: {
    get label() {
      return t('progress.state.ahead');
    },
    color: '#2f81f7',
  },
  on_time: {
    get label() {
      return t('progress.state.on_time');
    },
    color: '#e3c14b',
  },
  behind: {
    get label() {
      return t('progress.state.behind');
    },
    color: '#e5534b',
  },
  not_started: {
    get label() {
      return t('progress.state.not_started');
    },
    color: '#6b7890',
  },
};

export const PROGRESS_ORDER: ProgressState[] = ['done', 'ahead', 'on_time', 'behind', 'not_started'];

/** The colour map a model is painted with: GlobalId -> CSS colour, one entry per planned element. */
export function colourMapOf(states: Readonly<Record<string, ProgressState>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [gid, s] of Object.entries(states)) out.set(gid, PROGRESS_STYLE[s].color);
  return out;
}

/** Elements per state, for the legend. */
export function stateCounts(states: Readonly<Record<string, ProgressState>>): Record<ProgressState, number> {
  const c: Record<ProgressState, number> = { done: 0, ahead: 0, on_time: 0, behind: 0, not_started: 0 };
  for (const s of Object.values(states)) c[s]++;
  return c;
}

const DAY_MS = 86_400_000;

/** Day number (days since 1970-01-01, UTC) of an ISO day, for the slider. */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

/** ISO day of a day number. */
export function dayOfNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The slider's range: from a week before the earliest planned start to a week after the latest planned finish (and
 * always including today), so the whole schedule and its edges can be scrubbed.
 */
export function sliderRange(
  tasks: readonly { plannedStart: string; plannedFinish: string }[],
  today: string,
): { min: string; max: string } {
  let min = today;
  let max = today;
  for (const t of tasks) {
    if (t.plannedStart < min) min = t.plannedStart;
    if (t.plannedFinish > max) max = t.plannedFinish;
  }
  return { min: dayOfNumber(dayNumber(min) - 7), max: dayOfNumber(dayNumber(max) + 7) };
}
