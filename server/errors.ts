import type { z } from 'zod';
import { ErrorCode, httpStatusOf, validationError, type WireError } from '../models/errors.js';

/** An error meant for the client: it carries a stable code and becomes `{ code, message, details }`. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
  get status(): number {
    return httpStatusOf[this.code];
  }
  toWire(): WireError {
    return { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }
  static fromWire(w: WireError): AppError {
    return new AppError(w.code, w.message, w.details);
  }
}

/** Parses `value` with `schema`, or throws a 400 `validation_failed` with field-level reasons. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw AppError.fromWire(validationError(r.error, what));
  return r.data;
}

export const notFound = (what: string, id: string) => new AppError(ErrorCode.NOT_FOUND, `${what} ${id} does not exist`, { id });
