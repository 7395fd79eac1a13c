import type { Project } from '../../models/Project.js';
import type { LiveServerMessage } from '../../models/protocol.js';
import { Event } from '../core/Event.js';

/** The live messages that change the project list; the store ignores every other kind. */
export type ProjectMessage = Extract<
  LiveServerMessage,
  { type: 'project.created' | 'project.updated' | 'project.deleted' }
>;

/** True for the messages a ProjectStore applies. */
export function isProjectMessage(m: LiveServerMessage): m is ProjectMessage {
  return m.type === 'project.created' || m.type === 'project.updated' || m.type === 'project.deleted';
}

export type LoadStatus = 'idle' | 'loading' | 'loaded' | 'error';

/** What changed: a full reload, or some projects added/updated/removed. */
export type ProjectStoreChange = { kind: 'reset' } | { kind: 'upsert'; id: string } | { kind: 'delete'; id: string };

/** The error shown when the project list cannot be loaded. */
export interface StoreError {
  code: string;
  message: string;
}

/**
 * The client's one copy of the city's projects. Fed by `api.projects.list` (full loads) and by `/live`
 * messages; every view reads from here, never from the socket. Live messages that arrive while a load is in flight
 * are queued and replayed on top of the loaded list, so a change made during the load is not lost.
 */
export class ProjectStore {
  readonly onChanged = new Event<ProjectStoreChange>();
  readonly onStatus = new Event<LoadStatus>();

  private readonly byId = new Map<string, Project>();
  private pending: ProjectMessage[] = [];
  private _status: LoadStatus = 'idle';
  private _error: StoreError | null = null;
  private _sorted: Project[] | null = null;

  get status(): LoadStatus {
    return this._status;
  }
  get error(): StoreError | null {
    return this._error;
  }
  get size(): number {
    return this.byId.size;
  }

  get(id: string): Project | undefined {
    return this.byId.get(id);
  }

  /** Projects sorted by name (Chinese collation), cached until the next change. */
  list(): readonly Project[] {
    this._sorted ??= [...this.byId.values()].sort(
      (a, b) => a.name.localeCompare(b.name, 'zh-Hans-CN') || a.id.localeCompare(b.id),
    );
    return this._sorted;
  }

  /** Marks a load as started: live messages are queued from now until `reset` or `fail`. */
  beginLoad(): void {
    this.setStatus('loading');
  }

  /** Replaces the content with a loaded list, then replays what arrived live during the load. */
  reset(projects: readonly Project[]): void {
    this.byId.clear();
    for (const p of projects) this.byId.set(p.id, p);
    this._sorted = null;
    this._error = null;
    const queued = this.pending;
    this.pending = [];
    for (const m of queued) this.applyNow(m, false);
    this.setStatus('loaded');
    this.onChanged.trigger({ kind: 'reset' });
  }

  /** A failed load: keeps what was shown before (stale beats blank) and records the error. */
  fail(error: StoreError): void {
    this._error = error;
    const queued = this.pending;
    this.pending = [];
    this.setStatus('error');
    for (const m of queued) this.applyNow(m, true);
  }

  /** Applies one live message (queued while a load is in flight); messages about other things are ignored. */
  apply(m: LiveServerMessage): void {
    if (!isProjectMessage(m)) return;
    if (this._status === 'loading') {
      this.pending.push(m);
      return;
    }
    this.applyNow(m, true);
  }

  private applyNow(m: ProjectMessage, notify: boolean): void {
    let change: ProjectStoreChange | null = null;
    if (m.type === 'project.deleted') {
      if (this.byId.delete(m.projectId)) change = { kind: 'delete', id: m.projectId };
    } else {
      const old = this.byId.get(m.project.id);
      // A late message must not roll a project back to an older state than a fresher load gave us.
      if (!old || m.project.updatedAt >= old.updatedAt) {
        this.byId.set(m.project.id, m.project);
        change = { kind: 'upsert', id: m.project.id };
      }
    }
    if (!change) return;
    this._sorted = null;
    if (notify) this.onChanged.trigger(change);
  }

  private setStatus(s: LoadStatus): void {
    this._status = s;
    this.onStatus.trigger(s);
  }
}
