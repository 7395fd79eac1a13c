import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { Server as IoServer } from 'socket.io';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openAccessPolicy, type AccessPolicy } from './http/access.js';
import { enterprisesRouter } from './http/enterprisesRouter.js';
import { apiNotFound, errorHandler } from './http/errorHandler.js';
import { modelsRouter } from './http/modelsRouter.js';
import { projectsRouter } from './http/projectsRouter.js';
import { staticClient } from './http/staticClient.js';
import { systemRouter } from './http/systemRouter.js';
import { devicesRouter } from './http/devicesRouter.js';
import { ingestRouter } from './http/ingestRouter.js';
import { alarmsRouter } from './http/alarmsRouter.js';
import { replayRouter } from './http/replayRouter.js';
import { AlarmEngine } from './alarms/AlarmEngine.js';
import { opsRouter } from './http/opsRouter.js';
import { progressRouter } from './http/progressRouter.js';
import { toursRouter } from './http/toursRouter.js';
import { viewpointsRouter } from './http/viewpointsRouter.js';
import { mjpegRouter } from './simulator/mjpeg.js';
import { loadReadinessConfig } from './ops/readinessConfig.js';
import { attachDeviceSockets } from './ingest/socketDevices.js';
import { Ingest } from './ingest/Ingest.js';
import { startEdges, type RunningEdges } from './ingest/edges.js';
import { ModelService } from './ifc/ModelService.js';
import { createLogger, type Logger } from './log.js';
import { LiveHub } from './realtime/LiveHub.js';
import { TelemetryFanout } from './realtime/TelemetryFanout.js';
import { KpiPusher } from './realtime/KpiPusher.js';
import type { Store } from './store/Store.js';

export const ROOT_DIR = join(import.meta.dirname, '..');
export const CLIENT_DIST_DIR = join(ROOT_DIR, 'dist', 'client');

export interface RunningServer {
  /** HJ 212 listener and MQTT subscriber, when HJ212_PORT / MQTT_URL turn them on. */
  edges: RunningEdges;
  ctx: AppContext;
  http: HttpServer;
  io: IoServer;
  /** `http://host:port` as reachable from this machine. */
  url: string;
  port: number;
  /** IFC models: uploads, conversion workers, outputs. */
  models: ModelService;
  /** The alarm engine (rules on every committed reading, crane clearance). */
  alarms: AlarmEngine;
  /** Stops accepting, closes sockets; the store stays open (its owner closes it). */
  close(): Promise<void>;
}

export interface ServerOptions {
  config: Config;
  store: Store;
  log?: Logger;
  access?: AccessPolicy;
  clientDir?: string;
}

/** Builds the Express app and Socket.IO server on one HTTP server and starts listening on `config.PORT`. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? createLogger(opts.config.LOG_LEVEL);
  const app = express();
  const http = createServer(app);
  const corsOrigins = opts.config.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  const io = new IoServer(http, {
    serveClient: false,
    // A viewer that blinks (Wi-Fi, a wall display's network hiccup) gets the packets it missed on reconnect.
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
    ...(corsOrigins.length ? { cors: { origin: corsOrigins } } : {}),
  });
  const access = opts.access ?? openAccessPolicy;
  const ctx: AppContext = {
    config: opts.config,
    store: opts.store,
    log,
    access,
    live: new LiveHub(io, access, log),
    ingest: new Ingest(opts.store, log, {
      maxRows: opts.config.INGEST_GROUP_MAX_ROWS,
      maxWaitMs: opts.config.INGEST_GROUP_WAIT_MS,
      maxQueuedRows: opts.config.INGEST_QUEUE_MAX_ROWS,
    }),
    startedAt: Date.now(),
  };
  const fanout = new TelemetryFanout(ctx.live, ctx.ingest, opts.store, { maxHz: opts.config.LIVE_MAX_HZ, tickMs: opts.config.LIVE_TICK_MS }, log);
  attachDeviceSockets(io, ctx);
  // Alarms: restored from the open ones in the store, then fed by the ingest after each commit.
  const alarms = new AlarmEngine(opts.store, ctx.live, log);
  await alarms.start(ctx.ingest);
  const deviceGone = (id: string) => {
    ctx.ingest.forgetDevice(id);
    fanout.forgetDevice(id);
    alarms.forgetDevice(id);
  };

  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Ingest batches (up to 10k readings) are larger than other bodies; this parser runs first, the next one skips.
  app.use('/api/v1/ingest', express.json({ limit: `${opts.config.INGEST_MAX_KB}kb` }));
  app.use('/api', express.json({ limit: `${opts.config.MAX_JSON_KB}kb` }));
  app.use('/api', systemRouter(ctx));
  app.use('/api/v1', projectsRouter(ctx), enterprisesRouter(ctx), devicesRouter(ctx, deviceGone), ingestRouter(ctx));
  // IFC models: uploads stream to disk (never through a body parser) and convert in worker processes.
  const models = new ModelService(opts.store, ctx.live, log, {
    dataDir: opts.config.DATA_DIR,
    workers: opts.config.IFC_WORKERS,
    jobTimeoutMs: opts.config.IFC_JOB_TIMEOUT_S * 1000,
  });
  app.use('/api/v1', modelsRouter(ctx, models));
  app.use('/api/v1', alarmsRouter(ctx, alarms), replayRouter(ctx));
  // Command center: 4D progress, tours, attendance, readiness, wall KPIs (and their push on /live).
  const kpiPusher = new KpiPusher(ctx.live, opts.store, log, opts.config.KPI_PUSH_MS);
  app.use('/api/v1', progressRouter(ctx), toursRouter(ctx), viewpointsRouter(ctx), opsRouter(ctx, loadReadinessConfig(opts.config.READINESS_CONFIG_FILE)));
  // Simulated camera streams: answer only for cameras an in-app simulation registered (404 otherwise).
  app.use('/api/v1', mjpegRouter());
  app.use('/api', apiNotFound);
  app.use(staticClient(opts.clientDir ?? CLIENT_DIST_DIR));
  app.use(errorHandler(log));

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.config.PORT, opts.config.HOST, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  // Conversions a previous run left unfinished start again, in the background: the server already serves.
  models.recover().catch((err) => log.error({ err }, 'ifc: recovering unfinished conversions failed'));
  const edges = await startEdges(ctx);
  const host = ['0.0.0.0', '::', ''].includes(opts.config.HOST) ? 'localhost' : opts.config.HOST;
  return {
    edges,
    ctx,
    http,
    io,
    port,
    models,
    alarms,
    url: `http://${host}:${port}`,
    async close() {
      await edges.close();
      await models.close();
      fanout.dispose();
      ctx.ingest.dispose();
      await alarms.dispose();
      kpiPusher.dispose();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      http.closeAllConnections();
    },
  };
}
