import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/Server.js';
import { CRANE_OVERLOAD, DUST_OVER_LIMIT } from '../helpers/alarmValues.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { crane, envMonitor, makeDevice, makeProject, postIngest } from '../helpers/telemetry.js';
import { waitForFragments, waitForModel } from '../server/ifc/waitForModel.js';
import { E2E_MAP_BUDGET, openBrowser, RESULTS_DIR, SLOW_MS, type BrowserSession } from './browser.js';
import {
  creditProblems,
  domProblems,
  labelOverlaps,
  MIN_TOP_EDGE_DEG,
  minText,
  textProblems,
  wrongLanguage,
  type PageKind,
} from './layoutChecks.js';

/**
 * Issue 19 acceptance 2 and 3: map, project, workspace and wall at five screen sizes in zh-CN and en, screenshotted
 * and checked by a script over the DOM (no panel over another, no horizontal scroll, no text under 12 px on the map
 * page and workspace, none under 24 px at 1080p on the wall, scaled with the wall; no map label over another at the
 * default views; no English UI left in zh-CN), and an axe-core pass on every page.
 * Affordable on two cores with SwiftShader: one server, one browser, one page per size, the language switched by URL.
 */
const ALL_SIZES = [
  { w: 1600, h: 900 },
  { w: 1920, h: 1080 },
  { w: 3840, h: 2160 },
  { w: 768, h: 1024 },
  { w: 390, h: 844 },
] as const;
/**
 * The suite checks the phone and the desk (390x844, 1600x900): each size is 8 page loads at ~1 fps in SwiftShader, and
 * the whole matrix takes most of an hour on two cores. LAYOUT_SIZES=all runs every size; LAYOUT_SIZES=390x844,1920x1080
 * picks some.
 */
const SIZE_LIST = process.env.LAYOUT_SIZES ?? '390x844,1600x900';
const SIZES = SIZE_LIST === 'all' ? ALL_SIZES : ALL_SIZES.filter((s) => SIZE_LIST.split(',').includes(`${s.w}x${s.h}`));
const LANGS = ['zh-CN', 'en'] as const;
/** LAYOUT_PAGES=wall (comma list) checks only those pages: a 4K pass of all eight loads does not fit a session here. */
const PAGES: PageKind[] = (['map', 'project', 'workspace', 'wall'] as const).filter(
  (p) => !process.env.LAYOUT_PAGES || process.env.LAYOUT_PAGES.split(',').includes(p),
);
const IFC = join(ROOT_DIR, '..', 'shared', 'ifc', 'IfcOpenHouse_IFC4.ifc');
const haveIfc = existsSync(IFC);
if (!haveIfc) console.warn(`layoutMatrix e2e: ${IFC} is absent: the workspace is checked in its "no model" state`);
const AXE = join(ROOT_DIR, 'node_modules', 'axe-core', 'axe.min.js');

let t: TestServer;
let b: BrowserSession;
let projectId: string;
/** An element of the model, opened in the workspace so its element panel is checked beside the toolbar. */
let elementId: string | null = null;
let feeder: ReturnType<typeof setInterval> | undefined;
/** Names that are data, not UI: projects, enterprises, devices, districts (Chinese on an English page too). */
let dataNames: string[] = [];

function url(kind: PageKind, lang: string): string {
  const q = `lang=${lang}`;
  if (kind === 'map') return `${t.url}/?${q}`;
  if (kind === 'project') return `${t.url}/?project=${projectId}&${q}`;
  if (kind === 'workspace') return `${t.url}/project/${projectId}?${q}${elementId ? `&element=${elementId}` : ''}`;
  // A long tour interval keeps the wall camera still while it is checked.
  return `${t.url}/wall?tier=city&every=600&${q}`;
}

