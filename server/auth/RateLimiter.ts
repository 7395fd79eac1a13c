import type { RequestHandler } from 'express';
import { ErrorCode } from '../../models/errors.js';
import { AppError } from '../errors.js';
import { TokenBuckets, type Take } from '../security/TokenBuckets.js';

/** The `rate_limited` error of a refused take (429 + Retry-After over HTTP). */
export function rateLimited(t: Extract<Take, { ok: false }>, what: string): AppError {
  return new AppError(
    ErrorCode.RATE_LIMITED,
    `Too many ${what}: retry in ${t.retryAfterS} s`,
    { retryAfterS: t.retryAfterS },
    { retryAfterS: t.retryAfterS },
  );
}

/** Express middleware: one token per request from the bucket of `keyOf(req)`; no limit when `perMinute` is 0. */
export function rateLimit(
  perSecond: number,
  burst: number,
  keyOf: (req: Parameters<RequestHandler>[0]) => Promise<string> | string,
  what: string,
): RequestHandler {
  if (perSecond <= 0) return (_req, _res, next) => next();
  const buckets = new TokenBuckets(perSecond, burst);
  return (req, _res, next) => {
    Promise.resolve(keyOf(req)).then(
      (key) => {
        const t = buckets.take(key);
        next(t.ok ? undefined : rateLimited(t, what));
      },
      (err) => next(err),
    );
  };
}
