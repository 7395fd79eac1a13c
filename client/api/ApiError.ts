import { WireError, type ErrorCode } from '../../models/errors.js';

/** Client-side failure codes, for what never reached the server's error handler. */
export const ClientErrorCode = {
  /** The server could not be reached (down, offline, DNS). */
  NETWORK: 'network_error',
  /** The server answered with something that is not the expected JSON. */
  BAD_RESPONSE: 'bad_response',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** A failed API call: the server's stable code when it sent one, else a client-side code. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    readonly status?: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * GETs JSON from the API. Network failures, non-2xx answers (parsed as WireError when possible) and non-JSON bodies
 * all become an ApiError with a code the UI can switch on.
 */
export async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(ClientErrorCode.NETWORK, `Cannot reach the server (${(err as Error).message})`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(ClientErrorCode.BAD_RESPONSE, `The server sent ${res.status} with a body that is not JSON`, res.status);
  }
  if (!res.ok) {
    const w = WireError.safeParse(body);
    if (w.success) throw new ApiError(w.data.code, w.data.message, res.status, w.data.details);
    throw new ApiError(ClientErrorCode.BAD_RESPONSE, `The server answered ${res.status} ${res.statusText}`, res.status);
  }
  return body;
}