/** Waits for the page's own ready flag (never a sleep). */
async function settle(page: Page, kind: PageKind): Promise<void> {
  if (kind === 'workspace') {
    await page.waitForFunction(
      () => window.__siteTwinWorkspace?.ready === true || !!window.__siteTwinWorkspace?.error,
      undefined,
      { timeout: SETTLE_MS, polling: 250 },
    );
  } else {
    await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, {
      timeout: SETTLE_MS,
      polling: 250,
    });
  }
}

/**
 * A setup request, again when it failed at the socket: with the server in this process and eight engineers' tests on
 * two cores, the event loop can stall past undici's 10 s connect timeout (its timer fires before the connect is seen)
 * and setup died with "fetch failed". Such a request never reached a handler, so sending it again creates nothing twice.
 */
async function again<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? '';
      const atSocket = e instanceof TypeError && /fetch failed/.test(e.message);
      if (!atSocket || i >= 5) throw e;
      console.warn(`layoutMatrix setup: ${what} failed at the socket (${cause}); try ${i + 1} of 5`);
      await new Promise((r) => setTimeout(r, 2000 * i));
    }
  }
}

beforeAll(async () => {
  t = await startTestServer({ env: { ...E2E_MAP_BUDGET, AUTH: 'off', KPI_PUSH_MS: '2000' } });
  projectId = await again('project', () => makeProject(t, '青岛国际会展中心二期'));
  await again('second project', () => makeProject(t, '西海岸新区人才公寓'));
  const c = await again('crane', () => makeDevice(t, projectId, crane()));
  const env = await again('dust monitor', () => makeDevice(t, projectId, envMonitor()));
  const send = () =>
    Promise.all([
      postIngest(
        t,
        [
          {
            deviceId: c.device.id,
            time: Date.now(),
            values: CRANE_OVERLOAD,
          },
        ],
        c.apiKey,
      ),
      postIngest(
        t,
        [
          {
            deviceId: env.device.id,
            time: Date.now(),
            values: DUST_OVER_LIMIT,
          },
        ],
        env.apiKey,
      ),
    ]);
  await again('readings', send);
  await again('readings', send);
  feeder = setInterval(() => void send().catch(() => undefined), 5000);
  if (haveIfc) {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(IFC)]), 'IfcOpenHouse_IFC4.ifc');
    const up = await again('model upload', () =>
      fetch(`${t.url}/api/v1/projects/${projectId}/models`, { method: 'POST', body: form }),
    );
    expect(up.status).toBe(202);
    const id = (await up.json()).id as string;
    expect((await waitForModel(t, id, 240_000)).status).toBe('ready');
    await waitForFragments(t, id, 240_000);
    const els = (await again('elements', () => t.api('GET', `/api/v1/models/${id}/elements?limit=1000`))).body
      .items as {
      globalId: string;
      ifcClass: string;
      hasGeometry: boolean;
    }[];
    elementId = els.find((e) => e.hasGeometry && /^IfcRoof|^IfcSlab/i.test(e.ifcClass))?.globalId ?? null;
    expect(elementId).not.toBeNull();
  }
  const projects = (await again('projects', () => t.api('GET', '/api/v1/projects'))).body;
  const devices = (await again('devices', () => t.api('GET', `/api/v1/projects/${projectId}/devices`))).body;
  const districts = (await again('districts', () => t.api('GET', '/api/v1/districts/figures'))).body;
  // Lists come as arrays, as `{ items }`, or (the district figures) as `{ districts }`: place names are data too.
  const list = (x: unknown): Record<string, unknown>[] =>
    Array.isArray(x)
      ? x
      : ((x as { items?: Record<string, unknown>[]; districts?: Record<string, unknown>[] })?.items ??
        (x as { districts?: Record<string, unknown>[] })?.districts ??
        []);
  dataNames = [...list(projects), ...list(devices), ...list(districts)]
    .flatMap((r) => [r.name, r.enterpriseName, r.address])
    .filter((v): v is string => typeof v === 'string' && v !== '');
  expect(dataNames).toContain('青岛国际会展中心二期');
  expect(dataNames).toContain('崂山区');
  b = await openBrowser({ viewport: { width: 1600, height: 900 } });
}, 600_000);
afterAll(async () => {
  if (timings.length)
    writeFileSync(
      join(RESULTS_DIR, `layout-report-${SIZE_LIST.replace(/,/g, '_')}.json`),
      JSON.stringify(timings, null, 1),
    );
  clearInterval(feeder);
  await b?.close();
  await t?.close();
});

