import { ErrorCode } from '../../models/errors.js';
import { AppError, type MapsToAppError } from '../errors.js';
import { StoreUnavailableError } from '../store/Db.js';
import { dedupeKey, type StoredReading } from '../store/TelemetryRepo.js';
import { groupChannel } from '../ops/stageChannels.js';

/**
 * The ingest queue is full: the store cannot keep up. A StoreUnavailableError, so every transport already treats it
 * as "retry later" (HTTP 503 + Retry-After, MQTT holds the PUBACK, HJ 212 sends no 9014), never as a loss.
 */
export class IngestOverloadedError extends StoreUnavailableError implements MapsToAppError {
  override name = 'IngestOverloadedError';
  constructor(
    readonly queuedRows: number,
    /** Seconds after which a retry has a fair chance: the time the queue takes to drain, at least 1. */
    readonly retryAfterS: number,
  ) {
    super(`Ingest queue is full (${queuedRows} readings waiting for the store); retry in ${retryAfterS} s`, {
      reason: 'overloaded',
    });
  }
  /** `overloaded` with the queue's own retry time (not the store outage's fixed one). */
  toAppError(): AppError {
    return new AppError(
      ErrorCode.OVERLOADED,
      this.message,
      { queued: this.queuedRows, retryAfterS: this.retryAfterS },
      { retryAfterS: this.retryAfterS },
    );
  }
}

export interface GroupCommitOptions {
  /** Most readings in one transaction; a submission is never split, so one larger submission goes alone. */
  maxRows: number;
  /** How long the first submission of an idle queue waits for company before its transaction starts. */
  maxWaitMs: number;
  /** Most readings waiting (not yet in a transaction); a submission beyond that is refused with IngestOverloadedError. */
  maxQueuedRows: number;
  /**
   * Group transactions in flight at once (default 1). With 2, the next group's COPY runs while the previous one
   * moves the latest state and commits (PostgreSQL server: one connection each; an embedded store serialises them
   * anyway). Listeners still see groups in order, and a submission still resolves only after its own commit.
   */
  concurrency?: number;
}

/** One submission: its rows and what each is attached to (its device), in the same order. */
interface Job<T> {
  rows: StoredReading[];
  tags: T[];
  resolve(fresh: StoredReading[]): void;
  reject(err: unknown): void;
}

/** The tags of `fresh`, a subset of `rows` (whose tags are `tags`, in order). */
function tagsOf<T>(fresh: StoredReading[], rows: StoredReading[], tags: T[]): T[] {
  const tagOf = new Map<StoredReading, T>();
  for (let i = 0; i < rows.length; i++) tagOf.set(rows[i]!, tags[i]!);
  return fresh.map((r) => tagOf.get(r)!);
}

/** Writes rows in one transaction and returns those that were new (TelemetryRepo.write). */
export type WriteFn = (rows: StoredReading[]) => Promise<StoredReading[]>;
/** Called once per committed group, before any of its submissions resolves, with the new rows and their tags. */
export type GroupCommittedFn<T> = (rows: StoredReading[], tags: T[]) => void;

/**
 * Group commit: submissions that arrive while a transaction runs (or within `maxWaitMs` of an idle queue) share the
 * next transaction, so a thousand devices sending one reading each pay one commit, not a thousand. At most
 * `concurrency` transactions run at once; the committed listener sees groups in submission order. Each submission
 * resolves only after the transaction holding its rows committed (ack after commit). A repeat of a row of an earlier
 * submission in the same group is dropped before the write, as the store would have done had they been committed one
 * after the other. A group that repeats a row of an earlier group still in flight waits for that group to finish before
 * its own write, then finds the row there (or writes it, had the earlier group failed): the earlier submission keeps
 * the row, whichever transaction would have reached the unique key first.
 */
export class GroupCommit<T> {
  private readonly queue: Job<T>[] = [];
  private queuedRows = 0;
  /** Group transactions running now. */
  private inFlight = 0;
  /** The repeat keys of each group in flight (kept only with concurrency above 1). */
  private readonly inFlightKeys = new Set<Set<string>>();
  /** Settles when the listener has seen the last group started so far: groups are announced in order. */
  private announced: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** Recent rows per second written, for Retry-After. */
  private rate = 0;
  /** Counters since start: transactions, rows written, time spent writing, submissions refused for a full queue. */
  readonly stats = { transactions: 0, rows: 0, writeMs: 0, maxWriteMs: 0, refused: 0 };

  constructor(
    private readonly write: WriteFn,
    private readonly opts: GroupCommitOptions,
    private readonly committed: GroupCommittedFn<T>,
  ) {}

  /** Readings waiting for a transaction. */
  get queued(): number {
    return this.queuedRows;
  }

  /** Throws IngestOverloadedError when `rows` more readings would not fit (an empty queue takes any submission). */
  checkRoom(rows: number): void {
    if (this.queuedRows > 0 && this.queuedRows + rows > this.opts.maxQueuedRows) {
      this.stats.refused++;
      // Until a write has been timed there is no rate to go by: 1 s. Never more than a minute.
      const drainS = this.rate > 0 ? Math.ceil(this.queuedRows / this.rate) : 1;
      throw new IngestOverloadedError(this.queuedRows, Math.min(60, Math.max(1, drainS)));
    }
  }

