import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ErrorCode, httpStatusOf, type WireError } from '../../models/errors.js';
import type { Logger } from '../log.js';
import { StoreUnavailableError } from '../store/Db.js';
import { AppError, toAppError } from '../errors.js';

/** The HTTP answer of an AppError: its status follows the code; a retry hint becomes `Retry-After`. */
export function httpAnswerOf(e: AppError): { status: number; headers: Record<string, string>; body: WireError } {
  return {
    status: httpStatusOf[e.code],
    headers: e.retryAfterS === undefined ? {} : { 'Retry-After': String(e.retryAfterS) },
    body: e.toWire(),
  };
}

/** The last middleware: logs, then answers `{ code, message, details }` with the status of the code. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const http = toAppError(err);
    const answer = httpAnswerOf(http);
    const fields = { code: http.code, method: req.method, path: req.path, status: answer.status };
    if (answer.status >= 500 && http.code !== ErrorCode.STORE_UNAVAILABLE)
      log.error({ ...fields, err }, 'request failed');
    else if (http.code === ErrorCode.STORE_UNAVAILABLE) {
      // Why the store is unavailable (disk full, connection reset, timeout), in the driver's own words.
      const sue =
        err instanceof StoreUnavailableError
          ? err
          : http.cause instanceof StoreUnavailableError
            ? http.cause
            : undefined;
      const cause = sue?.cause as { message?: string; code?: string } | undefined;
      log.warn(
        { ...fields, reason: sue?.reason, cause: cause ? { message: cause.message, code: cause.code } : sue?.message },
        'request rejected: store unavailable',
      );
    } else log.warn({ ...fields, message: http.message }, 'request rejected');
    if (res.headersSent) return;
    res.status(answer.status).set(answer.headers).json(answer.body);
  };
}

/** Unknown `/api` paths answer a JSON 404 rather than the client's index page. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError(ErrorCode.NOT_FOUND, `No route ${req.method} ${req.originalUrl}`));
};
