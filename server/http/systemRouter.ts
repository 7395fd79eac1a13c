import { Router } from 'express';
import type { ClientConfig } from '../../models/ClientConfig.js';
import { PROTOCOL_VERSION } from '../../models/protocol.js';
import type { AppContext } from '../context.js';
import { SERVER_VERSION } from '../version.js';

/** `/api/health` and `/api/v1/config` (what the client needs to know to start). */
export function systemRouter(ctx: AppContext): Router {
  const r = Router();
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
    });
  });
  r.get('/v1/config', (_req, res) => {
    const c = ctx.config;
    const body: ClientConfig = {
      protocolVersion: PROTOCOL_VERSION,
      ...(c.IMAGERY_URL ? { imageryUrl: c.IMAGERY_URL } : {}),
      ...(c.TERRAIN_URL ? { terrainUrl: c.TERRAIN_URL } : {}),
      ...(c.CONTEXT_TILESET_URL ? { contextTilesetUrl: c.CONTEXT_TILESET_URL } : {}),
    };
    res.json(body);
  });
  return r;
}
