import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../client/i18n/en.js';
import { zhCN } from '../../client/i18n/zh-CN.js';
import { PROGRESS_STYLE } from '../../client/schedule4d/progressColours.js';
import { ROOT_DIR } from '../../server/Server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeProject } from '../helpers/telemetry.js';
import { E2E_MAP_BUDGET, openBrowser, SLOW_MS, type BrowserSession } from './browser.js';

// buildingSMART's 4D sample: one slab and four walls on "Ground Level" (shared files, never copied into the repo).
const SAMPLE = join(ROOT_DIR, '..', 'shared', 'ifc', 'ifc4x3-samples', 'construction-scheduling-task.ifc');
const SLAB = '20WrgxqpbDtferON_k1P2X';
const [W0, W1, W2, W3] = [
  '26tmERtwL8G8UQn5BoglEh',
  '2qqyx9mIf27vQuEGt7ts8$',
  '0edwXkNgP03AySQjQQlat2',
  '27D5wuD5z86hr07xvbZLKW',
];
const missing = !existsSync(SAMPLE);
if (missing)
  console.warn(`progress e2e skipped: the shared IFC sample is missing at ${SAMPLE} (needs /work/shared/ifc)`);

let t: TestServer;
let b: BrowserSession;
let dataDir: string;
let projectId: string;
let modelId: string;

const probe = () => b.page.evaluate(() => ({ ...window.__siteTwinProgress }));
/** Waits until the panel shows `date` (a refresh settled after `afterSeq`). */
async function shown(date: string, afterSeq: number) {
  await b.page.waitForFunction(
    ([d, s]) =>
      window.__siteTwinProgress?.date === d &&
      window.__siteTwinProgress.seq > (s as number) &&
      !window.__siteTwinProgress.loading,
    [date, afterSeq] as const,
    { timeout: SLOW_MS, polling: 200 },
  );
  return probe();
}
/** The state map and exactly the colours the page handed to the model colouring. */
function expectColoured(p: Awaited<ReturnType<typeof probe>>, want: Record<string, keyof typeof PROGRESS_STYLE>) {
  expect(p.states).toEqual(want);
  expect(p.colours).toEqual(Object.fromEntries(Object.entries(want).map(([g, s]) => [g, PROGRESS_STYLE[s].color])));
}

