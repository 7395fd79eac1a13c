import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ErrorCode, type WireError } from '../../models/errors.js';
import type { Logger } from '../log.js';
import { StoreUnavailableError } from '../store/Db.js';
import { DuplicateError, ReferenceError_ } from '../store/errors.js';
import { AppError } from '../errors.js';

/** Maps anything thrown in a route to an AppError. Unknown errors become a bare `internal`: no stack leaves. */
export function toHttpError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof StoreUnavailableError) {
    const http = new AppError(ErrorCode.STORE_UNAVAILABLE, 'The store is unavailable; retry later', undefined, { 'Retry-After': '5' });
    http.cause = err; // for the log line: why (disk full, reset, timeout), not for the client
    return http;
  }
  if (err instanceof DuplicateError) return new AppError(ErrorCode.DUPLICATE, err.message);
  if (err instanceof ReferenceError_) return new AppError(ErrorCode.CONFLICT, err.message);
  const e = err as { type?: string; status?: number; message?: string };
  // body-parser errors
  if (e?.type === 'entity.parse.failed') return new AppError(ErrorCode.BAD_REQUEST, 'The body is not valid JSON');
  if (e?.type === 'entity.too.large') return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 'The body is too large');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new AppError(ErrorCode.BAD_REQUEST, e.message ?? 'Unsupported encoding');
  // Any other body-parser refusal is a client's 4xx (http-errors marks them `expose`): e.g. a body marked
  // Content-Encoding: gzip that does not inflate (a zlib error), or a body cut short.
  const x = err as { expose?: unknown; status?: unknown };
  if (x?.expose === true && typeof x.status === 'number' && x.status >= 400 && x.status < 500) {
    return new AppError(x.status === 413 ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.BAD_REQUEST, 'The body could not be read: check its Content-Encoding and length');
  }
  return new AppError(ErrorCode.INTERNAL, 'Internal error');
}

/** The last middleware: logs, then answers `{ code, message, details }` with the status of the code. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const http = toHttpError(err);
    const fields = { code: http.code, method: req.method, path: req.path, status: http.status };
    if (http.status >= 500 && http.code !== ErrorCode.STORE_UNAVAILABLE) log.error({ ...fields, err }, 'request failed');
    else if (http.code === ErrorCode.STORE_UNAVAILABLE) {
      // Why the store is unavailable (disk full, connection reset, timeout), in the driver's own words.
      const sue = err instanceof StoreUnavailableError ? err : http.cause instanceof StoreUnavailableError ? http.cause : undefined;
      const cause = sue?.cause as { message?: string; code?: string } | undefined;
      log.warn({ ...fields, reason: sue?.reason, cause: cause ? { message: cause.message, code: cause.code } : sue?.message }, 'request rejected: store unavailable');
    } else log.warn({ ...fields, message: http.message }, 'request rejected');
    if (res.headersSent) return;
    res.status(http.status).set(http.headers).json(http.toWire() satisfies WireError);
  };
}

/** Unknown `/api` paths answer a JSON 404 rather than the client's index page. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError(ErrorCode.NOT_FOUND, `No route ${req.method} ${req.originalUrl}`));
};
