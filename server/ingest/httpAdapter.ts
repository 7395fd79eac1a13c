import { Router, type Request } from 'express';
import { ErrorCode, httpStatusOf } from '../../models/errors.js';
import { AppError } from '../errors.js';
import { TokenBuckets } from '../security/TokenBuckets.js';
import type { IngestResult } from './Ingest.js';
import type { IngestAdapter, IngestAdapterDeps } from './IngestAdapter.js';
import { api, routePath } from '../../models/api/index.js';

/** The batch in a body: an array of readings, `{ readings: [...] }`, or one reading. */
export function readingsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    const readings = (body as { readings?: unknown }).readings;
    if (Array.isArray(readings)) return readings;
    if ('deviceId' in body) return [body];
  }
  throw new AppError(
    ErrorCode.BAD_REQUEST,
    'Send a JSON array of readings, { "readings": [...] }, or one reading object',
  );
}

const BEARER = /^\s*Bearer\s+(\S+)\s*$/i;

/** The device key from `Authorization: Bearer <key>`, if any. */
export function bearerKey(req: Request): string | undefined {
  const h = req.get('authorization');
  if (!h) return undefined;
  const m = BEARER.exec(h);
  if (!m) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Authorization must be "Bearer <device key>"');
  return m[1];
}

/**
 * The rate-limit bucket of an ingest request before its body is read: the key as `bearerKey` reads it (so `bearer`,
 * `BEARER  ` and a tab are one bucket), else the address `ip`.
 */
export function ingestBucketOf(req: Request, ip: string): string {
  const m = BEARER.exec(req.get('authorization') ?? '');
  return m ? `key:${m[1]!.slice(0, 256)}` : `ip:${ip}`;
}

/**
 * Status of an ingest answer: 200 when nothing was refused, 207 when some readings (or some fields of stored
 * readings, listed in `fieldRejections`) were stored and some refused,
 * and when all were refused the status of their common code (400 if the codes differ). The body is always the
 * IngestResult, with `code` and `message` added on an error status.
 */
export function statusOf(r: IngestResult): number {
  if (!r.rejected.length) return r.fieldRejections?.length ? 207 : 200;
  if (r.accepted + r.duplicates > 0) return 207;
  const codes = new Set(r.rejected.map((x) => x.code));
  return codes.size === 1 ? httpStatusOf[r.rejected[0]!.code] : 400;
}

export interface HttpIngestOptions {
  /** Most readings in one request (INGEST_MAX_BATCH). */
  maxBatch: number;
  /** Requests a second per authenticated device, burst twice that; 0 = no limit (RATE_LIMIT_DEVICE_PER_S). */
  ratePerS: number;
}

/**
 * `POST /api/v1/ingest` as an ingest adapter: a batch of readings from one or many devices, answered only after the
 * commit. Its router is mounted by Server.ts, behind the per-key limit and the body parser; errors go to the HTTP
 * error handler like every route's. `start` and `stop` have nothing to open or close: the HTTP server's own
 * listen and drain (Server.ts) start and stop it.
 */
export class HttpIngestAdapter implements IngestAdapter {
  readonly name = 'http' as const;
  readonly router: Router;

  constructor(deps: IngestAdapterDeps, opts: HttpIngestOptions) {
    this.router = ingestRouter(deps, opts);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

function ingestRouter(deps: IngestAdapterDeps, opts: HttpIngestOptions): Router {
  const r = Router();
  const rate = opts.ratePerS;
  // Per authenticated device, behind the per-key limit of Server.ts: a made-up bearer with the real key inside each
  // reading would otherwise get a fresh bucket per request.
  const perDevice = rate > 0 ? new TokenBuckets(rate, rate * 2) : undefined;
  r.post(routePath(api.ingest.submit), async (req, res) => {
    let retryAfterS = 0;
    const admit = perDevice
      ? (deviceId: string) => {
          const took = perDevice.take(deviceId);
          if (!took.ok) retryAfterS = Math.max(retryAfterS, took.retryAfterS);
          return took;
        }
      : undefined;
    const key = bearerKey(req);
    const items = readingsOf(req.body);
    const max = opts.maxBatch;
    if (items.length > max)
      throw new AppError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        `At most ${max} readings per batch; this one has ${items.length}: split it`,
        { max, got: items.length },
      );
    // A full queue throws IngestOverloadedError: the error handler answers `overloaded` with the queue's Retry-After.
    const result: IngestResult = await deps.ingest.submit(items, {
      transport: 'http',
      ...(key ? { deviceKey: key } : {}),
      ...(admit ? { admit } : {}),
    });
    const status = statusOf(result);
    if (retryAfterS) res.set('Retry-After', String(retryAfterS));
    if (status >= 400) {
      const code =
        status === 400 && new Set(result.rejected.map((x) => x.code)).size > 1
          ? ErrorCode.VALIDATION_FAILED
          : result.rejected[0]!.code;
      res
        .status(status)
        .json({ code, message: `All ${result.rejected.length} readings were refused; see rejected`, ...result });
      return;
    }
    res.status(status).json(result);
  });
  return r;
}
