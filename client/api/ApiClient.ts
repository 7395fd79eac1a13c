import {
  urlOf,
  type BodyOf,
  type Endpoint,
  type ParamNames,
  type PathParams,
  type QueryOf,
  type ResponseOf,
} from '../../models/api/index.js';
import { parseAnswer, requestJson } from './ApiError.js';

/** `params` is required exactly when the endpoint's path has `:params`. */
type ParamsPart<E extends Endpoint> = [ParamNames<E['path']>] extends [never]
  ? { params?: undefined }
  : { params: PathParams<E> };

export type CallOptions<E extends Endpoint> = ParamsPart<E> & {
  query?: QueryOf<E>;
  /** The JSON body (checked against the contract's type). */
  body?: BodyOf<E>;
  /** A body sent as is with this content type instead of JSON (a CSV schedule). */
  raw?: { body: BodyInit; contentType: string };
  signal?: AbortSignal;
  /** Non-2xx statuses whose body is returned instead of thrown (e.g. 404 for "none yet"). */
  accept?: number[];
  /** Do not wait for a login on 401 (the auth calls themselves). */
  noLogin?: boolean;
  /** What the answer is, for the `bad_response` message when it fails the contract's schema. */
  what?: string;
};

/**
 * The browser's one way to the REST API: every call names an endpoint of the contract (models/api), so the URL,
 * method, parameters and the answer's type come from the same descriptor the server registered its route from.
 * Errors are ApiErrors (client/api/ApiError.ts) with the server's stable code; a 401 waits for the login and retries
 * once, as `requestJson` does; the session travels as the same-origin cookie.
 */
export class ApiClient {
  /** `baseUrl`: the server's origin or a path prefix, '' for the page's own. */
  constructor(readonly baseUrl = '') {}

  /** The URL of an endpoint, for what is fetched by URL (files, streams, links, CSV downloads). */
  url<E extends Endpoint>(e: E, params: PathParams<E>, query?: QueryOf<E>): string {
    return urlOf(e, params, query as Record<string, unknown> | undefined, this.baseUrl);
  }

  /** Calls an endpoint and returns its answer unparsed (for lists parsed item by item, or bodies of accepted errors). */
  async raw<E extends Endpoint>(e: E, ...[opts]: CallArgs<E>): Promise<unknown> {
    const o = (opts ?? {}) as CallOptions<E>;
    const url = urlOf(
      e,
      (o.params ?? {}) as PathParams<E>,
      o.query as Record<string, unknown> | undefined,
      this.baseUrl,
    );
    return requestJson(url, {
      method: e.method.toUpperCase(),
      ...(o.raw ? { body: o.raw.body, contentType: o.raw.contentType } : o.body !== undefined ? { body: o.body } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.accept ? { accept: o.accept } : {}),
      ...(o.noLogin ? { noLogin: true } : {}),
    });
  }

  /** Calls an endpoint and parses its answer with the contract's response schema (a mismatch is `bad_response`). */
  async call<E extends Endpoint>(e: E, ...args: CallArgs<E>): Promise<ResponseOf<E>> {
    const body = await this.raw(e, ...args);
    if (!e.response) return undefined as ResponseOf<E>;
    return parseAnswer(
      e.response,
      body,
      args[0]?.what ?? `answer of ${e.method.toUpperCase()} ${e.path}`,
    ) as ResponseOf<E>;
  }
}

/** Options are optional when the endpoint has no path parameters. */
type CallArgs<E extends Endpoint> = [ParamNames<E['path']>] extends [never]
  ? [opts?: CallOptions<E>]
  : [opts: CallOptions<E>];

/** The client of the page's own server. */
export const rest = new ApiClient();

/** The client for a base URL ('' = the page's own server). */
export const restAt = (baseUrl: string): ApiClient => (baseUrl ? new ApiClient(baseUrl) : rest);
