import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { syntheticIfc } from '../ifc/syntheticIfc.js';
import { createIfcApi, openModel } from '../../../server/ifc/pipeline/webIfc.js';
import { rawProductsWithGeometry } from '../ifc/ifcExpect.js';
import { waitForModel } from '../ifc/waitForModel.js';

/** A corpus of broken uploads, made here: each gets its stable error, and the server keeps serving. */
let t: TestServer;
let dataDir: string;
let projectId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-broken-'));
  // A tiny limit (0.25 MB) so the over-size case needs no big file; a short job limit for the file web-ifc loops on.
  t = await startTestServer({ env: { DATA_DIR: dataDir, MAX_UPLOAD_MB: '0.25', IFC_JOB_TIMEOUT_S: '15' } });
  const e = await t.api('POST', '/api/v1/enterprises', { name: '坏文件测试集团' });
  const p = await t.api('POST', '/api/v1/projects', {
    name: '坏文件测试项目',
    enterpriseId: e.body.id,
    regionCode: '370202',
    location: { lon: 120.4, lat: 36.07, height: 0 },
    footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60),
  });
  projectId = p.body.id;
});
afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const upload = async (name: string, body: Uint8Array | string) => {
  const res = await fetch(`${t.url}/api/v1/projects/${projectId}/models?filename=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from(typeof body === 'string' ? strToU8(body) : body),
  });
  return { status: res.status, body: await res.json() };
};

describe('broken uploads', () => {
  const good = syntheticIfc({ walls: 3 });

  it.each([
    ['not an IFC', 'notes.ifc', 'Hello, this is a text file\n', 'not_ifc'],
    ['empty', 'empty.ifc', '', 'empty'],
    ['truncated', 'cut.ifc', good.slice(0, Math.floor(good.length * 0.6)), 'truncated'],
    [
      'unknown schema',
      'future.ifc',
      good.replace("FILE_SCHEMA(('IFC4'))", "FILE_SCHEMA(('IFC9X9'))"),
      'unknown_schema',
    ],
    [
      'a zip without an IFC',
      'docs.ifczip',
      zipSync({ 'readme.txt': strToU8('no model here'), 'plan.pdf': new Uint8Array(64) }),
      'zip_without_ifc',
    ],
    ['a damaged zip', 'half.ifczip', zipSync({ 'model.ifc': strToU8(good) }).slice(0, 200), 'bad_zip'],
  ])('%s: 422 with a reason, and nothing stored', async (_what, name, body, problem) => {
    const r = await upload(name, body);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('unprocessable');
    expect(r.body.details.problem).toBe(problem);
    expect(r.body.message.length).toBeGreaterThan(5);
  });

  it('over the size limit: 413, the partial file is removed', async () => {
    const big = new Uint8Array(400 * 1024).fill(65);
    const r = await upload('huge.ifc', big);
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('payload_too_large');
    const incoming = join(dataDir, 'models', '_incoming');
    expect(readdirSync(incoming)).toEqual([]);
  });

  /**
   * Streams up to `totalBytes` as one body (chunked, so the server cannot refuse it up front, or `declared`) and
   * keeps writing after the answer arrives, as a client that does not read answers would: how much the server
   * swallowed shows whether it stopped reading.
   */
  const floodUpload = (totalBytes: number, multipart: boolean, declared: boolean) =>
    new Promise<{ status: number; connection: string | undefined; code: string | undefined; written: number }>(
      (resolve, reject) => {
        const u = new URL(`${t.url}/api/v1/projects/${projectId}/models${multipart ? '' : '?filename=flood.ifc'}`);
        const boundary = 'floodboundary';
        const req = request({
          host: u.hostname,
          port: u.port,
          path: u.pathname + u.search,
          method: 'POST',
          headers: {
            'content-type': multipart ? `multipart/form-data; boundary=${boundary}` : 'application/octet-stream',
            ...(declared ? { 'content-length': String(totalBytes) } : {}),
          },
        });
        const chunk = Buffer.alloc(64 * 1024, 65);
        let written = 0;
        let answer: { status: number; connection: string | undefined; code: string | undefined } | null = null;
        let ended = false;
        const finish = () => {
          if (ended) return;
          ended = true;
          if (answer) resolve({ ...answer, written });
          else reject(new Error(`no answer after ${written} bytes`));
        };
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (body += d));
          res.on('end', () => {
            answer = {
              status: res.statusCode!,
              connection: res.headers.connection,
              code: (JSON.parse(body) as { code?: string }).code,
            };
          });
        });
        req.on('error', () => setTimeout(finish, 50)); // the server hung up (EPIPE / ECONNRESET): what was answered counts
        req.on('close', () => setTimeout(finish, 50));
        if (multipart)
          req.write(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="flood.ifc"\r\nContent-Type: application/octet-stream\r\n\r\n`,
          );
        const pump = () => {
          while (written < totalBytes && !req.destroyed) {
            written += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          if (!req.destroyed) req.end(multipart ? `\r\n--${boundary}--\r\n` : undefined);
        };
        pump();
      },
    );

  it.each([
    ['a raw body without Content-Length', false, false],
    ['a multipart body without Content-Length', true, false],
    ['a raw body whose Content-Length says it is too large', false, true],
  ])(
    'over the size limit with %s: 413, Connection: close, and the rest is not read',
    async (_what, multipart, declared) => {
      const total = 64 * 1024 * 1024;
      const r = await floodUpload(total, multipart, declared);
      expect([r.status, r.code, r.connection]).toEqual([413, 'payload_too_large', 'close']);
      // The server hung up: the client could not push the whole 64 MB into a 0.25 MB limit.
      expect(r.written).toBeLessThan(total);
      expect(readdirSync(join(dataDir, 'models', '_incoming'))).toEqual([]);
      expect((await t.api('GET', '/api/health')).status).toBe(200);
    },
  );

  it('an .ifczip that expands past MAX_UPLOAD_MB fails while it inflates, and leaves nothing of it on disk', async () => {
    // ~3 MB of IFC-looking text (a header and a long run of spaces) packs into a few KB: a small zip bomb.
    const head = syntheticIfc({ walls: 1 }).split('ENDSEC;')[0]!;
    const inner = new Uint8Array(3 * 1024 * 1024).fill(32);
    inner.set(strToU8(head));
    const zip = zipSync({ 'bomb.ifc': inner }, { level: 9 });
    expect(zip.length).toBeLessThan(64 * 1024);
    const r = await upload('bomb.ifczip', zip);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const m = await waitForModel(t, r.body.id);
    expect(m.status).toBe('failed');
    expect(m.error.message).toMatch(/MAX_UPLOAD_MB/);
    const dir = join(dataDir, 'models', m.id);
    expect(existsSync(join(dir, 'unpacked.ifc'))).toBe(false);
    const left = existsSync(dir)
      ? readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0)
      : 0;
    expect(left).toBeLessThanOrEqual(zip.length);
  }, 60_000);

  it('multipart without a file part, an unknown project: clear 4xx', async () => {
    const form = new FormData();
    form.append('note', 'no file');
    const res = await fetch(`${t.url}/api/v1/projects/${projectId}/models`, { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('bad_request');
    const none = await fetch(`${t.url}/api/v1/projects/00000000-0000-4000-8000-000000000000/models?filename=x.ifc`, {
      method: 'POST',
      body: good,
    });
    expect(none.status).toBe(404);
  });

  it('elements with broken geometry are skipped and counted; the rest converts', async () => {
    const ifc = syntheticIfc({
      walls: 6,
      broken: [
        { index: 1, kind: 'missing_ref' },
        { index: 3, kind: 'zero_depth' },
        { index: 4, kind: 'empty_polyline' },
      ],
    });
    const r = await upload('partly-broken.ifc', ifc);
    expect(r.status).toBe(202);
    const m = await waitForModel(t, r.body.id);
    expect(m.status, JSON.stringify(m.error)).toBe('ready');
    const webIfc = await createIfcApi();
    const raw = openModel(webIfc, strToU8(ifc));
    expect(m.report.elementCount).toBe(rawProductsWithGeometry(webIfc, raw));
    webIfc.CloseModel(raw);
    // The three good walls always draw; at least one broken one cannot, and every wall is either drawn or skipped.
    expect(m.report.elementCount).toBeGreaterThanOrEqual(3);
    expect(m.report.skippedCount).toBeGreaterThanOrEqual(1);
    expect(m.report.elementCount + m.report.skippedCount).toBe(6);
    expect(m.report.skipped.every((s: any) => s.ifcClass === 'IfcWall' && s.reason.length > 5)).toBe(true);
    // Skipped elements stay searchable in the index, flagged as having no geometry.
    const els = await t.api('GET', `/api/v1/models/${m.id}/elements?class=IfcWall`);
    expect(els.body.total).toBe(6);
    const skippedNames = els.body.items.filter((e: any) => !e.hasGeometry).map((e: any) => e.name);
    expect(skippedNames).toHaveLength(m.report.skippedCount);
    expect(skippedNames.every((n: string) => ['Wall 2', 'Wall 4', 'Wall 5'].includes(n))).toBe(true);
    const wall = await t.api('GET', `/api/v1/models/${m.id}/elements/${els.body.items[0].globalId}`);
    expect(wall.body.psets.Pset_WallCommon.FireRating).toMatch(/^REI \d+$/);
    expect(wall.body.storeyName).toBe('Level 1');
  });

  it('a file web-ifc cannot make sense of fails the model with a reason, not the server', async () => {
    // A valid header and trailer around garbage: it passes sniffing, and the worker must reject it. Without an
    // IfcProject it is refused at once for that.
    const garbage =
      "ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n#1=IFCWALL(((((;\n#2=#3=#4;\nENDSEC;\nEND-ISO-10303-21;\n";
    const bare = await waitForModel(t, (await upload('garbage-bare.ifc', garbage)).body.id);
    expect(bare.status).toBe('failed');
    expect(bare.error.problem).toBe('no_project');
    const r = await upload(
      'garbage.ifc',
      garbage.replace('DATA;\n', "DATA;\n#9=IFCPROJECT('0xScRe4drECQ4DMSqUjd6d',$,'P',$,$,$,$,$,$);\n"),
    );
    expect(r.status).toBe(202);
    const m = await waitForModel(t, r.body.id);
    // web-ifc loops on this file: the job limit stops the worker and fails the model with a reason.
    expect(m.status).toBe('failed');
    expect(m.error.message).toMatch(/longer than 15 s/);
    const health = await t.api('GET', '/api/health');
    expect(health.status).toBe(200);
    // A fresh worker takes the next job.
    const again = await upload('after.ifc', syntheticIfc({ walls: 2 }));
    expect((await waitForModel(t, again.body.id)).status).toBe('ready');
  }, 120_000);
});