/**
 * A map page at 1920x1080 took over 3 minutes to get ready with eight engineers' tests on two cores; SwiftShader's
 * frame cost grows with the pixels, and the 4K map was not ready in 6 minutes at load 45: the wait grows with the
 * square root of the largest size's pixels over 1080p (12 minutes at 4K; the default sizes keep 6).
 */
const SETTLE_MS = 2 * SLOW_MS * Math.max(1, Math.sqrt(Math.max(...SIZES.map((s) => s.w * s.h), 1) / (1920 * 1080)));
const report: string[] = [];
const axeFound: string[] = [];
let axeRuns = 0;
/** axe at every size when LAYOUT_SIZES picks them (each run costs 10-60 s here); the default run axes its first size. */
const AXE_EVERY_SIZE = process.env.LAYOUT_SIZES !== undefined;
/** Per page: time to ready and to check, the machine's load, what was found (written to test-results for reports). */
const timings: {
  size: string;
  kind: PageKind;
  lang: string;
  /** Loaded fresh at this size (else resized to it from the size before). */
  loaded: boolean;
  /** From the page load (or the resize) to its ready flag (or the resized frame); null when it never got there. */
  readyMs: number | null;
  pageMs: number;
  axeMs: number | null;
  load1: number;
  problems: string[];
  axe: string[] | null;
}[] = [];

/** Runs axe-core in the page (evaluated, as the app's CSP refuses inline script tags): serious and critical only. */
async function axeProblems(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(AXE, 'utf8'));
  axeRuns++;
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: unknown,
            opts: unknown,
          ): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    // The WebGL canvas is a picture of the map, not content axe can judge.
    const r = await axe.run({ exclude: [['canvas']] }, { resultTypes: ['violations'] });
    return r.violations
      .filter((x) => x.impact === 'serious' || x.impact === 'critical')
      .map(
        (x) =>
          `${x.impact} ${x.id}: ${x.help} (${x.nodes.length}: ${x.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(', ')})`,
      );
  });
}

/** Pages (of the axe sizes) that never got ready: their failure is reported by their size, not again by axe. */
let notReady = 0;
/** Problems found while waiting (a page not ready in time), added to the size's list. */
const late: string[] = [];

/**
 * What a page that is not ready or not at rest still waits for, by its own account (the probes' `waiting`: globe
 * tiles, base map, kpis, tour arrival, entities...; the workspace: streaming, camera), and its error if any.
 */
function waitingFor(page: Page, kind: PageKind): Promise<string> {
  return page
    .evaluate((k) => {
      if (k === 'workspace') {
        const w = window.__siteTwinWorkspace;
        if (!w) return 'no probe yet';
        return [w.busy ? 'fragments' : '', w.cameraMoving ? 'camera' : '', w.error ?? ''].filter(Boolean).join(', ');
      }
      const p = k === 'wall' ? window.__siteTwinWall : window.__siteTwin;
      if (!p) return 'no probe yet';
      const err = k === 'wall' ? window.__siteTwinWall.errors.join('; ') : window.__siteTwin.error;
      return `${p.waiting.join(', ')}; ${p.frames} frames${err ? `; error ${err}` : ''}`;
    }, kind)
    .catch((e: Error) => `probe unreadable: ${e.message.slice(0, 80)}`);
}

