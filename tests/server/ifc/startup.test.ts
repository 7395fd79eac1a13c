import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { openTestStore } from '../../helpers/store.js';

// What the server does at start with models (recovering unfinished conversions, warming the element write path) must
// not touch a model queued right after it starts, as `npm start` queues the demo buildings: each is converted once.
describe('models queued right after the server starts', () => {
  let t: TestServer;
  let projectId: string;
  let store: Awaited<ReturnType<typeof openTestStore>> | undefined;
  const loc = { lon: 120.4, lat: 36.07 };
  beforeAll(async () => {
    // The project exists before the server starts, so the model can be queued the moment it is up.
    store = await openTestStore('embedded');
    const e = await store.store.enterprises.create({ name: 'Startup', role: 'contractor' });
    const p = await store.store.projects.create({
      name: 'Startup',
      enterpriseId: e.id,
      address: '',
      regionCode: '370202',
      status: 'under_construction',
      heightM: 30,
      location: { ...loc, height: 0 },
      footprint: rectangleAround(loc, 60, 60),
    });
    projectId = p.id;
    t = await startTestServer({ store });
  });
  afterAll(async () => {
    await t?.close();
    await store?.cleanup();
  });

  it('are converted once, their element rows stored once', async () => {
    const events: { id: string; status: string; fragments?: string }[] = [];
    const live = t.server.ctx.live;
    const publish = live.publishModel.bind(live);
    live.publishModel = (m) => {
      if (m.type === 'model.updated')
        events.push({
          id: m.model.id,
          status: m.model.status,
          ...(m.model.fragments ? { fragments: String(m.model.fragments) } : {}),
        });
      if (m.type === 'model.progress') events.push({ id: m.progress.modelId, status: m.progress.status });
      publish(m);
    };
    // Queued at once, as main.ts queues the demo buildings after startServer returns.
    const m = await t.server.models.acceptGenerated(projectId, 'startup.ifc', {
      name: 'Startup',
      ...loc,
      storeys: 3,
      widthM: 24,
      depthM: 16,
    });
    const deadline = Date.now() + 120_000;
    while (!events.some((x) => x.id === m.id && x.fragments === 'ready') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    // Give a second conversion, were one queued, the time to show itself.
    await new Promise((r) => setTimeout(r, 1500));
    const mine = events.filter((x) => x.id === m.id);
    // One map job made it ready once (a second job would make it ready again), and one Fragments job finished.
    expect(mine.filter((x) => x.status === 'ready' && x.fragments !== 'ready')).toHaveLength(1);
    expect(mine.filter((x) => x.fragments === 'ready')).toHaveLength(1);
    const firstReady = mine.findIndex((x) => x.status === 'ready');
    expect(mine.slice(firstReady).every((x) => x.status === 'ready')).toBe(true);
    expect(t.server.models.pending).toBe(0);
    const model = (await t.store.models.get(m.id))!;
    expect(model.status).toBe('ready');
    expect(await t.store.elements.count(m.id)).toBe(model.report!.indexedCount);
  }, 180_000);
});
