/**
 * Time to ready of one page at one screen size, and what it waits for (issue 19: pages of the layout matrix that were
 * "not ready" at 1920x1080 and 3840x2160). Seeds what the layout matrix seeds (two projects, a crane overloaded into
 * an alarm and a dust monitor fed every 5 s, the IfcOpenHouse model when ../shared has it), opens each page in headless
 * Chromium (SwiftShader WebGL), and logs every change of the page's `waiting` list (window.__siteTwin / __siteTwinWall),
 * console errors, failed requests and HTTP errors; once ready: the time to idle, the frames the page draws on its own
 * in 10 s at rest (0 = render on demand works), and the time of one frame of the view (5 forced renders).
 * Run: PROBE_SIZES=1920x1080 PROBE_PAGES=project PROBE_LANGS=en,zh-CN npx tsx bench/pageReady.ts
 * (PROBE_PAGES: map, project, workspace, wall; PROBE_MODEL=0 skips the model; PROBE_TIMEOUT_S, default 900.)
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { rectangleAround } from '../models/geo.js';
import { ROOT_DIR } from '../server/Server.js';
import { CRANE_OVERLOAD, DUST_OVER_LIMIT } from '../tests/helpers/alarmValues.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/helpers/chromium.js';
import { startBenchServer } from './benchServer.js';

type PageKind = 'map' | 'project' | 'workspace' | 'wall';
const SIZES = (process.env.PROBE_SIZES ?? '1920x1080').split(',').map((s) => {
  const [w, h] = s.split('x').map(Number);
  return { width: w!, height: h! };
});
const PAGES = (process.env.PROBE_PAGES ?? 'project').split(',') as PageKind[];
const LANGS = (process.env.PROBE_LANGS ?? 'en').split(',');
const TIMEOUT_MS = Number(process.env.PROBE_TIMEOUT_S ?? 900) * 1000;
const IFC = join(ROOT_DIR, '..', 'shared', 'ifc', 'IfcOpenHouse_IFC4.ifc');
const withModel = process.env.PROBE_MODEL !== '0' && existsSync(IFC);

const t0 = Date.now();
const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s, load ${loadavg()[0]!.toFixed(1)}]`;
const log = (...a: unknown[]) => console.log(stamp(), ...a);

const { server, store } = await startBenchServer(mkdtempSync(join(tmpdir(), 'sitetwin-pageready-')), {
  env: { KPI_PUSH_MS: '2000' },
});
const base = server.url;
async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}
async function project(name: string): Promise<string> {
  const e = await api('POST', '/api/v1/enterprises', { name: `建设集团-${name}` });
  const at = { lon: 120.47, lat: 36.1 };
  const p = await api('POST', '/api/v1/projects', {
    name,
    enterpriseId: e.id,
    regionCode: '370212',
    location: { ...at, height: 0 },
    footprint: rectangleAround(at, 120, 80),
  });
  return p.id;
}
const projectId = await project('青岛国际会展中心二期');
await project('西海岸新区人才公寓');
const craneDev = await api('POST', `/api/v1/projects/${projectId}/devices`, {
  kind: 'tower_crane',
  name: '1号塔吊',
  location: { lon: 120.4702, lat: 36.1002, height: 0 },
  params: { mastHeightM: 60, jibLengthM: 55, maxLoadT: 8, maxRadiusM: 55 },
});
const envDev = await api('POST', `/api/v1/projects/${projectId}/devices`, {
  kind: 'env_monitor',
  name: '扬尘监测仪',
  location: { lon: 120.4701, lat: 36.1001, height: 3 },
  params: {},
});
const ingest = (dev: { device: { id: string }; apiKey: string }, values: Record<string, number>) =>
  api('POST', '/api/v1/ingest', [{ deviceId: dev.device.id, time: Date.now(), values }], {
    authorization: `Bearer ${dev.apiKey}`,
  });
const send = () => Promise.all([ingest(craneDev, CRANE_OVERLOAD), ingest(envDev, DUST_OVER_LIMIT)]);
await send();
const feeder = setInterval(() => void send().catch((e) => log('feed failed', (e as Error).message)), 5000);
let elementId: string | null = null;
if (withModel) {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(IFC)]), 'IfcOpenHouse_IFC4.ifc');
  const up = await fetch(`${base}/api/v1/projects/${projectId}/models`, { method: 'POST', body: form });
  const id = ((await up.json()) as { id: string }).id;
  for (;;) {
    const m = await api('GET', `/api/v1/models/${id}`);
    if ((m.status === 'ready' && m.fragments !== 'pending' && m.fragments !== 'building') || m.status === 'failed') {
      log(`model ${m.status}, fragments ${m.fragments}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const els = (await api('GET', `/api/v1/models/${id}/elements?limit=1000`)).items as {
    globalId: string;
    ifcClass: string;
    hasGeometry: boolean;
  }[];
  elementId = els.find((e) => e.hasGeometry && /^IfcRoof|^IfcSlab/i.test(e.ifcClass))?.globalId ?? null;
}

function url(kind: PageKind, lang: string): string {
  const q = `lang=${lang}`;
  if (kind === 'map') return `${base}/?${q}`;
  if (kind === 'project') return `${base}/?project=${projectId}&${q}`;
  if (kind === 'workspace') return `${base}/project/${projectId}?${q}${elementId ? `&element=${elementId}` : ''}`;
  return `${base}/wall?tier=city&every=600&${q}`;
}

/** The page's own state: ready, idle, what it waits for, frames drawn. */
function state(page: Page, kind: PageKind) {
  return page.evaluate((k) => {
    if (k === 'workspace') {
      const w = window.__siteTwinWorkspace;
      return {
        ready: w?.ready === true || !!w?.error,
        idle: !!w && w.ready && !w.busy && !w.cameraMoving,
        waiting: w ? [w.busy ? 'fragments' : '', w.cameraMoving ? 'camera' : ''].filter(Boolean) : ['script'],
        frames: w?.frames ?? 0,
        error: w?.error ?? null,
      };
    }
    const p = k === 'wall' ? window.__siteTwinWall : window.__siteTwin;
    return {
      ready: document.body.dataset.ready === '1',
      idle: p?.idle === true,
      waiting: p?.waiting ?? ['script'],
      frames: p?.frames ?? 0,
      error: (k === 'wall' ? window.__siteTwinWall?.errors.join('; ') : window.__siteTwin?.error) || null,
    };
  }, kind);
}

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
const context = await browser.newContext({ viewport: SIZES[0] });
const page = await context.newPage();
page.on('console', (m) => {
  if (m.type() === 'error' || m.type() === 'warning') log(`console.${m.type()}: ${m.text().slice(0, 300)}`);
});
page.on('pageerror', (e) => log(`pageerror: ${e.message}`));
page.on('requestfailed', (r) => log(`request failed: ${r.url().replace(base, '')} ${r.failure()?.errorText}`));
page.on('response', (r) => {
  if (r.status() >= 400) log(`HTTP ${r.status()}: ${r.request().method()} ${r.url().replace(base, '')}`);
});

