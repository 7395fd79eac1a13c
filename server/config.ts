import { z } from 'zod';
import { MAP_MAX_PIXELS_DEFAULT, MAP_MSAA_SAMPLES_DEFAULT } from '../models/ClientConfig.js';
import { MapSourceList } from '../models/MapSource.js';

const flag = (def: '0' | '1') =>
  z
    .enum(['0', '1', 'true', 'false'])
    .default(def)
    .transform((v) => v === '1' || v === 'true');

const optionalUrl = z
  .string()
  .url()
  .optional()
  .or(z.literal('').transform(() => undefined));

/** Server configuration, parsed from the environment at start. `.env.example` lists every variable. */
export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Embedded store folder, used when DATABASE_URL is unset. */
  DATA_DIR: z.string().default('./data'),
  /** PostgreSQL + PostGIS connection string; switches to the server store. */
  DATABASE_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /**
   * Server store: longest a statement may run (PostgreSQL statement_timeout), and, plus 1 s, how long a query waits
   * for an answer before the request gets 503 (a silent network). 0 turns both off. Migrations have none.
   */
  STORE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  /**
   * Embedded store: PostgreSQL shared_buffers in MB (PGlite's own default is 128; its WASM memory never shrinks, and
   * the data files are in the OS page cache behind it). Unset: 16 (server/store/PgliteDb.ts).
   */
  PGLITE_SHARED_BUFFERS_MB: z.coerce
    .number()
    .int()
    .min(1)
    .max(1024)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seed the demo city into an empty store. */
  SEED: flag('1'),
  /** Run the built-in device simulator for the demo city. */
  SIMULATE: flag('1'),
  /** XYZ or WMTS URL template of a base imagery layer; the default is Natural Earth II shipped with Cesium. */
  IMAGERY_URL: optionalUrl,
  /** Tianditu (天地图) key: adds its imagery and vector maps with annotations to the map's layer switcher. */
  TIANDITU_TK: z
    .string()
    .regex(/^[A-Za-z0-9]{16,64}$/, 'the 32-character key from console.tianditu.gov.cn')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** JSON array of online base maps for the layer switcher (models/MapSource.ts: xyz / tms / wmts, datum wgs84 or gcj02). */
  MAP_SOURCES: z
    .string()
    .default('')
    .transform((text, ctx) => {
      if (!text.trim()) return [];
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON: expected an array of map sources' });
        return z.NEVER;
      }
      const r = MapSourceList.safeParse(value);
      if (!r.success) {
        ctx.addIssue({
          code: 'custom',
          message: r.error.issues.map((i) => `${i.path.join('.') || 'list'}: ${i.message}`).join('; '),
        });
        return z.NEVER;
      }
      return r.data;
    }),
  /** Quantized-mesh terrain URL; the default is the WGS84 ellipsoid. */
  TERRAIN_URL: optionalUrl,
  /**
   * Most device pixels the map draws per frame: past it Cesium draws at a lower resolution and the browser scales the
   * map up (layout, labels, lines and clicks stay in CSS pixels). The default, one 4K frame, only bites at 4K and DPR
   * 2; a command-centre PC without a GPU (software WebGL) keeps its frame rate with 500000-1000000.
   */
  MAP_MAX_PIXELS: z.coerce.number().int().min(100_000).max(100_000_000).default(MAP_MAX_PIXELS_DEFAULT),
  /**
   * Samples per pixel of the map's multisample antialiasing (1 turns it off): Cesium's 4 smooth edges on a GPU at little
   * cost, but software WebGL (a PC without a GPU) resolves every sample on the CPU; 1 saves that time per frame.
   */
  MAP_MSAA_SAMPLES: z.coerce
    .number()
    .int()
    .refine((n) => [1, 2, 4, 8].includes(n), 'one of 1, 2, 4, 8')
    .default(MAP_MSAA_SAMPLES_DEFAULT),
  /** 3D Tiles tileset.json of the city context (buildings). */
  CONTEXT_TILESET_URL: optionalUrl,
  /** Comma-separated origins allowed by CORS; empty = same origin only. */
  CORS_ORIGINS: z.string().default(''),
  /** Largest JSON body accepted, in kilobytes. */
  MAX_JSON_KB: z.coerce.number().int().min(1).default(1024),
  /** Largest body of `POST /api/v1/ingest` (up to 10k readings), in kilobytes. */
  INGEST_MAX_KB: z.coerce.number().int().min(1).default(16384),
  /** Most readings in one ingest batch (HTTP body or Socket.IO message). */
  INGEST_MAX_BATCH: z.coerce.number().int().min(1).max(100_000).default(10_000),
  /**
   * Group commit: most readings in one ingest transaction (submissions arriving together share it); 0 = the store's
   * default (5 000).
   */
  INGEST_GROUP_MAX_ROWS: z.coerce.number().int().min(0).max(100_000).default(0),
  /**
   * Group commit: how long a submission to an idle ingest waits for others before its transaction starts, in ms. 0:
   * at once (under load the submissions arriving while a transaction runs still share the next one).
   */
  INGEST_GROUP_WAIT_MS: z.coerce.number().min(0).max(1000).default(0),
  /**
   * Group commit: ingest transactions in flight at once; 0 = the store's default (2 on PostgreSQL, 1 embedded, whose
   * one connection would only queue a second).
   */
  INGEST_GROUP_CONCURRENCY: z.coerce.number().int().min(0).max(16).default(0),
  /**
   * How a PostgreSQL server store writes an ingest group (TelemetryRepo.writeMode): `copy` (BEGIN, COPY, one statement
   * for `latest` and the rollups, COMMIT: five round trips, the least PostgreSQL CPU) or `unnest` (one statement, one
   * round trip, more PostgreSQL CPU per reading). The embedded store always takes `copy`.
   */
  INGEST_WRITE_MODE: z.enum(['copy', 'unnest']).default('copy'),
  /** Back-pressure: most readings waiting for a transaction; past that ingest answers 503 `overloaded` + Retry-After. */
  INGEST_QUEUE_MAX_ROWS: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
  /** Most live updates per device per viewer per second (per-device coalescing on `/live`). */
  LIVE_MAX_HZ: z.coerce.number().min(0.1).max(50).default(4),
  /** Most `/live` packets kept for viewers that blink (connection state recovery); past that the oldest go. */
  LIVE_RECOVERY_MAX_PACKETS: z.coerce.number().int().min(0).max(1_000_000).default(20_000),
  /**
   * Most readings kept across those packets (a city room's batch carries every reading of its tick): ~2.5 s of a
   * 1 000-project city's fan-out, a few MB of heap. A viewer away longer resubscribes and gets a snapshot.
   */
  LIVE_RECOVERY_MAX_READINGS: z.coerce.number().int().min(0).max(10_000_000).default(100_000),
  /** How often the live fan-out flushes, in ms: one batched emit per room per tick. */
  LIVE_TICK_MS: z.coerce.number().int().min(10).max(2000).default(50),
  /** Largest IFC / IFCZIP upload, in megabytes. */
  MAX_UPLOAD_MB: z.coerce.number().min(0.001).max(100_000).default(1024),
  /** IFC conversion worker processes running side by side (one model each); 1 suits a 2-core machine. */
  IFC_WORKERS: z.coerce.number().int().min(1).max(16).default(1),
  /**
   * 1: each conversion worker compiles all of web-ifc's wasm optimised when it starts (about 1.5 s of CPU once, which
   * its first job waits for), so that no later conversion pays V8's compile of the web-ifc code it is first to reach; 0:
   * V8's default (compile each function when first called, optimise it once hot).
   */
  IFC_WORKER_EAGER_WASM: flag('1'),
  /**
   * Largest plain IFC (an upload, or what an .ifczip expands to) converted at all, in megabytes: past it the model fails
   * with problem `too_large` before web-ifc reads it. 2047: Node reads at most 2 GiB into the one buffer web-ifc is
   * given (see server/ifc/pipeline/sizeLimits.ts).
   */
  IFC_CONVERT_MAX_MB: z.coerce.number().min(0.001).max(2047).default(2047),
  /**
   * Largest plain IFC whose BIM workspace file (Fragments) is built, in megabytes; a larger one is on the map with its
   * element index, and its Fragments state says why not (problem `too_large_for_fragments`). 0 = no bound.
   */
  IFC_FRAGMENTS_MAX_MB: z.coerce.number().min(0).max(100_000).default(0),
  /** A conversion running longer than this many seconds is stopped and its model marked failed. */
  IFC_JOB_TIMEOUT_S: z.coerce.number().int().min(10).default(3600),
  /** A model whose file places it farther than this from its project's location is flagged (report.farFromProject). */
  IFC_FAR_FROM_PROJECT_KM: z.coerce.number().positive().default(5),
  /** TCP port of the HJ 212-2017 listener for dust and noise monitors; unset = off. */
  HJ212_PORT: z
    .literal('')
    .transform(() => undefined)
    .or(z.coerce.number().int().min(0).max(65535))
    .optional(),
  /** HJ 212 particulate codes whose values arrive in mg/m3 (comma list of a34001, a34002, a34004); the rest are ug/m3. */
  HJ212_MGM3_CODES: z
    .string()
    .regex(/^\s*(a3400[124]\s*(,\s*a3400[124]\s*)*)?$/, 'a comma list of a34001, a34002, a34004')
    .default(''),
  /** MQTT broker to take telemetry from (`mqtt://127.0.0.1:1883`); unset = off. */
  MQTT_URL: optionalUrl,
  /** First topic level: the server subscribes to `<prefix>/+/+/telemetry`. */
  MQTT_TOPIC_PREFIX: z
    .string()
    .regex(/^[^/#+]+$/, 'one topic level, without / # +')
    .default('sitetwin'),
  /** MQTT client id; fixed, so the broker keeps the session and redelivers what was not acknowledged. */
  MQTT_CLIENT_ID: z.string().min(1).max(128).default('sitetwin-ingest'),
  /** Subscriber connections sharing the telemetry subscription; each commits one message at a time. */
  MQTT_CONSUMERS: z.coerce.number().int().min(1).max(64).default(4),
  /** How often wall KPIs are recomputed and pushed (`kpis` on /live) to each watched tier room, in ms. */
  KPI_PUSH_MS: z.coerce.number().int().min(500).max(600_000).default(5000),
  /**
   * How old a wall KPI answer may be (GET /kpis, the push on subscribe), in ms: a scope's figures are shared between
   * the calls within it (server/ops/KpiCache.ts). Unset = KPI_PUSH_MS, and never more (a push viewer already sees
   * figures that old); 0 = every call computes.
   */
  KPI_CACHE_MS: z.coerce.number().int().min(0).max(600_000).optional(),
  /** JSON file with a province's own readiness table (models/Readiness.ts ReadinessConfig); unset = the default table. */
  READINESS_CONFIG_FILE: z
    .string()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Accounts and scoped roles (`on`), or everyone may do everything (`off`: local development and tests only). */
  AUTH: z.enum(['on', 'off']).default('on'),
  /** Secret that signs session tokens (>= 32 chars); unset = a random one kept in the store, shared by every node. */
  AUTH_SECRET: z
    .string()
    .min(32, 'at least 32 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** How long a login lasts, in hours. */
  SESSION_TTL_H: z.coerce
    .number()
    .min(0.01)
    .max(24 * 30)
    .default(12),
  /** Per user (or per address without a login): most API requests per minute; 0 = no limit. */
  RATE_LIMIT_API_PER_MIN: z.coerce.number().int().min(0).default(1200),
  /** Simulated camera streams (/api/v1/sim/cameras/:id/mjpeg) open at once: in total, and per user (or address). */
  MJPEG_MAX_STREAMS: z.coerce.number().int().min(1).default(32),
  MJPEG_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).default(4),
  /** Per address and per username: most login attempts per minute; 0 = no limit. */
  RATE_LIMIT_LOGIN_PER_MIN: z.coerce.number().int().min(0).default(10),
  /** Per device key (or per address without one): most ingest requests / socket messages per second; 0 = no limit. */
  RATE_LIMIT_DEVICE_PER_S: z.coerce.number().int().min(0).default(50),
  /** Build the client at start when it is missing or stale (`npm start`); 0 for API-only nodes and test processes. */
  BUILD_CLIENT: flag('1'),
  /** Redis for the Socket.IO adapter (`redis://127.0.0.1:6379`): set it on every node when running several. */
  REDIS_URL: optionalUrl,
});
export type Config = z.infer<typeof ConfigSchema>;

/** Thrown when a variable is wrong; the message names it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment. A wrong value stops the start with a message that names the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = ConfigSchema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map(
      (i) => `  ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])] ?? '')}: ${i.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return r.data;
}
