import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Router } from 'express';
import type { ClientConfig } from '../../models/ClientConfig.js';
import { tiandituSources } from '../../models/MapSource.js';
import { PROTOCOL_VERSION } from '../../models/protocol.js';
import type { AppContext } from '../context.js';
import { SERVER_VERSION } from '../version.js';

/** `/api/health` and `/api/v1/config` (what the client needs to know to start). */
export function systemRouter(ctx: AppContext): Router {
  const r = Router();
  // Event-loop delay over the last 10-20 s: a slow health answer is the loop (a long synchronous task, e.g. an embedded
  // store query) when this is high, and the machine (CPU load) when it is not.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let last = { meanMs: 0, p99Ms: 0, maxMs: 0 };
  const snapshot = () => ({ meanMs: round(loop.mean / 1e6), p99Ms: round(loop.percentile(99) / 1e6), maxMs: round(loop.max / 1e6) });
  setInterval(() => {
    last = snapshot();
    loop.reset();
  }, 10_000).unref();
  r.get('/health', async (_req, res) => {
    let store: { kind: string; ok: boolean; postgres?: string; postgis?: string } = { kind: ctx.store.kind, ok: false };
    try {
      store = { kind: ctx.store.kind, ok: true, ...(await ctx.store.versions()) };
    } catch (err) {
      ctx.log.warn({ err }, 'health: store check failed');
    }
    res.status(store.ok ? 200 : 503).json({
      status: store.ok ? 'ok' : 'degraded',
      version: SERVER_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      node: process.version,
      uptimeS: Math.round((Date.now() - ctx.startedAt) / 1000),
      store,
      // Worst of the current and the previous window, so a stall just before a reset still shows.
      eventLoopDelay: ((now) => ({ meanMs: now.meanMs, p99Ms: Math.max(now.p99Ms, last.p99Ms), maxMs: Math.max(now.maxMs, last.maxMs) }))(snapshot()),
    });
  });
  r.get('/v1/config', (_req, res) => {
    const c = ctx.config;
    const mapSources = [...(c.TIANDITU_TK ? tiandituSources(c.TIANDITU_TK) : []), ...c.MAP_SOURCES];
    const body: ClientConfig = {
      protocolVersion: PROTOCOL_VERSION,
      ...(c.IMAGERY_URL ? { imageryUrl: c.IMAGERY_URL } : {}),
      ...(c.TERRAIN_URL ? { terrainUrl: c.TERRAIN_URL } : {}),
      ...(c.CONTEXT_TILESET_URL ? { contextTilesetUrl: c.CONTEXT_TILESET_URL } : {}),
      ...(mapSources.length ? { mapSources } : {}),
    };
    res.json(body);
  });
  return r;
}

const round = (ms: number) => (Number.isFinite(ms) ? Math.round(ms * 10) / 10 : 0);
