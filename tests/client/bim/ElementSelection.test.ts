import { afterEach, describe, expect, it } from 'vitest';
import { ElementColouring, type ColouringState } from '../../../client/bim/ElementColouring.js';
import { ElementSelection, type ElementSelectionChange } from '../../../client/bim/ElementSelection.js';

const P = '11111111-1111-4111-8111-111111111111';
const M = '22222222-2222-4222-8222-222222222222';
const el = (globalId: string) => ({ projectId: P, modelId: M, globalId });
const opened: ElementSelection[] = [];
const open = (channelName: string | null) => {
  const s = new ElementSelection({ channelName });
  opened.push(s);
  return s;
};
afterEach(() => opened.splice(0).forEach((s) => s.dispose()));
const nextChange = (s: ElementSelection) =>
  new Promise<ElementSelectionChange>((r) => {
    const off = s.onChanged.add((c) => (off(), r(c)));
  });

describe('ElementSelection', () => {
  it('reaches another tab over a real BroadcastChannel, without echoing back', async () => {
    const name = `test-${Math.random()}`;
    const map = open(name);
    const workspace = open(name);
    const got = nextChange(workspace);
    const mapChanges: ElementSelectionChange[] = [];
    map.onChanged.add((c) => mapChanges.push(c));
    map.select(el('0abc'), 'map');
    expect(await got).toMatchObject({ element: el('0abc'), source: 'remote', previous: null });
    const back = nextChange(map);
    workspace.select(el('1def'), 'workspace');
    expect(await back).toMatchObject({ element: el('1def'), source: 'remote' });
    await new Promise((r) => setTimeout(r, 50));
    // map: its own select + the remote one; the remote change was not re-broadcast into a loop.
    expect(mapChanges.map((c) => c.source)).toEqual(['map', 'remote']);
    expect(workspace.element).toEqual(el('1def'));
  });
  it('gives a tab opened later the current selection', async () => {
    const name = `test-${Math.random()}`;
    const map = open(name);
    map.select(el('late'), 'map');
    const late = open(name);
    expect((await nextChange(late)).element).toEqual(el('late'));
  });
  it('ignores malformed channel messages and re-selecting the same element', async () => {
    const name = `test-${Math.random()}`;
    const a = open(name);
    const b = open(name);
    const changes: ElementSelectionChange[] = [];
    b.onChanged.add((c) => changes.push(c));
    const raw = new BroadcastChannel(name);
    raw.postMessage({ v: 1, element: { projectId: 'x', modelId: M, globalId: 'g' } });
    raw.postMessage('hello');
    a.select(el('g'), 'map');
    a.select(el('g'), 'map');
    await new Promise((r) => setTimeout(r, 80));
    raw.close();
    expect(changes.map((c) => c.element?.globalId)).toEqual(['g']);
  });
  it('rejects a bad element from a caller', () => {
    const s = open(null);
    expect(() => s.select({ projectId: 'nope', modelId: M, globalId: 'g' }, 'map')).toThrow();
    expect(s.element).toBeNull();
  });
});

describe('ElementColouring', () => {
  it('hands every target the full state; highlight and colour map live side by side', () => {
    const c = new ElementColouring();
    const seen: ColouringState[] = [];
    c.addTarget({ applyColouring: (s) => seen.push(s) });
    c.colourBy(
      { A: '#ff0000', B: 'rgba(0,255,0,0.5)' },
      { title: 'Progress', entries: [{ colour: '#ff0000', label: 'late' }] },
    );
    c.highlight(['B']);
    c.clearColours();
    expect(seen).toHaveLength(4);
    expect(seen[1]!.colours.get('B')).toEqual([0, 255, 0, 128]);
    expect(seen[2]!.highlighted.has('B')).toBe(true);
    expect(seen[2]!.legend?.title).toBe('Progress');
    expect(seen[3]!.colours.size).toBe(0);
    expect(seen[3]!.highlighted.has('B')).toBe(true);
  });
  it('leaves the state unchanged when a colour is bad', () => {
    const c = new ElementColouring();
    c.colourBy({ A: '#fff' });
    expect(() => c.colourBy({ A: '#000', B: 'blue' })).toThrow(/blue/);
    expect(() => c.colourBy({ A: '#000' }, { title: 't', entries: [{ colour: 'nope', label: 'x' }] })).toThrow(/nope/);
    expect(c.current.colours.get('A')).toEqual([255, 255, 255, 255]);
  });
});