const summary: string[] = [];
for (const size of SIZES) {
  await page.setViewportSize(size);
  for (const kind of PAGES)
    for (const lang of LANGS) {
      const what = `${kind} ${lang} ${size.width}x${size.height}`;
      log(`--- ${what}`);
      const start = Date.now();
      await page.goto(url(kind, lang), { waitUntil: 'domcontentloaded', timeout: TIMEOUT_MS });
      let last = '';
      let lastLog = 0;
      let readyMs: number | null = null;
      let idleMs: number | null = null;
      for (;;) {
        const s = await state(page, kind).catch((e: Error) => ({
          ready: false,
          idle: false,
          waiting: [`evaluate: ${e.message.slice(0, 80)}`],
          frames: 0,
          error: null,
        }));
        const line = `ready ${s.ready} idle ${s.idle} waiting [${s.waiting.join(', ')}]${s.error ? ` error ${s.error}` : ''}`;
        // Every change, and every 30 s the frame count (is it drawing at all?).
        if (line !== last || Date.now() - lastLog > 30_000) {
          log(`${what}: ${line} (frames ${s.frames})`);
          lastLog = Date.now();
        }
        last = line;
        if (s.ready && readyMs === null) readyMs = Date.now() - start;
        if (s.ready && s.idle) {
          idleMs = Date.now() - start;
          break;
        }
        if (Date.now() - start > TIMEOUT_MS) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      let restFps = NaN;
      let frameMs: number[] = [];
      if (idleMs !== null && kind !== 'workspace') {
        const f0 = (await state(page, kind)).frames;
        await new Promise((r) => setTimeout(r, 10_000));
        restFps = ((await state(page, kind)).frames - f0) / 10;
        frameMs = await page.evaluate(
          (k) => (k === 'wall' ? window.__siteTwinWall : window.__siteTwin).frameTimes(5),
          kind,
        );
      }
      const res =
        `${what}: ready ${readyMs === null ? 'NO' : `${(readyMs / 1000).toFixed(0)} s`}, idle ${idleMs === null ? 'NO' : `${(idleMs / 1000).toFixed(0)} s`}` +
        `, frames at rest ${Number.isNaN(restFps) ? '-' : `${restFps.toFixed(1)}/s`}` +
        `, frame ${frameMs.length ? frameMs.map((x) => x.toFixed(0)).join('/') + ' ms' : '-'}, load ${loadavg()[0]!.toFixed(1)}`;
      log(res);
      summary.push(res);
    }
}
console.log(summary.join('\n'));
clearInterval(feeder);
await browser.close();
await server.close();
await store.close();
