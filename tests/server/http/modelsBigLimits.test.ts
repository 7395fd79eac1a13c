import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import { streamUpload, writeBigIfc } from '../../helpers/bigIfc.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { waitForFragments, waitForModel } from '../ifc/waitForModel.js';

/**
 * The size bounds of a conversion (server/ifc/pipeline/sizeLimits.ts), with the limits lowered so that files of a
 * megabyte or two stand for the gigabyte ones: past IFC_CONVERT_MAX_MB a model fails with `too_large` and a reason
 * (an .ifczip by what it expands to), past IFC_FRAGMENTS_MAX_MB it is on the map with its index and no Fragments file
 * (`too_large_for_fragments`), and the worker goes on converting the next upload.
 */
const MB = 1048576;
let t: TestServer;
let tmp: string;
let projectId: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sitetwin-biglimits-'));
  t = await startTestServer({
    env: { DATA_DIR: join(tmp, 'data'), IFC_CONVERT_MAX_MB: '1', IFC_FRAGMENTS_MAX_MB: '0.5', IFC_WORKERS: '1' },
  });
  const e = await t.api('POST', '/api/v1/enterprises', { name: '大文件限额集团' });
  const p = await t.api('POST', '/api/v1/projects', {
    name: '大文件限额项目',
    enterpriseId: e.body.id,
    regionCode: '370202',
    location: { lon: 120.4, lat: 36.07, height: 0 },
    footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60),
  });
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  projectId = p.body.id;
}, 600_000);

afterAll(async () => {
  await t?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const upload = async (path: string, name: string) => {
  const r = await streamUpload(t.url, projectId, path, name);
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.id as string;
};

describe('conversion size bounds', () => {
  it('an IFC past IFC_CONVERT_MAX_MB fails with too_large and a reason, and the next upload converts', async () => {
    const huge = join(tmp, 'huge.ifc');
    writeBigIfc(huge, { elements: 200, padBytes: 10_000 });
    expect(statSync(huge).size).toBeGreaterThan(1.5 * MB);
    // Long waits: the worker's first start (web-ifc's wasm compile) takes minutes on a loaded machine.
    const m = await waitForModel(t, await upload(huge, 'huge.ifc'), 400_000);
    expect(m.status).toBe('failed');
    expect(m.error.code).toBe('unprocessable');
    expect(m.error.problem).toBe('too_large');
    expect(m.error.message).toMatch(/IFC_CONVERT_MAX_MB/);
    expect(m.error.message).toMatch(/1 MB/);

    const small = join(tmp, 'small.ifc');
    writeBigIfc(small, { elements: 50, name: 'small.ifc' });
    const ok = await waitForModel(t, await upload(small, 'small.ifc'), 300_000);
    expect(ok.status, JSON.stringify(ok.error)).toBe('ready');
    expect(ok.report.elementCount).toBe(50);
    // Under both bounds: its Fragments file is built as before.
    const f = await waitForFragments(t, ok.id, 300_000);
    expect(f.fragments, JSON.stringify(f.fragmentsError)).toBe('ready');
  }, 1_000_000);

  it('an .ifczip is bounded by what it expands to', async () => {
    const huge = join(tmp, 'huge2.ifc');
    writeBigIfc(huge, { elements: 200, padBytes: 10_000 });
    const zip = join(tmp, 'huge.ifczip');
    const packed = zipSync({ 'huge.ifc': readFileSync(huge) });
    expect(packed.byteLength).toBeLessThan(0.5 * MB);
    writeFileSync(zip, packed);
    const m = await waitForModel(t, await upload(zip, 'huge.ifczip'), 300_000);
    expect(m.status).toBe('failed');
    expect(m.error.problem).toBe('too_large');
  }, 700_000);

  it('an IFC past IFC_FRAGMENTS_MAX_MB is on the map with its index, without a Fragments file, and says why', async () => {
    const mid = join(tmp, 'mid.ifc');
    writeBigIfc(mid, { elements: 100, padBytes: 7_000 });
    const size = statSync(mid).size;
    expect(size).toBeGreaterThan(0.5 * MB);
    expect(size).toBeLessThan(1 * MB);
    const id = await upload(mid, 'mid.ifc');
    const m = await waitForModel(t, id, 300_000);
    expect(m.status, JSON.stringify(m.error)).toBe('ready');
    expect(m.report.elementCount).toBe(100);
    const rows = await t.api('GET', `/api/v1/models/${id}/elements?limit=5`);
    expect(rows.status).toBe(200);
    expect(rows.body.total).toBe(m.report.indexedCount);
    const f = await waitForFragments(t, id, 300_000);
    expect(f.fragments).toBe('failed');
    expect(f.fragmentsError.code).toBe('unprocessable');
    expect(f.fragmentsError.problem).toBe('too_large_for_fragments');
    expect(f.fragmentsError.message).toMatch(/IFC_FRAGMENTS_MAX_MB/);
    expect(f.fragmentsUrl).toBeNull();
    expect(existsSync(join(tmp, 'data', 'models', id, 'model.frag'))).toBe(false);
  }, 700_000);
});
