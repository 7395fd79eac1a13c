import { StoreUnavailableError, type UnavailableReason } from './Db.js';

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

/** Node errno codes (a socket or a file) that mean "not now" rather than "never". */
const ERRNO_REASONS: Record<string, UnavailableReason> = {
  ECONNREFUSED: 'unreachable',
  ECONNRESET: 'unreachable',
  ECONNABORTED: 'unreachable',
  EPIPE: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENETDOWN: 'unreachable',
  EAI_AGAIN: 'unreachable',
  ETIMEDOUT: 'timeout',
  ENOSPC: 'disk_full',
  EDQUOT: 'disk_full',
  EIO: 'io_error',
  EROFS: 'io_error',
  ENOMEM: 'resources',
  EMFILE: 'resources',
  ENFILE: 'resources',
};

/** PostgreSQL SQLSTATEs (both drivers report them as `code`) that mean "retry later". */
const SQLSTATE_REASONS: Record<string, UnavailableReason> = {
  '53100': 'disk_full', // disk_full
  '58030': 'io_error', // io_error
  '53000': 'resources', // insufficient_resources
  '53200': 'resources', // out_of_memory
  '53300': 'resources', // too_many_connections
  '57014': 'timeout', // query_canceled: our statement_timeout (a lock held by a transaction cut off mid-way, a stall)
  '25P03': 'timeout', // idle_in_transaction_session_timeout ended the session
  '57P01': 'unreachable', // admin_shutdown
  '57P02': 'unreachable', // crash_shutdown
  '57P03': 'unreachable', // cannot_connect_now (starting up, recovering)
};

/** Errors `pg` raises without a code when its connection is gone or silent. */
const PG_CLIENT_MESSAGES: [RegExp, UnavailableReason][] = [
  [/Query read timeout|timeout exceeded when trying to connect|connection timeout/i, 'timeout'],
  [/Connection terminated|not queryable|Client was closed|connect ECONNREFUSED/i, 'unreachable'],
];

/**
 * The store error a driver should throw for `e`: a StoreUnavailableError (with its reason, `e` as its cause) when `e`
 * says the store cannot serve now (network, timeouts, disk full, I/O, resources), else `e` unchanged.
 */
export function mapUnavailable(e: unknown): unknown {
  if (e instanceof StoreUnavailableError) return e;
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  let reason = code
    ? (ERRNO_REASONS[code] ?? SQLSTATE_REASONS[code] ?? (code.startsWith('08') ? 'unreachable' : undefined))
    : undefined;
  reason ??= PG_CLIENT_MESSAGES.find(([re]) => re.test(message))?.[1];
  if (!reason) return e;
  return new StoreUnavailableError(`The store is unavailable (${reason}${code ? `, ${code}` : ''}): ${message}`, {
    cause: e,
    reason,
  });
}

export { StoreUnavailableError };