describe.skipIf(missing)('4D progress panel', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-progress-e2e-'));
    t = await startTestServer({ env: { ...E2E_MAP_BUDGET, DATA_DIR: dataDir } });
    projectId = await makeProject(t, '4D 进度工地');
    const form = new FormData();
    form.append('file', new Blob([readFileSync(SAMPLE)]), 'construction-scheduling-task.ifc');
    const up = await fetch(`${t.url}/api/v1/projects/${projectId}/models`, { method: 'POST', body: form });
    expect(up.status).toBe(202);
    modelId = ((await up.json()) as { id: string }).id;
    // The real conversion worker indexes the elements the selectors resolve against.
    for (let i = 0; ; i++) {
      const m = await t.api('GET', `/api/v1/models/${modelId}`);
      if (m.body.status === 'ready') break;
      if (m.body.status === 'failed' || i > 480)
        throw new Error(`conversion did not finish: ${JSON.stringify(m.body)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const csv = [
      'task;plannedStart;plannedFinish;globalIds;ifcClass;storey',
      `浇筑底板;2025-03-01;2025-03-05;${SLAB};;`,
      '砌筑墙体;2025-03-06;2025-03-12;;IfcWall;Ground Level',
    ].join('\n');
    const imp = await fetch(`${t.url}/api/v1/models/${modelId}/schedule`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    expect(imp.status).toBe(200);
    const rec = async (globalIds: string[], status: string, date: string) =>
      expect((await t.api('POST', `/api/v1/models/${modelId}/progress`, { globalIds, status, date })).status).toBe(200);
    await rec([SLAB], 'started', '2025-03-01');
    await rec([SLAB], 'finished', '2025-03-04');
    await rec([W0], 'started', '2025-03-05');
    await rec([W0], 'inspected', '2025-03-10');
    await rec([W1], 'started', '2025-03-07');
    b = await openBrowser({ viewport: { width: 1280, height: 800 } });
  }, 240_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('colours exactly the expected elements at each date, with progress matching a hand count', async () => {
    await b.page.goto(`${t.url}/?project=${projectId}&progress=2025-03-05`, { waitUntil: 'domcontentloaded' });
    let p = await shown('2025-03-05', 0);
    expect(p).toMatchObject({ open: true, projectId, modelId });
    // W0 started a day before its planned start: ahead. The other walls are not due to start yet.
    expectColoured(p, { [SLAB]: 'done', [W0]: 'ahead', [W1]: 'not_started', [W2]: 'not_started', [W3]: 'not_started' });
    expect(p.percent).toBe(20); // 1 of 5 finished
    expect(await b.page.locator('[data-testid="progress-legend"] [data-state="ahead"] b').textContent()).toBe('1');

    // Second date through the date field.
    await b.page.locator('[data-testid="progress-date"]').fill('2025-03-08');
    p = await shown('2025-03-08', p.seq);
    expectColoured(p, { [SLAB]: 'done', [W0]: 'on_time', [W1]: 'on_time', [W2]: 'behind', [W3]: 'behind' });
    expect(p.percent).toBe(20);

    // Third date through the slider: after the walls' planned finish; W0 was inspected on the 10th.
    await b.page.locator('[data-testid="progress-slider"]').evaluate((el: HTMLInputElement) => {
      el.value = String(Math.round(Date.parse('2025-03-13T00:00:00Z') / 86_400_000));
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    p = await shown('2025-03-13', p.seq);
    expectColoured(p, { [SLAB]: 'done', [W0]: 'done', [W1]: 'behind', [W2]: 'behind', [W3]: 'behind' });
    expect(p.percent).toBe(40); // 2 of 5
    expect(p.storeys).toEqual([{ storey: 'Ground Level', percent: 40, planned: 5, done: 2 }]);
    expect(await b.page.locator('[data-testid="progress-total"]').textContent()).toBe('40 %');
    await b.page.waitForFunction(() => window.__siteTwin?.idle && window.__siteTwinBim?.settled, undefined, {
      timeout: SLOW_MS,
      polling: 500,
    });
    await b.screenshot('progress-2025-03-13');
  });

  it('marks elements finished from the panel and recolours them', async () => {
    const before = await probe();
    await b.page.locator('.progress-mark summary').click();
    await b.page.locator('[data-testid="progress-ids"]').fill(`${W2} ${W3}`);
    await b.page.locator('[data-testid="progress-mark-status"]').selectOption('finished');
    await b.page.locator('[data-testid="progress-mark-date"]').fill('2025-03-12');
    await b.page.locator('[data-testid="progress-mark"]').click();
    // The result in the page's language, from the catalogue: "2 marked finished on Mar 12, 2025" in English.
    const lang = await b.page.evaluate(() => document.documentElement.lang);
    const cat = lang === 'en' ? en : zhCN;
    const day = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(2025, 2, 12));
    const want = cat['progress.marked']
      .replace('{n}', '2')
      .replace('{status}', cat['progress.status.finished'])
      .replace('{date}', day);
    await expect
      .poll(() => b.page.locator('[data-testid="progress-mark-result"]').textContent(), { timeout: 30_000 })
      .toBe(want);
    const p = await shown('2025-03-13', before.seq);
    expectColoured(p, { [SLAB]: 'done', [W0]: 'done', [W1]: 'behind', [W2]: 'done', [W3]: 'done' });
    expect(p.percent).toBe(80);
    expect(b.consoleErrors).toEqual([]);
    expect(b.externalRequests).toEqual([]);
  });
});
