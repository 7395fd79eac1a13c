import { ApiError } from '../api/ApiError.js';
import { fetchProjects } from '../api/projectsApi.js';
import type { ProjectStore } from '../state/ProjectStore.js';
import type { LiveClient } from './LiveClient.js';

export interface ProjectFeed {
  /** Loads the list now (first load, Retry button). Never throws: failures land in the store's error. */
  reload(): Promise<void>;
  /** Skipped malformed items of the last load. */
  lastRejected: number;
  dispose(): void;
}

/**
 * Feeds the project store: a full load at start and after each live reconnect (changes made while disconnected
 * were never pushed), live messages in between. Loads do not overlap: a reload while one runs waits for it.
 */
export function bindProjectFeed(store: ProjectStore, live: LiveClient | null, baseUrl = ''): ProjectFeed {
  let running: Promise<void> | null = null;
  let again = false;
  const feed: ProjectFeed = {
    lastRejected: 0,
    reload() {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          store.beginLoad();
          try {
            const r = await fetchProjects(baseUrl);
            feed.lastRejected = r.rejected.length;
            store.reset(r.projects);
          } catch (err) {
            const e = err instanceof ApiError ? err : new ApiError('internal', (err as Error).message);
            store.fail({ code: e.code, message: e.message });
          }
        } while (again);
        running = null;
      })();
      return running;
    },
    dispose() {
      offMsg?.();
      offSub?.();
    },
  };
  const offMsg = live?.onMessage.add((m) => store.apply(m));
  const offSub = live?.onSubscribed.add(({ reconnect }) => {
    // Changes between a finished load and the subscription were pushed to nobody: reload unless a load is still
    // running (its live messages are queued and replayed). After a reconnect, always reload.
    if (reconnect || store.status !== 'loading') void feed.reload();
  });
  return feed;
}
