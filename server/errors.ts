import type { z } from 'zod';
import { ErrorCode, validationError, type WireError } from '../models/errors.js';
import { StoreUnavailableError } from './store/Db.js';
import { DuplicateError, ReferenceError_ } from './store/errors.js';

export interface AppErrorOptions {
  /** Seconds after which a retry has a fair chance (a full queue, a rate limit, a store outage). */
  retryAfterS?: number;
  /** Why, for the log line; never sent to the client. */
  cause?: unknown;
}

/**
 * The server's one error: a stable code (models/errors.ts), a message for people, details for programs, and when a
 * retry makes sense, after how long. It knows nothing of the transport: each edge maps it once (HTTP status and
 * Retry-After in http/errorHandler.ts, PUBACK in ingest/mqttAdapter.ts, QnRtn in ingest/hj212Server.ts, the ack of
 * ingest/socketDevices.ts).
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly retryAfterS: number | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    opts: AppErrorOptions = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.retryAfterS = opts.retryAfterS;
  }
  toWire(): WireError {
    return { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }
  static fromWire(w: WireError): AppError {
    return new AppError(w.code, w.message, w.details);
  }
}

/** An error of a lower layer that knows which AppError it is (e.g. the ingest's full queue: `overloaded`). */
export interface MapsToAppError {
  toAppError(): AppError;
}

const mapsItself = (err: unknown): err is MapsToAppError =>
  typeof (err as Partial<MapsToAppError> | null)?.toAppError === 'function';

/** Seconds a client waits before retrying while the store is unavailable. */
export const STORE_RETRY_AFTER_S = 5;

/**
 * Anything thrown, as an AppError: store errors get their codes, body-parser refusals their 4xx, and anything
 * unknown a bare `internal` (no stack leaves). The one conversion every edge uses before its own mapping.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (mapsItself(err)) return err.toAppError();
  if (err instanceof StoreUnavailableError) {
    // The cause is for the log line: why (disk full, reset, timeout), not for the client.
    return new AppError(ErrorCode.STORE_UNAVAILABLE, 'The store is unavailable; retry later', undefined, {
      retryAfterS: STORE_RETRY_AFTER_S,
      cause: err,
    });
  }
  if (err instanceof DuplicateError) return new AppError(ErrorCode.DUPLICATE, err.message);
  if (err instanceof ReferenceError_) return new AppError(ErrorCode.CONFLICT, err.message);
  const e = err as { type?: string; message?: string } | null;
  // body-parser errors
  if (e?.type === 'entity.parse.failed') return new AppError(ErrorCode.BAD_REQUEST, 'The body is not valid JSON');
  if (e?.type === 'entity.too.large') return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 'The body is too large');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new AppError(ErrorCode.BAD_REQUEST, e.message ?? 'Unsupported encoding');
  // Any other body-parser refusal is a client's 4xx (http-errors marks them `expose`): e.g. a body marked
  // Content-Encoding: gzip that does not inflate (a zlib error), or a body cut short.
  const x = err as { expose?: unknown; status?: unknown } | null;
  if (x?.expose === true && typeof x.status === 'number' && x.status >= 400 && x.status < 500) {
    return new AppError(
      x.status === 413 ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.BAD_REQUEST,
      'The body could not be read: check its Content-Encoding and length',
    );
  }
  return new AppError(ErrorCode.INTERNAL, 'Internal error', undefined, { cause: err });
}

/** True for the codes that mean "not now, retry later": nothing was stored and a retry can succeed. */
export const isRetryLater = (e: AppError): boolean =>
  e.code === ErrorCode.STORE_UNAVAILABLE || e.code === ErrorCode.OVERLOADED;

/** Parses `value` with `schema`, or throws a 400 `validation_failed` with field-level reasons. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw AppError.fromWire(validationError(r.error, what));
  return r.data;
}

export const notFound = (what: string, id: string) =>
  new AppError(ErrorCode.NOT_FOUND, `${what} ${id} does not exist`, { id });
