import type { Tool } from '../core/Tool.js';
import { projectIdFromSearch, searchWithProject } from './deepLinkUrl.js';
import type { SelectionChange, SelectionState } from './SelectionState.js';

/**
 * Keeps `?project=<id>` in the address bar in step with the selection: a user selection pushes a history entry (so
 * Back returns to the previous selection), Back/Forward select what the URL names.
 */
export class DeepLink implements Tool {
  enabled = true;
  private readonly offSelection: () => void;
  private readonly onPop = () => {
    if (!this.enabled) return;
    this.selection.select(projectIdFromSearch(window.location.search), 'history');
  };

  constructor(private readonly selection: SelectionState) {
    this.offSelection = selection.onChanged.add((c) => this.follow(c));
    window.addEventListener('popstate', this.onPop);
  }

  /** The project the page was opened with, if any. */
  initialProjectId(): string | null {
    return projectIdFromSearch(window.location.search);
  }

  /** Rewrites the URL without a history entry (e.g. dropping a link to a project that no longer exists). */
  replace(id: string | null): void {
    const url = this.urlFor(id);
    if (url !== this.currentUrl()) window.history.replaceState(window.history.state, '', url);
  }

  private follow(c: SelectionChange): void {
    // History and URL changes are already in the address bar; only other sources write it.
    if (!this.enabled || c.source === 'history' || c.source === 'url') return;
    const url = this.urlFor(c.id);
    if (url === this.currentUrl()) return;
    if (c.source === 'user') window.history.pushState({ project: c.id }, '', url);
    else window.history.replaceState({ project: c.id }, '', url);
  }

  private urlFor(id: string | null): string {
    return `${window.location.pathname}${searchWithProject(window.location.search, id)}${window.location.hash}`;
  }

  private currentUrl(): string {
    return `${window.location.pathname}${window.location.search}${window.location.hash}`;
  }

  dispose(): void {
    this.offSelection();
    window.removeEventListener('popstate', this.onPop);
  }
}
