import type { RequestHandler, Router } from 'express';
import { routePath, type Endpoint, type ParamNames } from '../../models/api/index.js';

/**
 * Registers a route of the REST contract (models/api) on a router mounted at `mount` (`/api/v1` by default; the
 * system router is mounted at `/api`): the path comes from the contract, never from a string literal here, so the
 * router, the typed client and the OpenAPI document cannot disagree about it. The handlers stay the router's own (they
 * check params, query and body with the contract's schemas and their own error wording). Routers outside http/ (auth,
 * basemap, simulator) may not import http/: they register `r.get(routePath(api.x.y), …)` themselves.
 */
export function route<E extends Endpoint>(
  r: Router,
  e: E,
  ...handlers: RequestHandler<{ [K in ParamNames<E['path']>]: string }>[]
): void {
  r[e.method](routePath(e), ...(handlers as RequestHandler[]));
}

/** Registers a contract route on a router mounted at `/api` (health and the versioned system routes). */
export function apiRoute<E extends Endpoint>(
  r: Router,
  e: E,
  ...handlers: RequestHandler<{ [K in ParamNames<E['path']>]: string }>[]
): void {
  r[e.method](routePath(e, '/api'), ...(handlers as RequestHandler[]));
}
