import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import type { ElementInput, ElementWriteMode } from '../../../server/store/ElementRepo.js';
import { openTestStore, storeKinds, type TestStore } from '../../helpers/store.js';

// Both write paths of the element index (COPY + staging table, multi-row INSERT) on both drivers must store the same
// thing, keep the first row of a GlobalId seen twice, and return how many rows were new.
const cases = storeKinds().flatMap((kind) => (['copy', 'insert'] as ElementWriteMode[]).map((mode) => [kind, mode] as const));

describe.each(cases)('element index write (%s store, %s path)', (kind, mode) => {
  let ts: TestStore;
  let projectId: string;

  beforeAll(async () => {
    ts = await openTestStore(kind);
    ts.store.elements.writeMode = mode;
    const e = await ts.store.enterprises.create({ name: 'E', role: 'contractor' });
    const loc = { lon: 120.4, lat: 36.1 };
    const p = await ts.store.projects.create({ name: 'P', enterpriseId: e.id, address: '', regionCode: '370202', status: 'under_construction', heightM: 30, location: { ...loc, height: 0 }, footprint: rectangleAround(loc, 50, 50) });
    projectId = p.id;
  });
  afterAll(() => ts?.cleanup());

  const newModel = async () => {
    const id = randomUUID();
    await ts.store.models.create({ id, projectId, fileName: 'm.ifc', fileBytes: 1, sourceKind: 'ifc' });
    return id;
  };
  const el = (globalId: string, over: Partial<ElementInput> = {}): ElementInput => ({
    globalId, expressId: 1, ifcClass: 'IFCWALL', name: `wall ${globalId}`, predefinedType: null, storeyId: 's1', storeyName: 'Level 1',
    psets: { Pset_WallCommon: { IsExternal: true } }, bbox: { min: [0, 0, 0], max: [1, 2, 3] }, hasGeometry: true, ...over,
  });

  it('stores text COPY and JSON escape (backslash, tab, newline, \\N, quotes, CJK), null fields, no box, and box corners unchanged', async () => {
    const m = await newModel();
    const tricky = el('g\\1', {
      expressId: 42, ifcClass: 'IFCDOOR', name: 'Door\t"A"\nline 2 \\N C:\\x', predefinedType: 'GATE', storeyName: '楼层 3\r',
      psets: { 'Pset\\X': { note: 'tab\there\nnl \\N', n: -0.001, big: 1e21, list: [1, null, 'x'] } }, bbox: { min: [-1.5, 2.25, -0.125], max: [1e-7, 3.5, 1234567.875] },
    });
    const bare = el('g2', { name: null, storeyId: null, storeyName: null, psets: {}, bbox: null, hasGeometry: false });
    expect(await ts.store.elements.insertBatch(m, [tricky, bare])).toBe(2);
    const got = await ts.store.elements.get(m, 'g\\1');
    expect(got).toEqual({ ...tricky, expressId: 42 });
    expect(await ts.store.elements.get(m, 'g2')).toEqual(bare);
  });

  it('keeps the first row of a GlobalId seen twice, within a batch and across batches, and counts only new rows', async () => {
    const m = await newModel();
    expect(await ts.store.elements.insertBatch(m, [el('a', { name: 'first' }), el('b'), el('a', { name: 'second' })])).toBe(2);
    expect(await ts.store.elements.insertBatch(m, [el('a', { name: 'third' }), el('c')])).toBe(1);
    expect(await ts.store.elements.insertBatch(m, [el('b'), el('c')])).toBe(0);
    expect((await ts.store.elements.get(m, 'a'))!.name).toBe('first');
    expect(await ts.store.elements.count(m)).toBe(3);
    // Another model may hold the same GlobalIds.
    const other = await newModel();
    expect(await ts.store.elements.insertBatch(other, [el('a', { name: 'other' })])).toBe(1);
    expect((await ts.store.elements.get(other, 'a'))!.name).toBe('other');
    expect((await ts.store.elements.list(m, { class: 'IFCWALL', limit: 10, offset: 0 } as never)).total).toBe(3);
  });

  it('writes batches in parallel on the same store without mixing them up, and a bad row fails its batch only', async () => {
    const [m1, m2] = [await newModel(), await newModel()];
    const batch = (p: string) => Array.from({ length: 300 }, (_, i) => el(`${p}${i}`, { expressId: i }));
    const n = await Promise.all([ts.store.elements.insertBatch(m1, batch('x')), ts.store.elements.insertBatch(m2, batch('y')), ts.store.elements.insertBatch(m1, batch('z'))]);
    expect(n).toEqual([300, 300, 300]);
    expect(await ts.store.elements.count(m1)).toBe(600);
    expect(await ts.store.elements.count(m2)).toBe(300);
    // A model id that does not exist breaks the foreign key: nothing of that batch stays, the next batch goes in.
    await expect(ts.store.elements.insertBatch(randomUUID(), [el('q')])).rejects.toThrow();
    expect(await ts.store.elements.insertBatch(m2, [el('y0'), el('q')])).toBe(1);
  });
});

describe.each(storeKinds())('element write path warm-up (%s store)', (kind) => {
  let ts: TestStore;
  beforeAll(async () => {
    ts = await openTestStore(kind);
  });
  afterAll(() => ts?.cleanup());

  it('stores nothing, leaves no table behind, and the next real write works', async () => {
    const e = await ts.store.enterprises.create({ name: 'W', role: 'contractor' });
    const loc = { lon: 120.4, lat: 36.1 };
    const p = await ts.store.projects.create({ name: 'W', enterpriseId: e.id, address: '', regionCode: '370202', status: 'under_construction', heightM: 30, location: { ...loc, height: 0 }, footprint: rectangleAround(loc, 50, 50) });
    const m = randomUUID();
    await ts.store.models.create({ id: m, projectId: p.id, fileName: 'm.ifc', fileBytes: 1, sourceKind: 'ifc' });
    const row: ElementInput = { globalId: 'real', expressId: 7, ifcClass: 'IFCSLAB', name: 'slab', predefinedType: null, storeyId: null, storeyName: null, psets: {}, bbox: { min: [0, 0, 0], max: [1, 1, 1] }, hasGeometry: true };
    expect(await ts.store.elements.insertBatch(m, [row])).toBe(1);
    const all = async () => Number((await ts.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM elements')).rows[0]!.n);
    const before = await all();
    // More than one chunk of synthetic rows, so every chunk's transaction is rolled back, not only the first.
    const ms = await ts.store.elements.warmUp(600);
    expect(ms).toBeGreaterThan(0);
    expect(await all()).toBe(before);
    const left = await ts.store.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'elements_warm_up'");
    expect(Number(left.rows[0]!.n)).toBe(0);
    expect(await ts.store.elements.insertBatch(m, [{ ...row, globalId: 'after' }, row])).toBe(1);
    expect(await ts.store.elements.count(m)).toBe(2);
    expect((await ts.store.elements.get(m, 'real'))!.bbox).toEqual(row.bbox);
  });
});
