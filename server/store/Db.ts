/**
 * The SQL connection both drivers offer. Only `server/store/` uses it: the store is the one place that speaks SQL.
 * Parameters are PostgreSQL-style `$1, $2…` on both drivers.
 */
export interface Db {
  /** `embedded` = PGlite + PostGIS in a folder; `server` = PostgreSQL + PostGIS through `pg`. */
  readonly kind: 'embedded' | 'server';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction on one connection; rolls back if it throws. `statementTimeoutMs` overrides the
   * store's statement timeout inside it (0: none, for migrations).
   */
  transaction<R>(fn: (tx: DbTx) => Promise<R>, opts?: { statementTimeoutMs?: number }): Promise<R>;
  /**
   * `COPY <target> FROM STDIN` with `data` as its input, then `sql` with `params`, in one transaction: neither stays
   * if either fails (a COPY that meets a unique key throws 23505, as `copyFrom` does). `sql`'s rows are not returned.
   * PostgreSQL server: one simple-query message holding both statements (its parameters inlined as literals), so two
   * round trips in all (the COPY's start, then its rows and the answer) where a transaction takes five (BEGIN, the
   * COPY's two, the statement, COMMIT), each also waiting for the Node event loop to see the answer and send the next
   * (bench/city.ts stages). PGlite: a transaction of the two.
   */
  copyThen(copySql: string, data: string, sql: string, params: unknown[]): Promise<void>;
  /**
   * `COPY <target> FROM STDIN` with `data` as its input, as a statement of its own (its own transaction: all rows or
   * none; a unique key met throws 23505). One statement where a transaction around it takes three more (BEGIN,
   * COMMIT, and a savepoint's two to keep the transaction usable after a failed COPY).
   */
  copy(copySql: string, data: string): Promise<void>;
  /**
   * Checks that the store answers a query, and (embedded) that its folder takes a write, within `timeoutMs`; throws
   * StoreUnavailableError otherwise. For `/api/health`: it must say "down" while the store is down, not guess.
   */
  probe(timeoutMs: number): Promise<void>;
  /** The last time the store was found unavailable (and why), for `/api/health`; cleared by nothing, dated. */
  readonly lastFailure?: StoreFailure;
  close(): Promise<void>;
}

/** Why the store could not serve: its reason, the error it came from, and when. */
export interface StoreFailure {
  reason: UnavailableReason;
  message: string;
  at: number;
}

/** What a transaction offers: queries, plus COPY for bulk loads (both drivers). */
export interface DbTx extends Pick<Db, 'query' | 'exec'> {
  /**
   * Runs `COPY <target> FROM STDIN ...` with `data` as its input (text or CSV as the statement says). Bulk loads
   * skip the per-parameter work of a multi-row INSERT. PGlite reads it as `/dev/blob`, so write the statement with
   * `FROM STDIN`; the driver swaps it.
   */
  copyFrom(sql: string, data: string): Promise<void>;
}

/**
 * Why the store cannot serve right now. Each is expected to pass (a retry later can succeed): the network or the
 * server is gone (`unreachable`), a query or a connection did not answer in time (`timeout`), the disk is full
 * (`disk_full`), the disk failed a read or write (`io_error`), the server is out of memory or connections
 * (`resources`), or the ingest queue is full (`overloaded`).
 */
export type UnavailableReason = 'unreachable' | 'timeout' | 'disk_full' | 'io_error' | 'resources' | 'overloaded';

/** Thrown by a driver when the database cannot serve now; mapped to `store_unavailable` (503 + Retry-After). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  readonly reason: UnavailableReason;
  constructor(message: string, opts: { cause?: unknown; reason?: UnavailableReason } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.reason = opts.reason ?? 'unreachable';
  }
}
