import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Router } from 'express';
import type { ClientConfig } from '../../models/ClientConfig.js';
import { tiandituSources } from '../../models/MapSource.js';
import { PROTOCOL_VERSION } from '../../models/protocol.js';
import type { AppContext } from '../context.js';
import { SERVER_VERSION } from '../version.js';
import { api } from '../../models/api/index.js';
import { openApiDocument } from './openapi.js';
import { apiRoute } from './route.js';

/** `/api/health`, `/api/v1/config` (what the client needs to know to start) and `/api/v1/openapi.json`. */
export function systemRouter(ctx: AppContext): Router {
  const r = Router();
  // Event-loop delay over the last 10-20 s: a slow health answer is the loop (a long synchronous task, e.g. an embedded
  // store query) when this is high, and the machine (CPU load) when it is not.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let last = { meanMs: 0, p99Ms: 0, maxMs: 0 };
  const snapshot = () => ({
    meanMs: round(loop.mean / 1e6),
    p99Ms: round(loop.percentile(99) / 1e6),
    maxMs: round(loop.max / 1e6),
  });
  setInterval(() => {
    last = snapshot();
    loop.reset();
  }, 10_000).unref();
  // The versions do not change while the process runs: read once, after the first good probe.
  let versions: { postgres: string; postgis: string } | undefined;
  apiRoute(r, api.system.health, async (_req, res) => {
    let store: {
      kind: string;
      ok: boolean;
      postgres?: string;
      postgis?: string;
      reason?: string;
      error?: string;
      lastFailure?: { reason: string; message: string; at: number };
    } = { kind: ctx.store.kind, ok: false };
    try {
      // A real round trip (and, embedded, a write into the data folder) with a short deadline: a store that is gone,
      // silent or out of disk says so here within seconds.
      await ctx.store.probe(HEALTH_PROBE_MS);
      versions ??= await ctx.store.versions();
      store = { kind: ctx.store.kind, ok: true, ...versions };
    } catch (err) {
      const e = err as { reason?: string; message?: string };
      store = { kind: ctx.store.kind, ok: false, reason: e.reason ?? 'unreachable', error: e.message ?? String(err) };
      ctx.log.warn({ err, reason: store.reason }, 'health: store check failed');
    }
    if (ctx.store.lastFailure) store.lastFailure = ctx.store.lastFailure;
    if (!store.ok) res.set('Retry-After', '5');
    res.status(store.ok ? 200 : 503).json({
      status: store.ok ? 'ok' : 'degraded',
      version: SERVER_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      node: process.version,
      uptimeS: Math.round((Date.now() - ctx.startedAt) / 1000),
      store,
      // Worst of the current and the previous window, so a stall just before a reset still shows.
      eventLoopDelay: ((now) => ({
        meanMs: now.meanMs,
        p99Ms: Math.max(now.p99Ms, last.p99Ms),
        maxMs: Math.max(now.maxMs, last.maxMs),
      }))(snapshot()),
    });
  });
  apiRoute(r, api.system.config, (_req, res) => {
    const c = ctx.config;
    const mapSources = [...(c.TIANDITU_TK ? tiandituSources(c.TIANDITU_TK) : []), ...c.MAP_SOURCES];
    const body: ClientConfig = {
      protocolVersion: PROTOCOL_VERSION,
      ...(c.IMAGERY_URL ? { imageryUrl: c.IMAGERY_URL } : {}),
      ...(c.TERRAIN_URL ? { terrainUrl: c.TERRAIN_URL } : {}),
      ...(c.CONTEXT_TILESET_URL ? { contextTilesetUrl: c.CONTEXT_TILESET_URL } : {}),
      ...(mapSources.length ? { mapSources } : {}),
      mapMaxPixels: c.MAP_MAX_PIXELS,
      mapMsaaSamples: c.MAP_MSAA_SAMPLES,
    };
    res.json(body);
  });
  // Generated once, on first request (the contract does not change while the process runs).
  let openapi: string | undefined;
  apiRoute(r, api.system.openapi, (_req, res) => {
    openapi ??= JSON.stringify(openApiDocument());
    res.type('application/json').set('Cache-Control', 'public, max-age=300').send(openapi);
  });
  return r;
}

/** How long `/api/health` waits for the store before it answers 503. */
const HEALTH_PROBE_MS = 2000;

const round = (ms: number) => (Number.isFinite(ms) ? Math.round(ms * 10) / 10 : 0);
