import { z } from 'zod';

/**
 * Stable error codes that cross the wire. Clients switch on these; the message is for people.
 * Add codes, never change what one means (see PROTOCOL_VERSION in protocol.ts).
 */
export const ErrorCode = {
  /** The request body or query did not match its schema; `details.issues` lists the fields. */
  VALIDATION_FAILED: 'validation_failed',
  /** A `bbox` query was not `minLon,minLat,maxLon,maxLat` within the WGS84 range. */
  BAD_BBOX: 'bad_bbox',
  /** The body was not parseable at all (broken JSON, wrong content type). */
  BAD_REQUEST: 'bad_request',
  UNAUTHENTICATED: 'unauthenticated',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  /** A record with the same unique key exists already. */
  DUPLICATE: 'duplicate',
  /** A referenced record (e.g. the enterprise of a project) does not exist or is still in use. */
  CONFLICT: 'conflict',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  /** Well-formed but cannot be processed (e.g. a file that is not an IFC). */
  UNPROCESSABLE: 'unprocessable',
  /** The Socket.IO client speaks another protocol version than the server. */
  PROTOCOL_MISMATCH: 'protocol_mismatch',
  /** The store cannot be reached; retry later. */
  STORE_UNAVAILABLE: 'store_unavailable',
  /** The ingest queue is full (the store cannot keep up): nothing of the request was stored; retry after `Retry-After` s. */
  OVERLOADED: 'overloaded',
  INTERNAL: 'internal',
  /** The alarm is already acknowledged or cleared: it cannot be acknowledged (again). */
  ALARM_NOT_OPEN: 'alarm_not_open',
  /** A history query (replay) covers more data than one answer carries: narrow the range or widen the step. */
  RANGE_TOO_LARGE: 'range_too_large',
  /** Too many requests from this user, address or device key: retry after `Retry-After` seconds. */
  RATE_LIMITED: 'rate_limited',
  /** A reading came in through another project's channel (e.g. MQTT topic `sitetwin/<projectId>/…`) than its device's. */
  WRONG_PROJECT: 'wrong_project',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status that goes with each code. */
export const httpStatusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  bad_bbox: 400,
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  duplicate: 409,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  protocol_mismatch: 400,
  store_unavailable: 503,
  overloaded: 503,
  internal: 500,
  alarm_not_open: 409,
  range_too_large: 422,
  rate_limited: 429,
  wrong_project: 403,
};

const codes = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

/** The one shape of an error on the wire, over HTTP and Socket.IO alike. */
export const WireError = z.object({
  code: z.enum(codes),
  message: z.string(),
  details: z.unknown().optional(),
});
export type WireError = z.infer<typeof WireError>;

/** A field-level reason, as produced from a zod issue. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Turns zod issues into plain `{ path, message }` pairs that survive JSON. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/** Builds a WireError for a failed schema parse. */
export function validationError(error: z.ZodError, what = 'input'): WireError {
  return {
    code: ErrorCode.VALIDATION_FAILED,
    message: `Invalid ${what}: ${fieldIssues(error)
      .slice(0, 3)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ')}`,
    details: { issues: fieldIssues(error) },
  };
}