/** Runs a wait; a timeout becomes a problem of the page (false) instead of ending the size's pass. */
async function within(
  where: string,
  what: string,
  wait: () => Promise<unknown>,
  why: () => Promise<string> = async () => '',
): Promise<boolean> {
  try {
    await wait();
    return true;
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'TimeoutError') throw e;
    const reason = await why();
    late.push(
      `${where}: not ${what} within ${SETTLE_MS / 1000} s (load ${loadavg()[0]!.toFixed(0)})${reason ? `, waiting for: ${reason}` : ''}`,
    );
    if (what === 'ready' && (AXE_EVERY_SIZE || where.endsWith(`${SIZES[0]!.w}x${SIZES[0]!.h}`))) notReady++;
    return false;
  }
}

/**
 * Waits until the page has taken a new viewport size: the window has it, the app's resize handlers have run (two
 * animation frames) and, on the Cesium pages, a frame of the new size was drawn (the widget asks for one on resize).
 */
async function resized(page: Page, kind: PageKind, size: { w: number; h: number }, frames: number): Promise<void> {
  await page.waitForFunction(
    ({ w, h }) => window.innerWidth === w && window.innerHeight === h,
    { w: size.w, h: size.h },
    { timeout: SETTLE_MS, polling: 250 },
  );
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  if (kind === 'workspace') return;
  await page.waitForFunction(
    ({ k, f }) => (k === 'wall' ? window.__siteTwinWall.frames : window.__siteTwin.frames) > f,
    { k: kind, f: frames },
    { timeout: SETTLE_MS, polling: 250 },
  );
}

/** The frames a Cesium page has drawn so far (0 for the workspace, which is not waited on by frames). */
function framesOf(page: Page, kind: PageKind): Promise<number> {
  return page.evaluate(
    (k) => (k === 'workspace' ? 0 : k === 'wall' ? window.__siteTwinWall.frames : window.__siteTwin.frames),
    kind,
  );
}

/**
 * One page load per page and language, checked at every size: zh-CN is loaded at the first size and resized through
 * the others, en is loaded at the last size and resized back through them, so every page is loaded fresh at both ends
 * and checked after a resize at every size. Each load costs up to a minute at ~1 fps in SwiftShader; a resize costs
 * a few frames. Problems are kept per size and asserted per size.
 */
const problemsBySize = new Map<string, string[]>(SIZES.map((s) => [`${s.w}x${s.h}`, []]));
const sizeName = (s: { w: number; h: number }) => `${s.w}x${s.h}`;

