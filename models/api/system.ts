import { z } from 'zod';
import { ClientConfig } from '../ClientConfig.js';
import { endpoint } from './contract.js';

/** `GET /api/health`: the store round trip, versions and event-loop delay (503 `degraded` when the store fails). */
export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  protocolVersion: z.number().int(),
  node: z.string(),
  uptimeS: z.number().int(),
  store: z.object({
    kind: z.string(),
    ok: z.boolean(),
    postgres: z.string().optional(),
    postgis: z.string().optional(),
    reason: z.string().optional(),
    error: z.string().optional(),
    lastFailure: z.object({ reason: z.string(), message: z.string(), at: z.number() }).optional(),
  }),
  eventLoopDelay: z.object({ meanMs: z.number(), p99Ms: z.number(), maxMs: z.number() }),
});
export type Health = z.infer<typeof Health>;

/** Health (outside the versioned prefix: probes keep working across API versions), config and this document. */
export const system = {
  health: endpoint({
    method: 'get',
    path: '/api/health',
    summary: 'Liveness and store health (503 when the store fails)',
    response: Health,
    status: [200, 503],
    public: true,
  }),
  config: endpoint({
    method: 'get',
    path: '/api/v1/config',
    summary: 'What the client needs to start: protocol version, map sources',
    response: ClientConfig,
    public: true,
  }),
  openapi: endpoint({
    method: 'get',
    path: '/api/v1/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    response: z.record(z.string(), z.unknown()),
    public: true,
  }),
};
