import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversionReport } from '../../../models/BimModel.js';
import { elementRow, openTestStore, storeKinds, storeProject, type TestStore } from '../../helpers/store.js';

// The model row's state changes return the stored model as `get` would, and a model's element rows live and die with it.
describe.each(storeKinds())('model states (%s store)', (kind) => {
  let ts: TestStore;
  let projectId = '';
  beforeAll(async () => {
    ts = await openTestStore(kind);
    const e = await ts.store.enterprises.create({ name: 'E', role: 'contractor' });
    projectId = await storeProject(ts.store, e.id);
  });
  afterAll(() => ts?.cleanup());
  const newModel = async () => {
    const id = randomUUID();
    await ts.store.models.create({ id, projectId, fileName: 'm.ifc', fileBytes: 1, sourceKind: 'ifc' });
    return id;
  };
  const result = {
    schema: 'IFC4',
    georeference: { lon: 120.4, lat: 36.07, height: 0, rotationDeg: 0, source: 'site' },
    report: { elementCount: 3, warnings: [] } as unknown as ConversionReport,
    tree: null,
  } as never;

  it("keeps a model's element rows tied to it: refused for a missing model, removed with the model or its project", async () => {
    const el = (g: string) => elementRow(g);
    const gone = await newModel();
    await ts.store.models.delete(gone);
    await expect(ts.store.elements.insertBatch(gone, [el('a'), el('b')])).rejects.toMatchObject({ code: '23503' });
    expect(await ts.store.elements.count(gone)).toBe(0);
    const kept = await newModel();
    const dropped = await newModel();
    // A batch naming a missing model among real ones (the INSERT path writes whatever model ids it is given).
    ts.store.elements.writeMode = 'insert';
    try {
      await expect(ts.store.elements.insertBatch(gone, [el('c')])).rejects.toMatchObject({ code: '23503' });
    } finally {
      ts.store.elements.writeMode = 'copy';
    }
    expect(await ts.store.elements.insertBatch(kept, [el('a'), el('b')])).toBe(2);
    expect(await ts.store.elements.insertBatch(dropped, [el('a'), el('b'), el('c')])).toBe(3);
    expect(await ts.store.models.delete(dropped)).toBe(true);
    expect(await ts.store.elements.count(dropped)).toBe(0);
    expect(await ts.store.elements.count(kept)).toBe(2);
    // A project's deletion removes its models, and they their rows.
    const e = await ts.store.enterprises.create({ name: 'E2', role: 'contractor' });
    const p2 = await storeProject(ts.store, e.id);
    const m2 = randomUUID();
    await ts.store.models.create({ id: m2, projectId: p2, fileName: 'm.ifc', fileBytes: 1, sourceKind: 'ifc' });
    expect(await ts.store.elements.insertBatch(m2, [el('z')])).toBe(1);
    await ts.store.db.query('DELETE FROM projects WHERE id = $1', [p2]);
    expect(await ts.store.elements.count(m2)).toBe(0);
    expect(await ts.store.elements.count(kept)).toBe(2);
  });

  it('returns the stored model from setReady, setFragments, setFailed and setGeoreference, null for an unknown id', async () => {
    const id = await newModel();
    const ready = await ts.store.models.setReady(id, result);
    expect(ready).toEqual(await ts.store.models.get(id));
    expect(ready).toMatchObject({ status: 'ready', schema: 'IFC4', fragments: 'pending', report: { elementCount: 3 } });
    const frag = await ts.store.models.setFragments(id, { status: 'ready', bytes: 1234 });
    expect(frag).toEqual(await ts.store.models.get(id));
    expect(frag).toMatchObject({ fragments: 'ready', report: { fragmentsBytes: 1234 } });
    const geo = { ...(ready!.georeference as object), height: 5 } as never;
    expect(await ts.store.models.setGeoreference(id, geo)).toEqual(await ts.store.models.get(id));
    const other = await newModel();
    const failed = await ts.store.models.setFailed(other, { code: 'internal', message: 'boom' } as never);
    expect(failed).toEqual(await ts.store.models.get(other));
    expect(failed).toMatchObject({ status: 'failed', fragments: 'failed', error: { message: 'boom' } });
    const skipped = await ts.store.models.setFragments(id, {
      status: 'failed',
      error: { code: 'x', message: 'y' } as never,
    });
    expect(skipped).toMatchObject({ fragments: 'failed', fragmentsError: { message: 'y' } });
    expect(await ts.store.models.setReady(randomUUID(), result)).toBeNull();
    expect(await ts.store.models.setFragments(randomUUID(), { status: 'ready', bytes: 1 })).toBeNull();
    expect(await ts.store.models.setFailed(randomUUID(), { code: 'internal', message: 'x' } as never)).toBeNull();
  });
});
