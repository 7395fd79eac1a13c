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
 * Called when an API call answers 401 `unauthenticated`: shows the login and resolves once a session exists (the call
 * is then retried once), or rejects when the user cannot log in. Installed by the login screen; none = no retry.
 */
export type UnauthenticatedHandler = () => Promise<void>;
let onUnauthenticated: UnauthenticatedHandler | null = null;
/** A login that is already showing: every 401 in the meantime waits for the same one instead of opening another. */
let pendingLogin: Promise<void> | null = null;

/** Installs (or removes, with null) what happens on a 401. */
export function setUnauthenticatedHandler(h: UnauthenticatedHandler | null): void {
  onUnauthenticated = h;
}

/** Waits for a login (shared by concurrent 401s). */
export function awaitLogin(): Promise<void> {
  if (!onUnauthenticated) return Promise.reject(new ApiError('unauthenticated', 'Not logged in'));
  pendingLogin ??= onUnauthenticated().finally(() => (pendingLogin = null));
  return pendingLogin;
}

export interface RequestOptions {
  method?: string;
  /** JSON-encoded unless `contentType` says otherwise (then sent as is). */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Statuses other than 2xx whose body is returned instead of thrown (e.g. 207 is 2xx already; 404 for a probe). */
  accept?: number[];
  /** Do not wait for a login on 401 (the auth calls themselves). */
  noLogin?: boolean;
}

/**
 * Calls the API and returns the parsed JSON. Network failures, non-2xx answers (parsed as WireError when possible) and
 * non-JSON bodies all become an ApiError with a code the UI can switch on. A 401 `unauthenticated` waits for the login
 * screen and retries once, so callers never handle sessions themselves.
 */
export async function requestJson(url: string, opts: RequestOptions = {}): Promise<unknown> {
  try {
    return await requestOnce(url, opts);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'unauthenticated' || !onUnauthenticated || opts.noLogin) throw err;
    await awaitLogin();
    return requestOnce(url, opts);
  }
}

async function requestOnce(url: string, opts: RequestOptions): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/json';
    body = opts.contentType ? (opts.body as BodyInit) : JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? 'GET',
      headers,
      body,
      signal: opts.signal,
      credentials: 'same-origin',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(ClientErrorCode.NETWORK, `Cannot reach the server (${(err as Error).message})`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(
      ClientErrorCode.BAD_RESPONSE,
      `The server sent ${res.status} with a body that is not JSON`,
      res.status,
    );
  }
  if (!res.ok && !opts.accept?.includes(res.status)) {
    const w = WireError.safeParse(parsed);
    if (w.success) throw new ApiError(w.data.code, w.data.message, res.status, w.data.details);
    throw new ApiError(ClientErrorCode.BAD_RESPONSE, `The server answered ${res.status} ${res.statusText}`, res.status);
  }
  return parsed;
}

/** GETs JSON from the API (see `requestJson`). */
export function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  return requestJson(url, { signal });
}

/** Parses an API answer with its schema; a mismatch is a `bad_response` naming the first bad field. */
export function parseAnswer<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  body: unknown,
  what: string,
): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  throw new ApiError(
    ClientErrorCode.BAD_RESPONSE,
    `Unexpected ${what}: ${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
  );
}
