import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { storeKinds } from '../../helpers/store.js';
import { collect, makeProject } from '../../helpers/telemetry.js';

// buildingSMART's 4D sample: one slab and four walls on "Ground Level", each with its own IfcTask and IfcTaskTime.
const SAMPLE = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  'shared',
  'ifc',
  'ifc4x3-samples',
  'construction-scheduling-task.ifc',
);
const SLAB = '20WrgxqpbDtferON_k1P2X';
const WALLS = ['26tmERtwL8G8UQn5BoglEh', '2qqyx9mIf27vQuEGt7ts8$', '0edwXkNgP03AySQjQQlat2', '27D5wuD5z86hr07xvbZLKW'];

// On each store driver: dates must come back as the same calendar day from PGlite and from PostgreSQL (pg).
describe.each(storeKinds())('on the %s store', (kind) => {
  let t: TestServer;
  let dataDir: string;
  let projectId: string;
  let modelId: string;

  beforeAll(async () => {
    if (!existsSync(SAMPLE))
      throw new Error(`The shared IFC sample is missing: ${SAMPLE} (the 4D tests need /work/shared/ifc)`);
    dataDir = mkdtempSync(join(tmpdir(), 'sitetwin-progress-'));
    t = await startTestServer({ kind, env: { DATA_DIR: dataDir } });
    projectId = await makeProject(t, '4D 样例工地');
    const form = new FormData();
    form.append('file', new Blob([readFileSync(SAMPLE)]), 'construction-scheduling-task.ifc');
    const up = await fetch(`${t.url}/api/v1/projects/${projectId}/models`, { method: 'POST', body: form });
    expect(up.status).toBe(202);
    modelId = ((await up.json()) as { id: string }).id;
    // The real conversion worker indexes the elements the selectors resolve against.
    for (let i = 0; i < 240; i++) {
      const m = await t.api('GET', `/api/v1/models/${modelId}`);
      if (m.body.status === 'ready') return;
      if (m.body.status === 'failed') throw new Error(`conversion failed: ${JSON.stringify(m.body.error)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('conversion did not finish in 60 s');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const states = async (date: string) => {
    const r = await t.api('GET', `/api/v1/models/${modelId}/progress-state?date=${date}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.states as Record<string, string>;
  };

  describe('4D progress on the real server', () => {
    it('imports a CSV schedule (bad rows refused alone), records actuals and colours exactly the expected elements at two dates', async () => {
      const viewer = t.live();
      const got = collect(viewer);
      await viewer.emitWithAck('msg', { type: 'subscribe', scope: { kind: 'project', projectId } });
      const csv = [
        '\uFEFF编号;任务;计划开始;计划完成;构件;构件类型;楼层',
        `S;浇筑底板;2025-03-01;2025-03-05;${SLAB};;`,
        'W;砌筑墙体;2025-03-06;2025-03-12;;IfcWall;Ground Level',
        'X;坏日期;2025-03-40;2025-03-12;;IfcWall;Ground Level',
        'Y;不存在的楼层;2025-03-06;2025-03-12;;IfcWall;Level 9',
      ].join('\r\n');
      const res = await fetch(`${t.url}/api/v1/models/${modelId}/schedule`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: csv,
      });
      const imp = (await res.json()) as any;
      expect(res.status).toBe(207);
      expect(imp).toMatchObject({ source: 'csv', imported: 3, unmatchedTasks: ['Y'] });
      expect(imp.rejected).toEqual([
        {
          line: 4,
          code: 'validation_failed',
          message: expect.stringMatching(/plannedStart "2025-03-40"/),
          // The stable key and values a client words the refusal from (issue 19: Chinese UI first).
          problem: 'bad_start',
          params: { value: '2025-03-40' },
        },
      ]);

      const sched = await t.api('GET', `/api/v1/models/${modelId}/schedule`);
      expect(sched.body.tasks.map((x: any) => [x.id, x.elementCount])).toEqual([
        ['S', 1],
        ['W', 4],
        ['Y', 0],
      ]);

      const rec = async (globalIds: string[], status: string, date: string) =>
        t.api('POST', `/api/v1/models/${modelId}/progress`, { globalIds, status, date });
      expect((await rec([SLAB], 'started', '2025-03-01')).status).toBe(200);
      expect((await rec([SLAB], 'finished', '2025-03-04')).status).toBe(200);
      expect((await rec([WALLS[0]!], 'started', '2025-03-05')).status).toBe(200);
      expect((await rec([WALLS[0]!], 'inspected', '2025-03-10')).status).toBe(200);
      // One unknown element does not sink the others.
      const mixed = await rec([WALLS[1]!, 'zzzzzzzzzzzzzzzzzzzzzz'], 'started', '2025-03-07');
      expect(mixed.status).toBe(207);
      expect(mixed.body).toMatchObject({
        recorded: 1,
        rejected: [{ index: 1, globalId: 'zzzzzzzzzzzzzzzzzzzzzz', code: 'not_found' }],
      });
      expect((await rec(['zzzzzzzzzzzzzzzzzzzzzz'], 'started', '2025-03-07')).status).toBe(404);
      expect((await rec([SLAB], 'started', '2999-01-01')).status).toBe(400);
      expect((await rec([SLAB], 'poured', '2025-03-01')).status).toBe(400);

      expect(await states('2025-03-08')).toEqual({
        [SLAB]: 'done',
        [WALLS[0]!]: 'on_time',
        [WALLS[1]!]: 'on_time',
        [WALLS[2]!]: 'behind',
        [WALLS[3]!]: 'behind',
      });
      expect(await states('2025-03-03')).toEqual({
        [SLAB]: 'on_time',
        [WALLS[0]!]: 'not_started',
        [WALLS[1]!]: 'not_started',
        [WALLS[2]!]: 'not_started',
        [WALLS[3]!]: 'not_started',
      });
      expect(got.some((m) => m.type === 'progress.updated' && m.modelId === modelId)).toBe(true);

      // Hand count on 03-12: done = slab + wall 1 of 5 planned = 40 %; due by plan = all 5.
      const p = await t.api('GET', `/api/v1/projects/${projectId}/progress?date=2025-03-12`);
      expect(p.body.total).toMatchObject({ planned: 5, done: 2, percent: 40, dueByPlan: 5, plannedPercent: 100 });
      expect(p.body.storeys).toEqual([
        expect.objectContaining({ storey: 'Ground Level', planned: 5, done: 2, percent: 40 }),
      ]);
      const csvRes = await fetch(`${t.url}/api/v1/projects/${projectId}/progress.csv?date=2025-03-12`);
      expect(csvRes.headers.get('content-type')).toContain('text/csv');
      const lines = (await csvRes.text())
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines).toEqual([
        'storey,planned,done,percent,due_by_plan,planned_percent,ahead,on_time,behind,not_started',
        'Ground Level,5,2,40,5,100,0,1,2,0', // wall 2 started, due today: on time; walls 3-4 not started: behind
        'TOTAL,5,2,40,5,100,0,1,2,0',
      ]);
    });

    it("imports the model's own IfcWorkSchedule and colours by its task times", async () => {
      const r = await t.api('POST', `/api/v1/models/${modelId}/schedule`, { source: 'ifc' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ source: 'ifc', imported: 5, rejected: [], unmatchedTasks: [] });
      const sched = await t.api('GET', `/api/v1/models/${modelId}/schedule`);
      expect(sched.body.tasks.map((x: any) => [x.name, x.plannedStart, x.plannedFinish, x.elementCount])).toEqual([
        ['Slab #1', '2010-09-20', '2010-09-20', 1],
        ['Wall #1', '2010-09-21', '2010-09-21', 1],
        ['Wall #2', '2010-09-22', '2010-09-22', 1],
        ['Wall #3', '2010-09-23', '2010-09-23', 1],
        ['Wall #4', '2010-09-24', '2010-09-24', 1],
      ]);
      // The actuals recorded above are all in 2025: in 2010 they have not happened yet.
      expect(await states('2010-09-22')).toEqual({
        [SLAB]: 'behind',
        [WALLS[0]!]: 'behind',
        [WALLS[1]!]: 'not_started',
        [WALLS[2]!]: 'not_started',
        [WALLS[3]!]: 'not_started',
      });
      expect(Object.values(await states('2025-03-12')).sort()).toEqual(['behind', 'behind', 'behind', 'done', 'done']);
    });

    it('answers clear errors: bad JSON import, unknown model, bad date, no schedule', async () => {
      const bad = await t.api('POST', `/api/v1/models/${modelId}/schedule`, {
        tasks: [
          { id: 'a', name: 'x', plannedStart: 'soon', plannedFinish: '2025-01-01', selector: { ifcClass: 'IfcWall' } },
        ],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('validation_failed');
      expect(bad.body.details.rejected[0]).toMatchObject({ index: 0, code: 'validation_failed' });
      const unknown = await t.api('GET', '/api/v1/models/00000000-0000-4000-8000-000000000000/schedule');
      expect(unknown.status).toBe(404);
      expect((await t.api('GET', `/api/v1/models/${modelId}/progress-state?date=2025-02-30`)).status).toBe(400);
      expect((await t.api('GET', `/api/v1/projects/${projectId}/progress?date=tomorrow`)).body.code).toBe(
        'validation_failed',
      );
      const other = await makeProject(t);
      const empty = await t.api('GET', `/api/v1/projects/${other}/progress`);
      expect(empty.body.total).toMatchObject({ planned: 0, percent: 0 });
    });
  });
});
