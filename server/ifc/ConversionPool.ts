import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ErrorCode } from '../../models/errors.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ConversionJob, FromWorker, ScheduleJob, ToWorker, WorkerJob } from './pipeline/protocol.js';
import type { IfcScheduleResult } from './pipeline/workSchedule.js';

const ENTRY = join(import.meta.dirname, 'pipeline', 'entry.mjs');

/** How the pool starts its workers. */
export interface WorkerStartOptions {
  /** --max-old-space-size of a worker, in MB (unset: Node's default). */
  maxOldSpaceMb?: number;
  /**
   * Compile all of web-ifc's wasm optimised when a worker starts (default true; IFC_WORKER_EAGER_WASM=0 turns it
   * off). V8 otherwise compiles each wasm function with its baseline compiler when first called and optimises it once
   * it is hot, in every job that reaches code the worker has not run hot yet: after the warm-up building, the map job
   * of duplex.ifc took 917-1,192 ms of CPU, against 401-415 ms after the same file had been converted once
   * (bench/twinProfile.ts, BENCH_WARM_FILE, load 6-9). With every function compiled optimised up front, 530-600 ms. The
   * price: the worker's first web-ifc start (createIfcApi) waits for that compile, 1.5-1.6 s of CPU and 3.3-3.5 s of
   * wall time at load 8.5 instead of 75-85 ms CPU, and workers are started with their first job, so the first
   * conversion after a start (or after a worker is replaced) waits for it. A worker is long-lived, so it pays the
   * compile once instead of in the first conversions of each kind of geometry.
   */
  eagerWasm?: boolean;
}

/** The Node options of a conversion worker process. */
export function workerExecArgv(opts: WorkerStartOptions): string[] {
  const argv: string[] = [];
  if (opts.maxOldSpaceMb) argv.push(`--max-old-space-size=${opts.maxOldSpaceMb}`);
  if (opts.eagerWasm ?? true) argv.push('--no-wasm-lazy-compilation', '--no-wasm-dynamic-tiering');
  return argv;
}

/** What the pool tells its owner about a job. The handlers may be async: element batches wait for them (back-pressure). */
export interface JobHandlers {
  onProgress(m: Extract<FromWorker, { type: 'progress' }>): void;
  onElements(m: Extract<FromWorker, { type: 'elements' }>): Promise<void>;
  onDone(m: Extract<FromWorker, { type: 'done' }>): Promise<void>;
  /** A `fragments` job wrote the model's .frag. */
  onFragments(m: Extract<FromWorker, { type: 'fragments' }>): Promise<void>;
  /** A job failed (`job.kind` tells a map job from a fragments job). */
  onFailed(job: ConversionJob, code: ErrorCode, message: string, problem?: string): Promise<void>;
  /**
   * The job that follows a map job (its model's Fragments job). It goes to the worker with the map job, which runs it
   * right after `done` when no other job waits for that worker (else it is queued on `done`): either way it runs while
   * this process stores the last element batches and calls onDone.
   */
  followUp?(job: ConversionJob): ConversionJob | undefined;
  /** A map job's follow-up started (or was queued) on `done`, before onDone. */
  onFollowUp?(next: ConversionJob): void;
}

interface Slot {
  child: ChildProcess | null;
  ready: Promise<void> | null;
  job: WorkerJob | null;
  timer: NodeJS.Timeout | null;
  /**
   * The element batches of the running job, stored one after the other in the order they came (the worker keeps a
   * few in flight; a GlobalId seen twice keeps the row of the earlier batch).
   */
  elements: Promise<void>;
  /** The model whose parse the worker holds for its Fragments job (set on a map job's `done`). */
  held: string | null;
  /** The follow-up sent with the running map job (the worker may go on into it: see ToWorker). */
  then: ConversionJob | null;
}

/**
 * A small pool of conversion worker processes, one job at a time each. The brief asked for worker_threads; a process
 * is used instead because a worker thread shares the server's address space: web-ifc's wasm heap for a 200 MB file
 * (gigabytes) would count against the server's memory, and a wasm abort or OOM could take the server down. A process
 * gives the same off-the-event-loop conversion with real isolation. A crashed worker fails its job with a reason and
 * is replaced on the next job.
 */
