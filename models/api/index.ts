/**
 * The REST contract of Site Twin: every route under `/api` as an endpoint descriptor (method, path, schemas), shared
 * by the server's routers (server/http/route.ts registers a route from a descriptor), the browser's typed client
 * (client/api/ApiClient.ts) and the OpenAPI document served at `/api/v1/openapi.json` (server/http/openapi.ts).
 *
 * Adding a resource:
 * 1. Write `models/api/<resource>.ts` exporting `export const <resource> = { name: endpoint({ method, path, summary,
 *    params?, query?, body?, response?, status?, produces? }), … }`, built from the zod schemas in models/ (the same
 *    ones the router checks with; responses as the server really answers them).
 * 2. Add it to `api` below (its key becomes the OpenAPI tag and the first part of each operationId).
 * 3. In the router, register each route with `route(r, api.<resource>.<name>, handler)` instead of a string literal.
 * tests/server/http/openapi.test.ts fails while a route under /api is registered but not in the contract (or the
 * reverse), and tests/client/api/noLiteralUrls.test.ts while a client file outside client/api/ spells `/api/v1`.
 */
import { alarms } from './alarms.js';
import { auth, users } from './auth.js';
import type { Endpoint } from './contract.js';
import { devices } from './devices.js';
import { districts } from './districts.js';
import { enterprises } from './enterprises.js';
import { ingest } from './ingest.js';
import { basemap, simCameras } from './media.js';
import { models } from './models.js';
import { notices } from './notices.js';
import { ops } from './ops.js';
import { progress } from './progress.js';
import { projects } from './projects.js';
import { replay } from './replay.js';
import { system } from './system.js';
import { topics } from './topics.js';
import { tours } from './tours.js';
import { vendors } from './vendors.js';
import { viewpoints } from './viewpoints.js';

export * from './contract.js';

export const api = {
  system,
  auth,
  users,
  projects,
  enterprises,
  devices,
  ingest,
  alarms,
  models,
  progress,
  tours,
  viewpoints,
  ops,
  replay,
  topics,
  notices,
  vendors,
  districts,
  basemap,
  simCameras,
};

/** Every endpoint with its id (`projects.get`), in contract order. */
export function allEndpoints(): { id: string; group: string; name: string; endpoint: Endpoint }[] {
  return Object.entries(api).flatMap(([group, eps]) =>
    Object.entries(eps as Record<string, Endpoint>).map(([name, endpoint]) => ({
      id: `${group}.${name}`,
      group,
      name,
      endpoint,
    })),
  );
}
