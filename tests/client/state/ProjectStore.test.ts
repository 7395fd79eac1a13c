import { describe, expect, it } from 'vitest';
import { ProjectStore, type ProjectStoreChange } from '../../../client/state/ProjectStore.js';
import { SelectionState, type SelectionChange } from '../../../client/state/SelectionState.js';
import { makeProject } from '../fixtures.js';

function recorded(store: ProjectStore): ProjectStoreChange[] {
  const out: ProjectStoreChange[] = [];
  store.onChanged.add((c) => out.push(c));
  return out;
}

describe('ProjectStore', () => {
  it('loads a list and keeps it sorted by name in Chinese collation', () => {
    const s = new ProjectStore();
    const changes = recorded(s);
    s.beginLoad();
    expect(s.status).toBe('loading');
    // Pinyin order: ba (八) < cheng (城) < qing (青)
    s.reset([makeProject({ name: '青岛北站' }), makeProject({ name: '八大关' }), makeProject({ name: '城阳' })]);
    expect(s.status).toBe('loaded');
    expect(s.list().map((p) => p.name)).toEqual(['八大关', '城阳', '青岛北站']);
    expect(changes).toEqual([{ kind: 'reset' }]);
  });

  it('applies live create, update and delete, and ignores stale updates and other message kinds', () => {
    const s = new ProjectStore();
    const a = makeProject({ name: 'A', updatedAt: 2000 });
    s.reset([a]);
    const changes = recorded(s);
    const b = makeProject({ name: 'B' });
    s.apply({ type: 'project.created', project: b });
    s.apply({ type: 'project.updated', project: { ...a, name: 'A (old)', updatedAt: 1000 } });
    expect(s.get(a.id)!.name).toBe('A');
    s.apply({ type: 'project.updated', project: { ...a, status: 'completed', updatedAt: 3000 } });
    expect(s.get(a.id)!.status).toBe('completed');
    s.apply({ type: 'project.deleted', projectId: b.id });
    s.apply({ type: 'project.deleted', projectId: b.id }); // twice: no second change
    s.apply({ type: 'device.deleted', deviceId: b.id, projectId: a.id } as never);
    expect(s.size).toBe(1);
    expect(changes).toEqual([
      { kind: 'upsert', id: b.id },
      { kind: 'upsert', id: a.id },
      { kind: 'delete', id: b.id },
    ]);
  });

  it('queues live messages during a load and replays them on top of the loaded list', () => {
    const s = new ProjectStore();
    const early = makeProject({ name: 'created during load', updatedAt: 5000 });
    const gone = makeProject({ name: 'deleted during load' });
    s.beginLoad();
    s.apply({ type: 'project.created', project: early });
    s.apply({ type: 'project.deleted', projectId: gone.id });
    expect(s.size).toBe(0);
    // The response was computed before those changes: it lacks `early` and still has `gone`.
    s.reset([gone, makeProject({ name: 'steady' })]);
    expect(
      s
        .list()
        .map((p) => p.name)
        .sort(),
    ).toEqual(['created during load', 'steady']);
  });

  it('keeps what it had when a reload fails, and records the error', () => {
    const s = new ProjectStore();
    s.reset([makeProject()]);
    const statuses: string[] = [];
    s.onStatus.add((x) => statuses.push(x));
    s.beginLoad();
    const late = makeProject({ name: 'late' });
    s.apply({ type: 'project.created', project: late });
    s.fail({ code: 'network_error', message: 'down' });
    expect(s.status).toBe('error');
    expect(s.error).toEqual({ code: 'network_error', message: 'down' });
    expect(s.size).toBe(2);
    expect(s.get(late.id)).toBeDefined();
    expect(statuses).toEqual(['loading', 'error']);
    s.reset([]);
    expect(s.error).toBeNull();
  });
});

describe('SelectionState', () => {
  it('reports changes with their source and ignores re-selecting the same project', () => {
    const sel = new SelectionState();
    const seen: SelectionChange[] = [];
    sel.onChanged.add((c) => seen.push(c));
    sel.select('a', 'url');
    sel.select('a', 'user');
    sel.select('b');
    sel.clear('history');
    expect(seen).toEqual([
      { id: 'a', previous: null, source: 'url' },
      { id: 'b', previous: 'a', source: 'user' },
      { id: null, previous: 'b', source: 'history' },
    ]);
    expect(sel.selectedId).toBeNull();
  });
});
