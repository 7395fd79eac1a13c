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
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<R>(fn: (tx: DbTx) => Promise<R>): Promise<R>;
  close(): Promise<void>;
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

/** Thrown by a driver when the database cannot be reached; mapped to `store_unavailable` (503). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}
