import { Event } from '../core/Event.js';

/** Who changed the selection; views react differently (e.g. only user and URL selections move the camera). */
export type SelectionSource = 'user' | 'url' | 'history' | 'store';

export interface SelectionChange {
  id: string | null;
  previous: string | null;
  source: SelectionSource;
}

/** The one place that holds which project is selected. Panels, the map and the URL all follow it. */
export class SelectionState {
  readonly onChanged = new Event<SelectionChange>();
  private _id: string | null = null;

  get selectedId(): string | null {
    return this._id;
  }

  /** Selects a project (or clears with null). Selecting the selected one again is a no-op. */
  select(id: string | null, source: SelectionSource = 'user'): void {
    if (id === this._id) return;
    const previous = this._id;
    this._id = id;
    this.onChanged.trigger({ id, previous, source });
  }

  clear(source: SelectionSource = 'user'): void {
    this.select(null, source);
  }
}
