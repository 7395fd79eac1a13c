import { StoreUnavailableError } from './Db.js';

/** A unique key is taken (PostgreSQL 23505). */
export class DuplicateError extends Error {
  override name = 'DuplicateError';
}
/** A foreign key is missing or still referenced (PostgreSQL 23503). */
export class ReferenceError_ extends Error {
  override name = 'ReferenceError';
}

/** Maps PostgreSQL constraint errors (both drivers report the SQLSTATE as `code`) to the store's own errors. */
export function mapConstraintError(e: unknown): unknown {
  const err = e as { code?: string; detail?: string; message?: string };
  if (err.code === '23505') return new DuplicateError(err.detail ?? err.message ?? 'duplicate key', { cause: e });
  if (err.code === '23503') return new ReferenceError_(err.detail ?? err.message ?? 'missing reference', { cause: e });
  return e;
}

export { StoreUnavailableError };
