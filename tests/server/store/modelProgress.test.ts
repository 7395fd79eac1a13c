import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, storeKinds, storeProject, type TestStore } from '../../helpers/store.js';

// A conversion's progress write says what the live push needs (the model's project, status and stored percentage),
// so the push needs no read of the model after it; and once the model is ready or failed it writes and says nothing.
describe.each(storeKinds())('model progress (%s store)', (kind) => {
  let ts: TestStore;
  let projectId = '';
  beforeAll(async () => {
    ts = await openTestStore(kind);
    const e = await ts.store.enterprises.create({ name: 'E', role: 'contractor' });
    projectId = await storeProject(ts.store, e.id);
  });
  afterAll(() => ts?.cleanup());

  it('returns the project, status and stored percentage while converting, null once the model is ready', async () => {
    const id = randomUUID();
    await ts.store.models.create({ id, projectId, fileName: 'm.ifc', fileBytes: 1, sourceKind: 'ifc' });
    expect(await ts.store.models.setProgress(id, 'converting', 'geometry', 42.6)).toEqual({
      projectId,
      status: 'converting',
      progressPct: (await ts.store.models.get(id))!.progressPct,
    });
    expect((await ts.store.models.get(id))!.stage).toBe('geometry');
    await ts.store.models.setReady(id, {
      schema: 'IFC4',
      georeference: {} as never,
      report: null as never,
      tree: null,
    });
    expect(await ts.store.models.setProgress(id, 'converting', 'fragments', 50)).toBeNull();
    const m = (await ts.store.models.get(id))!;
    expect([m.status, m.stage, m.progressPct]).toEqual(['ready', 'done', 100]);
    expect(await ts.store.models.setProgress(randomUUID(), 'converting', 'parse', 0)).toBeNull();
  });
});