export class ConversionPool {
  private readonly slots: Slot[];
  private readonly queue: WorkerJob[] = [];
  /** The callers of schedule jobs (queued or running), answered when their job ends. */
  private readonly waiting = new Map<ScheduleJob, { resolve(r: IfcScheduleResult): void; reject(e: AppError): void }>();
  /** Map jobs whose worker sent `done` and whose last element batches are still being stored. */
  private readonly storing = new Set<WorkerJob>();
  /** Jobs ended without success (failed, timed out, cancelled, worker died): their batches still queued are not stored. */
  private readonly dropped = new WeakSet<WorkerJob>();
  /** The follow-up each dispatched map job was sent with (the same object the worker may go on into). */
  private readonly thenOf = new WeakMap<WorkerJob, ConversionJob>();
  private closed = false;

  constructor(
    size: number,
    private readonly handlers: JobHandlers,
    private readonly log: Logger,
    private readonly opts: { jobTimeoutMs: number } & WorkerStartOptions = { jobTimeoutMs: 3_600_000 },
  ) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => ({
      child: null,
      ready: null,
      job: null,
      timer: null,
      elements: Promise.resolve(),
      held: null,
      then: null,
    }));
  }

  /** Jobs waiting plus running, and map jobs whose rows are still being stored. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job).length + this.storing.size;
  }

  /**
   * Queues a job. Map jobs go ahead of queued Fragments jobs: a new upload reaches the map before older models get
   * their workspace file, and never waits behind a backlog of them.
   */
  enqueue(job: ConversionJob): void {
    if (this.closed) return;
    const firstFragments = job.kind === 'fragments' ? -1 : this.queue.findIndex((j) => j.kind === 'fragments');
    if (firstFragments >= 0) this.queue.splice(firstFragments, 0, job);
    else this.queue.push(job);
    this.pump();
    if (job.kind !== 'fragments') this.noThen();
  }

  /** A job waits for a busy worker: workers running a map job do not go on into its Fragments job (it is queued). */
  private noThen(): void {
    if (!this.queue.some((j) => j.kind !== 'fragments')) return;
    for (const s of this.slots)
      if (s.then && s.child?.connected) {
        s.child.send({ type: 'noThen', modelId: s.then.modelId } satisfies ToWorker);
        s.then = null;
      }
  }

  /**
   * Reads the IfcWorkSchedule of a model's plain IFC in a worker process (web-ifc never runs in the server process).
   * A caller waits for the answer, so the job goes ahead of every queued conversion (behind earlier schedule jobs);
   * it still waits for a worker that is busy. Rejects with an AppError: `unprocessable` when the file cannot be read,
   * `not_found` when the model is deleted meanwhile, `internal` when the worker dies or the pool closes.
   */
  readSchedule(modelId: string, sourcePath: string): Promise<IfcScheduleResult> {
    if (this.closed)
      return Promise.reject(
        new AppError(ErrorCode.INTERNAL, 'The IFC workers are stopped (the server is shutting down)'),
      );
    const job: ScheduleJob = { kind: 'schedule', modelId, sourcePath };
    const answer = new Promise<IfcScheduleResult>((resolve, reject) => this.waiting.set(job, { resolve, reject }));
    const firstOther = this.queue.findIndex((j) => j.kind !== 'schedule');
    if (firstOther >= 0) this.queue.splice(firstOther, 0, job);
    else this.queue.push(job);
    this.pump();
    this.noThen();
    return answer;
  }

  /** Ends a job that failed: a conversion job goes to the owner's handler, a schedule job rejects its caller. */
  private fail(job: WorkerJob, code: ErrorCode, message: string, problem?: string): Promise<void> {
    if (job.kind !== 'schedule') return this.handlers.onFailed(job, code, message, problem);
    this.waiting.get(job)?.reject(new AppError(code, message));
    this.waiting.delete(job);
    return Promise.resolve();
  }

  /** Drops a model's queued jobs, and kills the workers running its jobs (a deleted model). */
  cancel(modelId: string): void {
    const gone = (job: WorkerJob) => {
      if (job.kind === 'schedule') void this.fail(job, ErrorCode.NOT_FOUND, `Model ${modelId} was deleted`);
    };
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.modelId === modelId) gone(this.queue.splice(i, 1)[0]!);
    for (const job of this.storing) if (job.modelId === modelId) this.dropped.add(job);
    for (const s of this.slots)
      if (s.job?.modelId === modelId) {
        gone(s.job);
        this.clearJob(s);
        this.kill(s);
      }
  }

  private spawn(slot: Slot): void {
    const child = fork(ENTRY, [], {
      execArgv: workerExecArgv(this.opts),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    slot.child = child;
    slot.ready = new Promise<void>((resolve, reject) => {
      const onMsg = (m: FromWorker) => {
        if (m.type === 'ready') {
          child.off('message', onMsg);
          resolve();
        }
      };
      child.on('message', onMsg);
      child.once('exit', (code) =>
        reject(new Error(`worker exited before it was ready (code ${code}): ${stderr.trim().slice(-300)}`)),
      );
    });
    slot.ready.catch(() => {});
    child.on('message', (m: FromWorker) => void this.onMessage(slot, child, m));
    child.on('exit', (code, signal) => {
      if (slot.child !== child) return;
      slot.child = null;
      slot.ready = null;
      slot.held = null;
      const job = slot.job;
      this.clearJob(slot);
      if (job) {
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        this.log.error(
          { modelId: job.modelId, code, signal, stderr: stderr.slice(-500) },
          'ifc: conversion worker died',
        );
        const oom =
          /heap out of memory|Aborted\(OOM\)|memory access out of bounds|RangeError: (WebAssembly|Array buffer allocation)/i.test(
            stderr,
          );
        void this.fail(
          job,
          ErrorCode.UNPROCESSABLE,
          oom
            ? 'The conversion ran out of memory: the file is too large or its geometry too complex for this server'
            : `The conversion worker stopped (${why}) while reading this file`,
        ).finally(() => this.pump());
      } else this.pump();
    });
  }

  private async onMessage(slot: Slot, child: ChildProcess, m: FromWorker): Promise<void> {
    const job = slot.job;
    if (m.type === 'ready' || !job || ('modelId' in m && m.modelId !== job.modelId)) return;
    try {
      if (m.type === 'schedule') {
        if (job.kind !== 'schedule') return;
        this.clearJob(slot);
        this.waiting.get(job)?.resolve(m.result);
        this.waiting.delete(job);
        this.pump();
      } else if (job.kind === 'schedule') {
        if (m.type !== 'failed') return;
        this.clearJob(slot);
        await this.fail(job, m.code, m.message);
        this.pump();
      } else if (m.type === 'progress') this.handlers.onProgress(m);
      else if (m.type === 'elements') {
        const stored = slot.elements.then(async () => {
          if (this.dropped.has(job)) return;
          await this.handlers.onElements(m);
          if (child.connected) child.send({ type: 'ack', seq: m.seq } satisfies ToWorker);
        });
        // The chain goes on after a failure (that job is failed below; the next job's batches must still run).
        slot.elements = stored.catch(() => void this.dropped.add(job));
        await stored;
      } else if (m.type === 'done') {
        // The worker sends `done` after its last batch without waiting for the acks: it goes on into the model's
        // Fragments job (or is given it, queued here) while this process stores the rows still in the chain, then onDone.
        const rows = slot.elements;
        const next = m.fragmentsSkipped ? undefined : (this.thenOf.get(job) ?? this.handlers.followUp?.(job));
        this.clearJob(slot, true);
        this.storing.add(job);
        if (next) this.handlers.onFollowUp?.(next);
        if (next && m.continues) {
          // The worker went on into it: it runs there now, under its own clock.
          slot.job = next;
          this.startClock(slot, next);
        } else {
          slot.held = next ? job.modelId : null;
          if (next) this.enqueue(next);
          else this.pump();
        }
        try {
          await rows;
          // A batch that failed to store fails the model (its own handler), a deleted model drops the rest.
          if (this.dropped.has(job)) return;
          await this.handlers.onDone(m);
        } finally {
          this.storing.delete(job);
        }
      } else if (m.type === 'fragments') {
        this.clearJob(slot);
        await this.handlers.onFragments(m);
        this.pump();
      } else if (m.type === 'failed') {
        await slot.elements;
        if (slot.job !== job) return;
        this.clearJob(slot);
        await this.fail(job, m.code, m.message, m.problem);
        this.pump();
      }
    } catch (err) {
      // The store refused what the worker sent: fail this model, keep the worker for the next one.
      this.log.error({ err, modelId: job.modelId }, 'ifc: storing a conversion result failed');
      if (slot.job === job) {
        this.clearJob(slot);
        this.kill(slot);
      }
      await this.fail(job, ErrorCode.INTERNAL, 'Storing the conversion result failed').catch(() => {});
      this.pump();
    }
  }

  /** Frees a slot; unless the job `finished`, its element batches still queued are dropped. */
  private clearJob(slot: Slot, finished = false): void {
    if (slot.job && !finished) this.dropped.add(slot.job);
    slot.job = null;
    slot.then = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
  }

  private kill(slot: Slot): void {
    const c = slot.child;
    slot.child = null;
    slot.ready = null;
    slot.held = null;
    if (c && c.exitCode === null) c.kill('SIGKILL');
  }

  private pump(): void {
    if (this.closed) return;
    for (;;) {
      const free = this.slots.filter((s) => !s.job);
      if (free.length === 0 || this.queue.length === 0) return;
      const job = this.queue.shift()!;
      // A Fragments job goes to the worker holding its model's parse; other jobs spare such a worker if they can.
      const slot = free.find((s) => s.held === job.modelId) ?? free.find((s) => !s.held) ?? free[0]!;
      slot.held = null;
      slot.job = job;
      if (!slot.child) this.spawn(slot);
      const child = slot.child!;
      slot.ready!.then(
        () => {
          if (slot.job !== job || !child.connected) return;
          // A map job carries its follow-up unless a job waits for a worker already (see noThen).
          const waits = this.queue.some((j) => j.kind !== 'fragments');
          const then =
            job.kind === 'schedule' || job.kind === 'fragments' || waits ? undefined : this.handlers.followUp?.(job);
          if (then) this.thenOf.set(job, then);
          slot.then = then ?? null;
          child.send({ type: 'job', job, ...(then ? { then } : {}) } satisfies ToWorker);
          this.startClock(slot, job);
        },
        () => {
          /* the exit handler fails the job */
        },
      );
    }
  }

  /** The clock of a job starts when the worker has it (a worker's own start-up is not the file's fault). */
  private startClock(slot: Slot, job: WorkerJob): void {
    slot.timer = setTimeout(() => {
      if (slot.job !== job) return;
      this.log.warn({ modelId: job.modelId }, 'ifc: conversion timed out');
      this.clearJob(slot);
      this.kill(slot);
      void this.fail(
        job,
        ErrorCode.UNPROCESSABLE,
        `The conversion took longer than ${Math.round(this.opts.jobTimeoutMs / 1000)} s and was stopped`,
      ).finally(() => this.pump());
    }, this.opts.jobTimeoutMs);
    slot.timer.unref();
  }

  /** Stops every worker; queued jobs stay `queued` in the store and are picked up at the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    // Schedule jobs are requests, not stored state: their callers get an answer now.
    for (const job of [...this.waiting.keys()])
      void this.fail(job, ErrorCode.INTERNAL, 'The IFC workers stopped (the server is shutting down)');
    const exits = this.slots.map((s) => {
      const c = s.child;
      s.job = null;
      if (s.timer) clearTimeout(s.timer);
      if (!c || c.exitCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    });
    await Promise.all(exits);
  }
}
