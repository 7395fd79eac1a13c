import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobHandlers } from '../../../server/ifc/ConversionPool.js';
import { ModelService } from '../../../server/ifc/ModelService.js';
import type { LivePublisher } from '../../../server/realtime/LiveHub.js';
import { fragmentsFile } from '../../../server/ifc/pipeline/files.js';
import { createLogger } from '../../../server/log.js';
import { openTestStore, storeKinds, storeProject, type TestStore } from '../../helpers/store.js';

// The model's Fragments job starts when the worker sends the map job's `done`, while the server still stores the last
// element rows: these tests hold the first row write until the Fragments result has reached the server, which the
// worker can only get to if it no longer waits for the rows before `done`.

const loc = { lon: 120.4, lat: 36.07 };
const building = { name: 'Overlap', ...loc, storeys: 2, widthM: 16, depthM: 12 };

interface Event {
  status: string;
  fragments?: string;
}

/** Resolves when `cond` holds, polling; rejects after a minute with `what` (a gate that never opens fails the test). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(storeKinds())('the Fragments job overlapping the last row writes (%s store)', (kind) => {
  let t: TestStore;
  let svc: ModelService;
  let dataDir: string;
  let projectId: string;
  const events = new Map<string, Event[]>();
  /** Every model.updated and model.progress in order, as `id status/fragments`. */
  const log: string[] = [];
  /** Called on each model.progress (a test may act while a map job runs). */
  let onProgress: (modelId: string) => void = () => {};
  /** Models whose Fragments result reached the server, and whose Fragments handler has finished. */
  const fragmentsIn = new Set<string>();
  const fragmentsHandled = new Set<string>();
  /** The first row write of a model waits for the model's Fragments result (and `also`), then goes on or fails. */
  const firstWrite = new Map<string, { fail?: boolean; also?: () => boolean }>();
  const seen = new Set<string>();

  beforeAll(async () => {
    t = await openTestStore(kind);
    dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-overlap-'));
    const e = await t.store.enterprises.create({ name: 'Overlap', role: 'contractor' });
    projectId = await storeProject(t.store, e.id, { loc });
    const live: Pick<LivePublisher, 'publishModel'> = {
      publishModel(m) {
        if (m.type === 'model.progress') onProgress(m.progress.modelId);
        if (m.type !== 'model.updated') return;
        log.push(`${m.model.id} ${m.model.status}/${m.model.fragments}`);
        const list = events.get(m.model.id) ?? [];
        list.push({ status: m.model.status, ...(m.model.fragments ? { fragments: String(m.model.fragments) } : {}) });
        events.set(m.model.id, list);
      },
    };
    svc = new ModelService(t.store, live, createLogger('silent'), { dataDir, workers: 1, jobTimeoutMs: 120_000 });
    const insert = t.store.elements.insertBatch.bind(t.store.elements);
    t.store.elements.insertBatch = async (modelId, rows) => {
      const gate = firstWrite.get(modelId);
      if (gate && !seen.has(modelId)) {
        seen.add(modelId);
        await until(
          () => fragmentsIn.has(modelId) && (gate.also?.() ?? true),
          `the Fragments result of ${modelId} while its rows wait`,
        );
        if (gate.fail) throw new Error('the store refused the rows (test)');
      }
      return insert(modelId, rows);
    };
    // The pool's handlers, wrapped to see when a Fragments result arrives and when the service is done with it.
    const handlers = (svc as unknown as { pool: { handlers: JobHandlers } }).pool.handlers;
    const onFragments = handlers.onFragments.bind(handlers);
    handlers.onFragments = async (m) => {
      fragmentsIn.add(m.modelId);
      try {
        await onFragments(m);
      } finally {
        fragmentsHandled.add(m.modelId);
      }
    };
  }, 60_000);
  afterAll(async () => {
    await svc?.close();
    await t?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds the .frag while the rows are stored, and pushes the model ready before its Fragments ready', async () => {
    const m = await svc.acceptGenerated(projectId, 'overlap.ifc', building);
    firstWrite.set(m.id, {});
    await until(() => (events.get(m.id) ?? []).some((x) => x.fragments === 'ready'), 'fragments ready');
    const mine = events.get(m.id)!;
    const ready = mine.findIndex((x) => x.status === 'ready');
    const fragReady = mine.findIndex((x) => x.fragments === 'ready');
    expect(seen.has(m.id)).toBe(true);
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(ready).toBeLessThan(fragReady);
    expect(mine[fragReady]!.status).toBe('ready');
    expect(mine.filter((x) => x.fragments === 'ready')).toHaveLength(1);
    const model = (await t.store.models.get(m.id))!;
    expect(model.status).toBe('ready');
    expect(model.fragments).toBe('ready');
    expect(await t.store.elements.count(m.id)).toBe(model.report!.indexedCount);
    expect(existsSync(fragmentsFile(svc.dirOf(m.id)))).toBe(true);
    await until(() => svc.pending === 0, 'an idle pool');
  }, 120_000);

  it('fails the model when its rows cannot be stored, and removes the .frag its Fragments job wrote meanwhile', async () => {
    const m = await svc.acceptGenerated(projectId, 'refused.ifc', building);
    firstWrite.set(m.id, { fail: true });
    await until(() => fragmentsHandled.has(m.id), 'the Fragments result handled');
    await until(() => (events.get(m.id) ?? []).some((x) => x.status === 'failed'), 'model failed');
    const model = (await t.store.models.get(m.id))!;
    expect(model.status).toBe('failed');
    expect(model.fragments).not.toBe('ready');
    expect((events.get(m.id) ?? []).some((x) => x.status === 'ready' || x.fragments === 'ready')).toBe(false);
    expect(existsSync(fragmentsFile(svc.dirOf(m.id)))).toBe(false);
    await until(() => svc.pending === 0, 'an idle pool');
  }, 120_000);

  it('a model deleted while its rows are stored gets no ready and no .frag, and the pool goes on', async () => {
    const m = await svc.acceptGenerated(projectId, 'deleted.ifc', building);
    let deleted = false;
    firstWrite.set(m.id, { also: () => deleted });
    await until(() => fragmentsIn.has(m.id), 'the Fragments result');
    await svc.delete((await t.store.models.get(m.id))!);
    deleted = true;
    await until(() => fragmentsHandled.has(m.id), 'the Fragments result handled');
    expect((events.get(m.id) ?? []).some((x) => x.status === 'ready' || x.fragments === 'ready')).toBe(false);
    expect(existsSync(fragmentsFile(svc.dirOf(m.id)))).toBe(false);
    expect(await t.store.models.get(m.id)).toBeNull();
    // The next model goes through as usual.
    const next = await svc.acceptGenerated(projectId, 'after.ifc', building);
    await until(() => (events.get(next.id) ?? []).some((x) => x.fragments === 'ready'), 'the next model ready');
    await until(() => svc.pending === 0, 'an idle pool');
  }, 120_000);

  it('a model uploaded while another converts reaches the map before that one goes on into its Fragments job', async () => {
    let second: Promise<{ id: string }> | null = null;
    const first = await svc.acceptGenerated(projectId, 'first.ifc', { ...building, storeys: 10, widthM: 40 });
    // Queued while the first map job runs: the worker is told not to go on into the first model's Fragments job.
    onProgress = (id) => {
      if (id === first.id && !second) second = svc.acceptGenerated(projectId, 'second.ifc', building);
    };
    await until(() => second !== null, 'the first map job running');
    const b = await second!;
    onProgress = () => {};
    const fragReady = (id: string) => log.indexOf(`${id} ready/ready`);
    await until(() => fragReady(first.id) >= 0 && fragReady(b.id) >= 0, 'both Fragments files');
    expect(log.indexOf(`${b.id} ready/pending`)).toBeGreaterThanOrEqual(0);
    expect(log.indexOf(`${b.id} ready/pending`)).toBeLessThan(fragReady(first.id));
    await until(() => svc.pending === 0, 'an idle pool');
  }, 120_000);
});