  /** Queues rows (each with its tag) for the next transaction; resolves with the rows that were new, after commit. */
  submit(rows: StoredReading[], tags: T[]): Promise<StoredReading[]> {
    if (!rows.length) return Promise.resolve([]);
    try {
      this.checkRoom(rows.length);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, tags, resolve, reject });
      this.queuedRows += rows.length;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.inFlight >= this.concurrency || this.timer) return;
    if (this.queuedRows >= this.opts.maxRows || this.opts.maxWaitMs <= 0) {
      this.drain();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, this.opts.maxWaitMs);
  }

  private get concurrency(): number {
    return Math.max(1, this.opts.concurrency ?? 1);
  }

  /** Takes submissions off the queue in order, up to maxRows (at least one). */
  private take(): Job<T>[] {
    const group: Job<T>[] = [];
    let n = 0;
    while (this.queue.length) {
      const next = this.queue[0]!;
      if (group.length && n + next.rows.length > this.opts.maxRows) break;
      group.push(this.queue.shift()!);
      n += next.rows.length;
    }
    this.queuedRows -= n;
    return group;
  }

  /** Starts group transactions while there is work and a free slot; each slot takes the next group when done. */
  private drain(): void {
    while (this.queue.length && this.inFlight < this.concurrency) {
      const group = this.take();
      this.inFlight++;
      // The listener sees this group after the previous one, whichever commits first.
      const prev = this.announced;
      let announce!: () => void;
      this.announced = new Promise<void>((r) => (announce = r));
      void this.runGroup(group, prev)
        .catch(() => {}) // commitGroup settles every job itself
        .finally(() => {
          announce();
          this.inFlight--;
          if (this.queue.length) this.drain();
        });
    }
  }

  private async runGroup(group: Job<T>[], prev: Promise<void>): Promise<void> {
    const started = performance.now();
    const written = await this.commitGroup(group, prev);
    const ms = performance.now() - started;
    const s = ms / 1000;
    this.stats.transactions++;
    this.stats.rows += written;
    this.stats.writeMs += ms;
    this.stats.maxWriteMs = Math.max(this.stats.maxWriteMs, ms);
    if (written > 0 && s > 0) this.rate = this.rate ? 0.8 * this.rate + 0.2 * (written / s) : written / s;
  }

  /** Commits one group; returns how many rows went to the store. Settles every job of the group. */
  private async commitGroup(group: Job<T>[], prev: Promise<void>): Promise<number> {
    // Rows repeated across the group's submissions: the first wins, the later ones are repeats of it (a submission
    // holds no repeats of its own: Ingest drops them). The same keys tell a repeat of a group in flight.
    const rows: StoredReading[] = [];
    const tags: T[] = [];
    const keys = group.length > 1 || this.concurrency > 1 ? new Set<string>() : undefined;
    for (const job of group) {
      for (let i = 0; i < job.rows.length; i++) {
        const r = job.rows[i]!;
        if (keys) {
          const k = dedupeKey(r);
          if (keys.has(k)) continue;
          keys.add(k);
        }
        rows.push(r);
        tags.push(job.tags[i]!);
      }
    }
    // A row of an earlier group in flight: write after it finished, so the earlier submission keeps the row.
    if (keys && this.concurrency > 1) {
      let repeats = false;
      for (const other of this.inFlightKeys) {
        for (const k of keys)
          if (other.has(k)) {
            repeats = true;
            break;
          }
        if (repeats) break;
      }
      this.inFlightKeys.add(keys);
      if (repeats) await prev;
    }
    try {
      return await this.writeGroup(group, rows, tags, prev);
    } finally {
      if (keys) this.inFlightKeys.delete(keys);
    }
  }

  /** `tags[i]` is the tag of `rows[i]`. */
  private async writeGroup(group: Job<T>[], rows: StoredReading[], tags: T[], prev: Promise<void>): Promise<number> {
    let fresh: StoredReading[];
    // Stage stamps for a benchmark's probe only (stageChannels.ts): none without a subscriber.
    const start = groupChannel.hasSubscribers ? Date.now() : 0;
    let written = 0;
    try {
      fresh = await this.write(rows);
      if (start) written = Date.now();
    } catch (err) {
      // A store outage fails the whole group (each device retries). Any other error may be one submission's rows
      // (e.g. a value PostgreSQL refuses): write each submission alone, so one bad batch never sinks the others.
      if (err instanceof StoreUnavailableError || group.length === 1) {
        await prev;
        for (const job of group) job.reject(err);
        return 0;
      }
      let n = 0;
      for (const job of group) n += await this.writeGroup([job], job.rows, job.tags, prev);
      return n;
    }
    await prev; // the previous group has been announced (it committed or failed)
    const announced = start && Date.now();
    // The common case: every row was new (the COPY path answers `rows` itself) and no submission lost a row to an
    // earlier one of the group: no lookups then.
    const allNew = fresh === rows || fresh.length === rows.length;
    const whole = allNew && (group.length === 1 || rows.length === group.reduce((n, j) => n + j.rows.length, 0));
    try {
      if (fresh.length) this.committed(fresh, fresh === rows ? tags : tagsOf(fresh, rows, tags));
    } catch {
      // The rows are committed whatever a listener does; the callback logs its own errors (Ingest.notify).
    }
    if (start) groupChannel.publish({ rows: fresh, start, written, announced, notified: Date.now() });
    const kept = whole ? undefined : new Set(fresh);
    for (const job of group) job.resolve(kept ? job.rows.filter((r) => kept.has(r)) : job.rows);
    return rows.length;
  }

  /** Stops the wait timer; queued submissions still drain. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length) void this.drain();
  }
}
