import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { Server as IoServer } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { auditTrail } from './auth/auditTrail.js';
import { authRouter, ipOf } from './auth/authRouter.js';
import { cors, corsOriginsOf, securityHeaders } from './auth/hardening.js';
import { rateLimit } from './auth/RateLimiter.js';
import { ScopedAccessPolicy } from './auth/ScopedAccessPolicy.js';
import { SessionTokens } from './auth/sessions.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openAccessPolicy, type AccessPolicy } from './auth/access.js';
import { enterprisesRouter } from './http/enterprisesRouter.js';
import { apiNotFound, errorHandler } from './http/errorHandler.js';
import { modelsRouter } from './http/modelsRouter.js';
import { projectsRouter } from './http/projectsRouter.js';
import { staticClient } from './http/staticClient.js';
import { systemRouter } from './http/systemRouter.js';
import { basemapRouter } from './basemap/basemapRouter.js';
import { devicesRouter } from './http/devicesRouter.js';
import { alarmsRouter } from './http/alarmsRouter.js';
import { replayRouter } from './http/replayRouter.js';
import { AlarmEngine } from './alarms/AlarmEngine.js';
import { opsRouter } from './http/opsRouter.js';
import { districtsRouter } from './http/districtsRouter.js';
import { noticesRouter } from './http/noticesRouter.js';
import { vendorsRouter } from './http/vendorsRouter.js';
import { progressRouter } from './http/progressRouter.js';
import { toursRouter } from './http/toursRouter.js';
import { viewpointsRouter } from './http/viewpointsRouter.js';
import { topicsRouter } from './topics/topicsRouter.js';
import { NoticeOverdueWatcher } from './topics/NoticeOverdueWatcher.js';
import { loadReadinessConfig } from './ops/readinessConfig.js';
import { KpiCache } from './ops/KpiCache.js';
import { computeKpis, computeKpisMany } from './ops/opsFigures.js';
import { HttpIngestAdapter, ingestBucketOf } from './ingest/httpAdapter.js';
import { SocketDevicesAdapter } from './ingest/socketDevices.js';
import { Ingest } from './ingest/Ingest.js';
import { startEdges, type RunningEdges } from './ingest/edges.js';
import { ModelService } from './ifc/ModelService.js';
// The demo's one door into the server (main.ts seeds and simulates; nothing else in server/ imports server/demo/).
import { mjpegRouter } from './demo/simulator/mjpeg.js';
import { createLogger, type Logger } from './log.js';
import { LiveHub } from './realtime/LiveHub.js';
import { TelemetryFanout } from './realtime/TelemetryFanout.js';
import { KpiPusher } from './realtime/KpiPusher.js';
import { liveParser } from './realtime/liveEncoder.js';
import type { Store } from './store/Store.js';

export const ROOT_DIR = join(import.meta.dirname, '..');
/** Longest a graceful stop waits for requests in flight. */
const DRAIN_MS = 15_000;
/** Connection state recovery window of `/live`: a viewer back within it gets what it missed (if still kept). */
const RECOVERY_MS = 2 * 60_000;
export const CLIENT_DIST_DIR = join(ROOT_DIR, 'dist', 'client');

