import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../models/errors.js';
import { AppError } from '../../../server/errors.js';
import { ConversionPool, workerExecArgv, type JobHandlers } from '../../../server/ifc/ConversionPool.js';
import { createLogger } from '../../../server/log.js';

// buildingSMART's 4D sample: one slab and four walls, each with its own IfcTask and IfcTaskTime.
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
const haveSample = existsSync(SAMPLE);
if (!haveSample)
  console.warn(`conversionPool.test: ${SAMPLE} is absent (/work/shared/ifc): the schedule job tests are skipped`);

/** Handlers of the pool's conversion jobs: a schedule job must never reach them (it answers its caller only). */
function recordingHandlers(): JobHandlers & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    onProgress: () => void calls.push('progress'),
    onElements: async () => void calls.push('elements'),
    onDone: async () => void calls.push('done'),
    onFragments: async () => void calls.push('fragments'),
    onFailed: async (job, code) => void calls.push(`failed:${job.modelId}:${code}`),
  };
}

describe.skipIf(!haveSample)('schedule-from-IFC as a job of the conversion workers', () => {
  let pool: ConversionPool;
  let handlers: ReturnType<typeof recordingHandlers>;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sitetwin-pool-'));
    handlers = recordingHandlers();
    pool = new ConversionPool(1, handlers, createLogger('silent'), { jobTimeoutMs: 120_000 });
  });
  afterAll(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads a model's IfcWorkSchedule in a worker process and answers the caller", async () => {
    const r = await pool.readSchedule('m-4d', SAMPLE);
    expect(r.taskCount).toBeGreaterThanOrEqual(5);
    expect(r.tasks).toHaveLength(5);
    expect(
      r.tasks.every(
        (t) => t.plannedStart <= t.plannedFinish && 'globalIds' in t.selector && t.selector.globalIds.length > 0,
      ),
    ).toBe(true);
    expect(handlers.calls).toEqual([]);
    expect(pool.pending).toBe(0);
  });

  it('a failed schedule job rejects its caller with a stable code, fails no model, and the worker takes the next job', async () => {
    const err = await pool.readSchedule('m-gone', join(dir, 'missing.ifc')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(ErrorCode.UNPROCESSABLE);
    expect((err as AppError).message).toMatch(/gone/);
    expect(handlers.calls).toEqual([]);
    expect((await pool.readSchedule('m-4d', SAMPLE)).tasks).toHaveLength(5);
  });

  it('a deleted model cancels its queued schedule job; closing the pool rejects the ones still waiting', async () => {
    const first = pool.readSchedule('m-a', SAMPLE);
    const cancelled = pool.readSchedule('m-b', SAMPLE).catch((e: unknown) => e);
    pool.cancel('m-b');
    expect(((await cancelled) as AppError).code).toBe(ErrorCode.NOT_FOUND);
    expect((await first).tasks).toHaveLength(5);

    const late = new ConversionPool(1, recordingHandlers(), createLogger('silent'), { jobTimeoutMs: 120_000 });
    const waiting = late.readSchedule('m-c', SAMPLE).catch((e: unknown) => e);
    await late.close();
    expect(await waiting).toBeInstanceOf(AppError);
  });
});

describe("the conversion workers' Node options", () => {
  it('compile web-ifc optimised up front by default: every wasm function, not only what the first jobs make hot', () => {
    const argv = workerExecArgv({});
    expect(argv).toContain('--no-wasm-lazy-compilation');
    expect(argv).toContain('--no-wasm-dynamic-tiering');
  });

  it('leave V8 tiering as it is when eager compilation is switched off, and pass the heap limit', () => {
    const argv = workerExecArgv({ eagerWasm: false, maxOldSpaceMb: 512 });
    expect(argv).toEqual(['--max-old-space-size=512']);
  });

  it("are options this Node accepts (an unknown V8 flag would stop every worker's start)", () => {
    expect(() =>
      execFileSync(process.execPath, [...workerExecArgv({ maxOldSpaceMb: 512 }), '-e', '0'], { stdio: 'pipe' }),
    ).not.toThrow();
  });
});
