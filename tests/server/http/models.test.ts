import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { validateBytes } from 'gltf-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import { georeferenceMatrix } from '../../../models/Georeference.js';
import type { LiveServerMessage } from '../../../models/protocol.js';
import { createIfcApi, openModel, type IfcAPI } from '../../../server/ifc/pipeline/webIfc.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { rawProductsWithGeometry } from '../ifc/ifcExpect.js';
import { waitForFragments, waitForModel } from '../ifc/waitForModel.js';

const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'ifc');
const FZK = join(SHARED, 'AC20-FZK-Haus.ifc');
const ZIP = join(SHARED, 'schependomlaan', 'ROOT-kapconstructie_dakkapellen_platdak.ifczip');
const present = existsSync(FZK) && existsSync(ZIP);
if (!present) console.warn(`models API: ${SHARED} is absent; the real-file upload tests are skipped`);

let t: TestServer;
let api: IfcAPI;
let dataDir: string;
let projectId: string;
const messages: LiveServerMessage[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-models-'));
  t = await startTestServer({ env: { DATA_DIR: dataDir } });
  api = await createIfcApi();
  const e = await t.api('POST', '/api/v1/enterprises', { name: '模型测试集团' });
  const p = await t.api('POST', '/api/v1/projects', {
    name: '模型测试项目',
    enterpriseId: e.body.id,
    regionCode: '370202',
    location: { lon: 120.4, lat: 36.07, height: 5 },
    footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60),
  });
  projectId = p.body.id;
  const s = t.live();
  s.on('msg', (m) => void messages.push(m));
  await new Promise<void>((resolve) =>
    s.emit('msg', { type: 'subscribe', scope: { kind: 'project', projectId } }, () => resolve()),
  );
});
afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!present)('models API with real files', () => {
  let modelId: string;
  let model: any;

  it('accepts a multipart .ifc upload with 202, converts it in a worker and pushes progress', async () => {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(FZK)]), 'AC20-FZK-Haus.ifc');
    const res = await fetch(`${t.url}/api/v1/projects/${projectId}/models`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toMatchObject({ projectId, fileName: 'AC20-FZK-Haus.ifc', status: 'queued', tilesetUrl: null });
    expect(res.headers.get('location')).toBe(`/api/v1/models/${body.id}`);
    modelId = body.id;
    model = await waitForModel(t, modelId);
    expect(model.status, JSON.stringify(model.error)).toBe('ready');
    expect(model.schema).toBe('IFC4');
    expect(model.georeference).toMatchObject({ source: 'site' });
    const raw = openModel(api, readFileSync(FZK));
    try {
      expect(model.report.elementCount).toBe(rawProductsWithGeometry(api, raw));
    } finally {
      api.CloseModel(raw);
    }
    // Progress went out on /live, stage by stage, and the final state as model.updated.
    const progress = messages
      .filter((m) => m.type === 'model.progress' && m.progress.modelId === modelId)
      .map((m) => (m as any).progress.stage);
    expect(progress).toEqual(expect.arrayContaining(['parse', 'geometry', 'tiles']));
    for (const m of messages.filter((m) => m.type === 'model.progress' && m.progress.modelId === modelId))
      expect((m as any).progress).toMatchObject({ projectId, status: 'converting', progressPct: expect.any(Number) });
    // Ready for the map first: the first push of the ready model has no Fragments file yet (that job starts after it).
    const firstReady = messages.find(
      (m) => m.type === 'model.updated' && m.model.id === modelId && m.model.status === 'ready',
    );
    expect(firstReady && firstReady.type === 'model.updated' && firstReady.model).toMatchObject({
      fragments: 'pending',
      fragmentsUrl: null,
      fragmentsError: null,
    });
    model = await waitForFragments(t, modelId);
    expect(model.fragments, JSON.stringify(model.fragmentsError)).toBe('ready');
    expect(model.fragmentsUrl).toBe(`/api/v1/models/${modelId}/model.frag`);
    expect(model.report.fragmentsBytes).toBeGreaterThan(1000);
    expect(
      messages.some((m) => m.type === 'model.updated' && m.model.id === modelId && m.model.fragments === 'ready'),
    ).toBe(true);
    const list = await t.api('GET', `/api/v1/projects/${projectId}/models`);
    expect(list.body.map((m: { id: string }) => m.id)).toContain(modelId);
  });

  it('serves the spatial tree and a searchable element index', async () => {
    const tree = await t.api('GET', `/api/v1/models/${modelId}/tree`);
    expect(tree.status).toBe(200);
    expect(tree.body.ifcClass).toBe('IfcProject');
    const site = tree.body.children[0];
    expect(site.ifcClass).toBe('IfcSite');
    const storeys = site.children[0].children;
    expect(storeys.map((s: any) => s.ifcClass)).toEqual(storeys.map(() => 'IfcBuildingStorey'));
    expect(storeys.length).toBeGreaterThanOrEqual(2);

    const all = await t.api('GET', `/api/v1/models/${modelId}/elements?limit=1000`);
    expect(all.body.total).toBe(model.report.indexedCount);
    const withStorey = all.body.items.find((e: any) => e.storeyId);
    const byStorey = await t.api('GET', `/api/v1/models/${modelId}/elements?storey=${withStorey.storeyId}&limit=1000`);
    expect(byStorey.body.total).toBeGreaterThan(0);
    expect(byStorey.body.items.every((e: any) => e.storeyId === withStorey.storeyId)).toBe(true);
    const cls = await t.api('GET', `/api/v1/models/${modelId}/elements?class=${all.body.items[0].ifcClass}`);
    expect(cls.body.items.every((e: any) => e.ifcClass === all.body.items[0].ifcClass)).toBe(true);
    const named = all.body.items.find((e: any) => e.name && e.name.length > 3);
    const q = await t.api('GET', `/api/v1/models/${modelId}/elements?q=${encodeURIComponent(named.name.slice(1, -1))}`);
    expect(q.body.items.map((e: any) => e.globalId)).toContain(named.globalId);
    const page = await t.api('GET', `/api/v1/models/${modelId}/elements?limit=5&offset=5`);
    expect(page.body.items.map((e: any) => e.globalId)).toEqual(
      all.body.items.slice(5, 10).map((e: any) => e.globalId),
    );

    const withPsets = await Promise.all(
      all.body.items.slice(0, 20).map((e: any) => t.api('GET', `/api/v1/models/${modelId}/elements/${e.globalId}`)),
    );
    const one = withPsets.find((r) => Object.keys(r.body.psets).length > 0)!.body;
    expect(Object.values(one.psets).some((s: any) => Object.keys(s).length > 0)).toBe(true);
    const b = model.report.bbox;
    for (let k = 0; k < 3; k++) {
      expect(one.bbox.min[k]).toBeGreaterThanOrEqual(b.min[k] - 1e-6);
      expect(one.bbox.max[k]).toBeLessThanOrEqual(b.max[k] + 1e-6);
    }
    expect((await t.api('GET', `/api/v1/models/${modelId}/elements/nope`)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/models/${modelId}/elements?limit=0`)).body.code).toBe('validation_failed');
  });

  it('serves tiles and fragments with content types and caching, and re-places on PATCH without reconverting', async () => {
    const ts = await fetch(`${t.url}${model.tilesetUrl}`);
    expect(ts.headers.get('content-type')).toContain('application/json');
    expect(ts.headers.get('cache-control')).toBe('no-cache');
    const tileset = await ts.json();
    expect(tileset.asset.version).toBe('1.1');
    const uri = tileset.root.content?.uri ?? tileset.root.children[0].content.uri;
    const glbRes = await fetch(`${t.url}/api/v1/models/${modelId}/tiles/${uri}`);
    expect(glbRes.headers.get('content-type')).toBe('model/gltf-binary');
    expect(glbRes.headers.get('cache-control')).toContain('immutable');
    const glb = new Uint8Array(await glbRes.arrayBuffer());
    expect((await validateBytes(glb)).issues.numErrors).toBe(0);
    const frag = await fetch(`${t.url}${model.fragmentsUrl}`);
    expect(frag.status).toBe(200);
    const fragBytes = new Uint8Array(await frag.arrayBuffer());
    expect(fragBytes.byteLength).toBe(model.report.fragmentsBytes);
    // A zlib stream, as the Fragments loader expects (it inflates with pako); the flatbuffer inside is larger.
    expect(inflateSync(fragBytes).byteLength).toBeGreaterThan(fragBytes.byteLength);
    expect((await t.api('GET', `/api/v1/models/${modelId}/tiles/..%2F..%2Fsource.ifc`)).status).toBe(404);
    // A failed Fragments job: 409 with the reason, the map outputs still served.
    await t.store.models.setFragments(modelId, {
      status: 'failed',
      error: { code: 'unprocessable', message: 'test failure' },
    });
    const refused = await t.api('GET', `/api/v1/models/${modelId}/model.frag`);
    expect(refused.status).toBe(409);
    expect(refused.body.details).toMatchObject({ status: 'ready', fragments: 'failed' });
    expect(refused.body.message).toContain('test failure');
    expect((await fetch(`${t.url}${model.tilesetUrl}`)).status).toBe(200);
    await t.store.models.setFragments(modelId, { status: 'ready', bytes: model.report.fragmentsBytes });

    const p = await t.api('PATCH', `/api/v1/models/${modelId}`, {
      georeference: { lon: 120.401, lat: 36.071, headingDeg: 30 },
    });
    expect(p.status).toBe(200);
    expect(p.body.georeference).toMatchObject({
      lon: 120.401,
      lat: 36.071,
      headingDeg: 30,
      source: 'manual',
      height: model.georeference.height,
    });
    const moved = await (await fetch(`${t.url}${model.tilesetUrl}`)).json();
    expect(moved.root.transform.map((x: number) => x + 0)).toEqual(
      georeferenceMatrix(p.body.georeference).map((x) => x + 0),
    );
    // Geometry untouched: same tile bytes.
    const again = new Uint8Array(await (await fetch(`${t.url}/api/v1/models/${modelId}/tiles/${uri}`)).arrayBuffer());
    expect(Buffer.compare(Buffer.from(again), Buffer.from(glb))).toBe(0);
    expect((await t.api('PATCH', `/api/v1/models/${modelId}`, { georeference: { lat: 91 } })).body.code).toBe(
      'validation_failed',
    );
  });

  it('opens a raw .ifczip upload (?filename=) and counts what web-ifc counts in the IFC inside', async () => {
    const res = await fetch(`${t.url}/api/v1/projects/${projectId}/models?filename=roof.ifczip`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: readFileSync(ZIP),
    });
    expect(res.status).toBe(202);
    const m = await waitForModel(t, (await res.json()).id);
    expect(m.status, JSON.stringify(m.error)).toBe('ready');
    const inner = Object.entries(unzipSync(new Uint8Array(readFileSync(ZIP)))).find(([n]) => /\.ifc$/i.test(n))![1];
    const raw = openModel(api, inner);
    try {
      expect(m.report.elementCount).toBe(rawProductsWithGeometry(api, raw));
    } finally {
      api.CloseModel(raw);
    }
    expect(m.report.elementCount).toBeGreaterThan(0);
    // The Fragments job reads the IFC the map job unpacked from the zip.
    const f = await waitForFragments(t, m.id);
    expect(f.fragments, JSON.stringify(f.fragmentsError)).toBe('ready');
    expect(f.report.fragmentsBytes).toBeGreaterThan(1000);
  });

  it('deletes a model with its outputs', async () => {
    const d = await t.api('DELETE', `/api/v1/models/${modelId}`);
    expect(d.status).toBe(204);
    expect((await t.api('GET', `/api/v1/models/${modelId}`)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/models/${modelId}/elements`)).status).toBe(404);
    expect(existsSync(join(dataDir, 'models', modelId))).toBe(false);
    expect(messages.some((m) => m.type === 'model.deleted' && m.modelId === modelId)).toBe(true);
  });
});