describe('layout matrix', () => {
  it(
    `${SIZES.map(sizeName).join(', ')}: every page in zh-CN and en without overlap, horizontal scroll or small text`,
    async () => {
      const page = b.page;
      for (const kind of PAGES) {
        for (const [li, lang] of LANGS.entries()) {
          const order = li % 2 === 0 ? [...SIZES] : [...SIZES].reverse();
          let loaded = false;
          for (const [si, size] of order.entries()) {
            const t0 = Date.now();
            const where = `${kind} ${lang} ${size.w}x${size.h}`;
            const axeSize = AXE_EVERY_SIZE || size === SIZES[0];
            let ready: boolean;
            if (si === 0) {
              await page.setViewportSize({ width: size.w, height: size.h });
              // A page that does not get ready is a failure of this size, noted; the other pages are still checked.
              ready = await within(
                where,
                'ready',
                async () => {
                  // Playwright's 30 s default was not enough for a 4K load on two busy cores.
                  await page.goto(url(kind, lang), { waitUntil: 'domcontentloaded', timeout: SETTLE_MS });
                  await settle(page, kind);
                  if (kind === 'workspace' && elementId)
                    await page.waitForFunction(
                      (g) =>
                        document.querySelector('[data-testid="element-panel"] [data-testid="element-guid"]')
                          ?.textContent === g,
                      elementId,
                      { timeout: SETTLE_MS, polling: 250 },
                    );
                },
                () => waitingFor(page, kind),
              );
              loaded = ready;
            } else if (loaded) {
              const frames = await framesOf(page, kind);
              await page.setViewportSize({ width: size.w, height: size.h });
              ready = await within(
                where,
                'ready',
                () => resized(page, kind, size, frames),
                () => waitingFor(page, kind),
              );
            } else {
              // The load at the first size failed (noted there): nothing to resize.
              late.push(`${where}: not checked, the page was not ready after its load (noted at that size)`);
              if (axeSize) notReady++;
              ready = false;
            }
            const readyMs = ready ? Date.now() - t0 : null;
            const problems: string[] = [];
            if (ready) {
              expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
              const found = await domProblems(page, minText(kind, size.w, size.h));
              found.push(...(await textProblems(page, kind !== 'wall')));
              if (kind !== 'workspace') {
                // The view at rest (camera still, tiles and labels placed), then the labels drawn on it.
                const rest = await within(
                  where,
                  'at rest',
                  () =>
                    page.waitForFunction(
                      (k) => (k === 'wall' ? window.__siteTwinWall?.idle === true : window.__siteTwin?.idle === true),
                      kind,
                      { timeout: SETTLE_MS, polling: 250 },
                    ),
                  () => waitingFor(page, kind),
                );
                if (rest) {
                  found.push(...(await labelOverlaps(page)));
                  // A top edge that grazes the ground shows far map squashed into slivers under the top bar.
                  const edge = await page.evaluate(() => window.__siteTwinTopEdgeDeg?.() ?? null);
                  if (edge === null) found.push('no top edge probe (window.__siteTwinTopEdgeDeg)');
                  else if (edge < MIN_TOP_EDGE_DEG)
                    found.push(`the map's top edge looks ${edge.toFixed(1)}° down: far-away map squashed into slivers`);
                }
              }
              if (kind !== 'workspace') found.push(...(await creditProblems(page, lang)));
              found.push(...(await wrongLanguage(page, lang, dataNames)));
              problems.push(...found.map((p) => `${where}: ${p}`));
            }
            // CSS-pixel PNGs of the viewport only (no full-page capture): small, and what a person would see.
            await page.screenshot({
              path: join(RESULTS_DIR, `layout-${kind}-${lang}-${size.w}x${size.h}.png`),
              scale: 'css',
              timeout: SLOW_MS,
            });
            // axe on the page already loaded (a second load per page costs a minute here): at every size when sizes
            // are picked with LAYOUT_SIZES, on the first one only in the default (CI) run, which is slow enough already.
            const t1 = Date.now();
            let axe: string[] | null = null;
            if (ready && axeSize) {
              axe = await axeProblems(page);
              axeFound.push(...axe.map((x) => `${kind} ${lang} ${size.w}x${size.h}: ${x}`));
            }
            problemsBySize.get(sizeName(size))!.push(...problems);
            timings.push({
              size: sizeName(size),
              kind,
              lang,
              loaded: si === 0,
              readyMs,
              pageMs: t1 - t0,
              axeMs: axe ? Date.now() - t1 : null,
              load1: loadavg()[0]!,
              problems: [...problems, ...late].filter((p) => p.startsWith(`${where}:`)),
              axe,
            });
          }
        }
      }
      for (const size of SIZES) {
        const name = sizeName(size);
        problemsBySize.get(name)!.push(...late.filter((p) => p.includes(` ${name}`)));
        report.push(`${name}: ${problemsBySize.get(name)!.length} problems`);
      }
      late.splice(0);
      expect(Object.fromEntries(problemsBySize)).toEqual(Object.fromEntries(SIZES.map((s) => [sizeName(s), []])));
    },
    1_800_000 * SIZES.length,
  );

  it('axe-core: no serious or critical violation on any page, in either language', () => {
    // Filled by the pass above (the same loads): every size with LAYOUT_SIZES, else the first.
    expect(axeFound).toEqual([]);
    expect(axeRuns).toBe(PAGES.length * LANGS.length * (AXE_EVERY_SIZE ? SIZES.length : 1) - notReady);
  });
});
