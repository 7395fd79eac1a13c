import type { ProgressState } from '../../models/Progress.js';

/** What the 4D panel tells tests, as `window.__siteTwinProgress`. */
export interface ProgressProbe {
  open: boolean;
  projectId: string | null;
  modelId: string | null;
  date: string | null;
  /** Bumped after each refresh settles: wait for it to change instead of sleeping. */
  seq: number;
  loading: boolean;
  /** GlobalId -> state on `date`, as fetched. */
  states: Record<string, ProgressState>;
  /** GlobalId -> CSS colour handed to the element colouring (what the model is painted with). */
  colours: Record<string, string>;
  percent: number | null;
  storeys: { storey: string | null; percent: number; planned: number; done: number }[];
  error: string | null;
}

declare global {
  interface Window {
    __siteTwinProgress: ProgressProbe;
  }
}

export function createProgressProbe(): ProgressProbe {
  const p: ProgressProbe = {
    open: false,
    projectId: null,
    modelId: null,
    date: null,
    seq: 0,
    loading: false,
    states: {},
    colours: {},
    percent: null,
    storeys: [],
    error: null,
  };
  window.__siteTwinProgress = p;
  return p;
}