export interface RunningServer {
  /** HJ 212 listener and MQTT subscriber, when HJ212_PORT / MQTT_URL turn them on. */
  edges: RunningEdges;
  ctx: AppContext;
  /** The Express app (its router stack is what tests/server/http/openapi.test.ts checks against the REST contract). */
  app: express.Express;
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
  const corsOrigins = corsOriginsOf(opts.config);
  // Several nodes: every emit goes through Redis to the viewers of all nodes (REDIS_URL on each node).
  const redis = opts.config.REDIS_URL ? await redisAdapter(opts.config.REDIS_URL, log) : undefined;
  const io = new IoServer(http, {
    ...(redis ? { adapter: redis.adapter } : {}),
    serveClient: false,
    // `/live` events encoded without the binary check, telemetry batches serialized once per tick (liveEncoder.ts).
    parser: liveParser,
    // A viewer that blinks (Wi-Fi, a wall display's network hiccup) gets the packets it missed on reconnect. The
    // middlewares run again on a recovered connection: the session is checked as it is now, not as it was.
    connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_MS, skipMiddlewares: false },
    ...(corsOrigins.length ? { cors: { origin: corsOrigins } } : {}),
  });
  const tokens = await SessionTokens.open(opts.store, opts.config.AUTH_SECRET, opts.config.SESSION_TTL_H);
  const access =
    opts.access ?? (opts.config.AUTH === 'on' ? new ScopedAccessPolicy(opts.store, tokens) : openAccessPolicy);
  const ctx: AppContext = {
    config: opts.config,
    store: opts.store,
    log,
    access,
    // The one door to browsers: it checks each join and routes every push by project (see realtime/LiveHub.ts).
    live: new LiveHub(io, opts.store, access, log, {
      clustered: !!redis,
      recovery: {
        maxPackets: opts.config.LIVE_RECOVERY_MAX_PACKETS,
        maxReadings: opts.config.LIVE_RECOVERY_MAX_READINGS,
        maxAgeMs: RECOVERY_MS,
      },
    }),
    ingest: new Ingest(opts.store, log, {
      ...(opts.config.INGEST_GROUP_MAX_ROWS ? { maxRows: opts.config.INGEST_GROUP_MAX_ROWS } : {}),
      maxWaitMs: opts.config.INGEST_GROUP_WAIT_MS,
      maxQueuedRows: opts.config.INGEST_QUEUE_MAX_ROWS,
      ...(opts.config.INGEST_GROUP_CONCURRENCY ? { concurrency: opts.config.INGEST_GROUP_CONCURRENCY } : {}),
    }),
    startedAt: Date.now(),
  };
  const fanout = new TelemetryFanout(
    ctx.live,
    ctx.ingest,
    opts.store,
    { maxHz: opts.config.LIVE_MAX_HZ, tickMs: opts.config.LIVE_TICK_MS },
    log,
  );
  // Ingest adapters on the HTTP server: POST /api/v1/ingest and the Socket.IO `/devices` namespace (the edges that
  // listen on their own, HJ 212 and MQTT, start after the HTTP server: startEdges).
  const ingestLimits = { maxBatch: opts.config.INGEST_MAX_BATCH, ratePerS: opts.config.RATE_LIMIT_DEVICE_PER_S };
  const httpIngest = new HttpIngestAdapter(ctx, ingestLimits);
  const deviceSockets = new SocketDevicesAdapter(io, ctx, ingestLimits);
  await deviceSockets.start();
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
  // In-flight requests, so a graceful stop (SIGTERM) lets each finish its commit and answer before the store closes.
  let inFlight = 0;
  const idle: Array<() => void> = [];
  app.use((_req, res, next) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) idle.splice(0).forEach((f) => f());
    });
    next();
  });
  app.use(securityHeaders(opts.config));
  app.use('/api', cors(corsOrigins));
  // Limits run before any body is parsed. Devices: per key as the ingest reads it (the spelling of "Bearer" makes no
  // new bucket), else the address; the ingest router then limits per authenticated device (keys inside readings).
  const deviceRate = opts.config.RATE_LIMIT_DEVICE_PER_S;
  app.use(
    '/api/v1/ingest',
    rateLimit(
      deviceRate,
      deviceRate * 2,
      (req) => ingestBucketOf(req, ipOf(req)),
      'ingest requests for this device key',
    ),
  );
  const apiRate = opts.config.RATE_LIMIT_API_PER_MIN;
  const apiLimit = rateLimit(
    apiRate / 60,
    Math.max(1, Math.ceil(apiRate / 4)),
    async (req) => {
      const p = await access.principalOf(req);
      return p?.grant ? `user:${p.id}` : `ip:${ipOf(req)}`;
    },
    'requests',
  );
  app.use('/api', (req, res, next) => (req.path.startsWith('/v1/ingest') ? next() : apiLimit(req, res, next)));
  // Ingest batches (up to 10k readings) are larger than other bodies; this parser runs first, the next one skips.
  app.use('/api/v1/ingest', express.json({ limit: `${opts.config.INGEST_MAX_KB}kb` }));
  app.use('/api', express.json({ limit: `${opts.config.MAX_JSON_KB}kb` }));
  app.use('/api', systemRouter(ctx));
  app.use('/api/v1', basemapRouter());
  app.use('/api/v1', auditTrail(opts.store, access, log), authRouter(ctx, tokens));
  app.use('/api/v1', projectsRouter(ctx), enterprisesRouter(ctx), devicesRouter(ctx, deviceGone), httpIngest.router);
  // IFC models: uploads stream to disk (never through a body parser) and convert in worker processes.
  const models = new ModelService(opts.store, ctx.live, log, {
    dataDir: opts.config.DATA_DIR,
    workers: opts.config.IFC_WORKERS,
    jobTimeoutMs: opts.config.IFC_JOB_TIMEOUT_S * 1000,
    eagerWasm: opts.config.IFC_WORKER_EAGER_WASM,
    farFromProjectM: opts.config.IFC_FAR_FROM_PROJECT_KM * 1000,
    maxUnpackedBytes: opts.config.MAX_UPLOAD_MB * 1024 * 1024,
    maxConvertBytes: opts.config.IFC_CONVERT_MAX_MB * 1024 * 1024,
    maxFragmentsBytes: opts.config.IFC_FRAGMENTS_MAX_MB * 1024 * 1024,
  });
  app.use('/api/v1', modelsRouter(ctx, models));
  app.use('/api/v1', alarmsRouter(ctx, alarms), replayRouter(ctx));
  // Command center: 4D progress, tours, attendance, readiness, wall KPIs (and their push on /live).
  const kpiCache = new KpiCache(
    (q, now) => computeKpis(opts.store, q, now),
    Math.min(opts.config.KPI_CACHE_MS ?? opts.config.KPI_PUSH_MS, opts.config.KPI_PUSH_MS),
    Date.now,
    (err, q) => log.warn({ err, q }, 'kpis: refreshing in the background failed'),
    (qs, now) => computeKpisMany(opts.store, qs, now),
  );
  const kpiPusher = new KpiPusher(ctx.live, kpiCache, log, opts.config.KPI_PUSH_MS);
  app.use(
    '/api/v1',
    progressRouter(ctx, models),
    toursRouter(ctx),
    viewpointsRouter(ctx),
    opsRouter(ctx, loadReadinessConfig(opts.config.READINESS_CONFIG_FILE), kpiCache),
    districtsRouter(ctx),
    noticesRouter(ctx),
    vendorsRouter(ctx),
  );
  // The demo's simulated camera streams, mounted only with the demo simulation on (SIMULATE=1; main.ts starts it):
  // they answer only for cameras an in-app simulation registered (404 otherwise), read like their device.
  if (opts.config.SIMULATE)
    app.use(
      '/api/v1',
      mjpegRouter(ctx, {
        maxStreams: opts.config.MJPEG_MAX_STREAMS,
        maxStreamsPerUser: opts.config.MJPEG_MAX_STREAMS_PER_USER,
      }),
    );
  // Topics, rectification notices, BCF interchange (issue 16).
  app.use('/api/v1', topicsRouter(ctx).router);
  const overdueNotices = new NoticeOverdueWatcher(opts.store, ctx.live, log);
  overdueNotices.start();
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
  // Conversions a previous run left unfinished are queued again (the server already serves). This is awaited: a model
  // queued after startServer returns (the demo seed, an upload) must not be taken for one of them and converted twice.
  await models.recover().catch((err) => log.error({ err }, 'ifc: recovering unfinished conversions failed'));
  // Then, in the background, the embedded store's element write path is warmed (about half a second of CPU, in short
  // steps), so the first model indexed after a start does not run on PGlite's cold wasm.
  void models.warmUp().catch((err) => log.warn({ err }, 'ifc: warming up the element write path failed'));
  const edges = await startEdges(ctx);
  const host = ['0.0.0.0', '::', ''].includes(opts.config.HOST) ? 'localhost' : opts.config.HOST;
  return {
    edges,
    ctx,
    app,
    http,
    io,
    port,
    models,
    alarms,
    url: `http://${host}:${port}`,
    async close() {
      // Stop taking connections, then let the requests already in (ingest batches waiting for their commit) finish,
      // up to DRAIN_MS; keep-alive connections close as they go idle.
      http.close();
      http.closeIdleConnections();
      if (inFlight > 0)
        await Promise.race([
          new Promise<void>((r) => idle.push(r)),
          new Promise((r) => setTimeout(r, DRAIN_MS).unref()),
        ]);
      await edges.close();
      await httpIngest.stop();
      await models.close();
      fanout.dispose();
      ctx.live.close();
      ctx.ingest.dispose();
      await alarms.dispose();
      kpiPusher.dispose();
      await overdueNotices.stop();
      await deviceSockets.stop();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      http.closeAllConnections();
      await redis?.close();
    },
  };
}

/** The Socket.IO Redis adapter over two connections (publish, subscribe) to REDIS_URL. */
async function redisAdapter(
  url: string,
  log: Logger,
): Promise<{ adapter: ReturnType<typeof createAdapter>; close(): Promise<void> }> {
  const pub = createClient({ url });
  const sub = pub.duplicate();
  for (const c of [pub, sub])
    c.on('error', (err) => log.warn({ err }, 'redis: connection error (the client reconnects)'));
  await Promise.all([pub.connect(), sub.connect()]);
  log.info({ redis: url.replace(/\/\/[^@]*@/, '//***@') }, 'live: Socket.IO Redis adapter on');
  return {
    adapter: createAdapter(pub, sub),
    async close() {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
