import { type z } from 'zod';

/**
 * The REST contract's building blocks: an endpoint is a plain descriptor (method, path, schemas, summary) that the
 * server registers its route from (server/http/route.ts), the client calls through (client/api/ApiClient.ts) and the
 * OpenAPI document is generated from (server/http/openapi.ts). Nothing here runs on its own.
 */

/** The REST API version: the path prefix `/api/v1` and the `info.version` major of the OpenAPI document. */
export const API_VERSION = 'v1';
export const API_PREFIX = `/api/${API_VERSION}` as const;

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Zod schemas stand in for "any schema" here; the contract only uses zod 4. */
export type Schema = z.ZodType;

export interface Endpoint {
  method: HttpMethod;
  /** The full path, Express style (`/api/v1/projects/:id`); `:name` is a path parameter. */
  path: string;
  /** One line for people reading the OpenAPI document. */
  summary: string;
  /** Path parameters that are more than a plain string (default: `z.string()`). */
  params?: Record<string, Schema>;
  /** The query string, as an object schema (what the router checks). */
  query?: Schema;
  /** The request body (JSON unless `consumes` says otherwise). */
  body?: Schema;
  /** Media types the body may come as, when not only `application/json`. */
  consumes?: string[];
  /** The success answer's body (`response` absent: no body, e.g. 204). */
  response?: Schema;
  /** Media type of the answer when it is not JSON (CSV, GeoJSON, binary, JPEG, MJPEG). */
  produces?: string;
  /** Success statuses (default 200; 201 for creations, 202 accepted, 204 no content, 207 partly refused). */
  status?: number[];
  /** Answered without a session (config, health, basemap, login, OpenAPI itself). */
  public?: boolean;
  /** Authenticated with a device key (`Authorization: Bearer <key>`) instead of a session. */
  deviceKey?: boolean;
}

/** Keeps the literal types of a descriptor (path, method, schemas) so the client can type params and answers. */
export function endpoint<const E extends Endpoint>(e: E): E {
  return e;
}

/** The names of the `:params` of a path: `'/a/:id/b/:file'` -> `'id' | 'file'`. */
export type ParamNames<P extends string> = P extends `${string}:${infer N}/${infer Rest}`
  ? N | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer N}`
    ? N
    : never;

/** The path parameters an endpoint needs, as strings. */
export type PathParams<E extends Pick<Endpoint, 'path'>> = { [K in ParamNames<E['path']>]: string };

/** What the client sends as the query of `E` (the schema's input), or nothing. */
export type QueryOf<E extends Endpoint> = E['query'] extends Schema ? z.input<E['query']> : never;
/** What the client sends as the body of `E`. */
export type BodyOf<E extends Endpoint> = E['body'] extends Schema ? z.input<E['body']> : never;
/** The answer of `E` after parsing. */
export type ResponseOf<E extends Endpoint> = E['response'] extends Schema ? z.output<E['response']> : void;

const PARAM = /:([A-Za-z0-9_]+)/g;

/** The names of an endpoint's path parameters, in order. */
export function paramNamesOf(path: string): string[] {
  return [...path.matchAll(PARAM)].map((m) => m[1]!);
}

/** A query object as a query string (`?a=1&b=x`, '' when empty); undefined, null and '' values are left out. */
export function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * The URL of an endpoint: `:params` filled (URI-encoded) and the query appended. `baseUrl` is the server's origin (or
 * a path prefix) the client runs against, '' for the page's own.
 */
export function urlOf<E extends Endpoint>(
  e: E,
  params: PathParams<E>,
  query?: Record<string, unknown>,
  baseUrl = '',
): string {
  const p = params as Record<string, string>;
  const path = e.path.replace(PARAM, (_m, name: string) => {
    const v = p[name];
    if (v === undefined) throw new Error(`${e.method.toUpperCase()} ${e.path}: missing path parameter ${name}`);
    return encodeURIComponent(v);
  });
  return `${baseUrl}${path}${queryString(query)}`;
}

/**
 * The path of `e` relative to where its router is mounted (`/api/v1` by default; the system router sits at `/api`):
 * what a server router registers, so the path is the contract's and never a second string literal.
 */
export function routePath(e: Pick<Endpoint, 'path' | 'method'>, mount: string = API_PREFIX): string {
  if (!e.path.startsWith(`${mount}/`)) throw new Error(`${e.method.toUpperCase()} ${e.path} is not under ${mount}`);
  return e.path.slice(mount.length);
}
