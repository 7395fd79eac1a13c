import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';

const originOf = (u: string | undefined): string[] => {
  if (!u) return [];
  try {
    // URL templates ({z}/{x}/{y}) parse fine: only the origin is kept.
    return [new URL(u.replace(/[{}]/g, '')).origin];
  } catch {
    return [];
  }
};

/** The allowed cross-origin callers from CORS_ORIGINS (exact origins; empty = same origin only). */
export function corsOriginsOf(config: Config): string[] {
  return config.CORS_ORIGINS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Security headers (helmet) with a CSP that lets Cesium run: its workers start from blob: URLs, its Draco / KTX2
 * decoders are WebAssembly ('wasm-unsafe-eval'), imagery arrives as img/data/blob, and it fetches from this origin and
 * the configured IMAGERY / TERRAIN / CONTEXT origins. Cesium's widgets set inline styles, hence 'unsafe-inline' for
 * styles only. HLS camera streams play through MediaSource (blob:).
 */
export function securityHeaders(config: Config): RequestHandler {
  const external = [...new Set([config.IMAGERY_URL, config.TERRAIN_URL, config.CONTEXT_TILESET_URL].flatMap(originOf))];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // 'unsafe-eval': Cesium's Viewer widgets (home button, credits, loading indicators) are knockout templates,
        // and knockout compiles every data-bind string with new Function; without it the Viewer throws at start and
        // no map page comes up. Scripts still load only from this origin.
        scriptSrc: ["'self'", "'unsafe-eval'", "'wasm-unsafe-eval'"],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...external],
        mediaSrc: ["'self'", 'blob:', ...external],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'data:', 'blob:', ...external],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'self'"],
        formAction: ["'self'"],
      },
    },
    // Served over plain HTTP on a LAN too: upgrading requests or HSTS would break those installs.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
}

/** CORS for the HTTP API: only the listed origins get the headers (and credentials); others get none. */
export function cors(origins: string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.vary('Origin');
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET,HEAD,POST,PUT,PATCH,DELETE');
        res.setHeader(
          'Access-Control-Allow-Headers',
          req.get('access-control-request-headers') ?? 'content-type,authorization',
        );
        res.setHeader('Access-Control-Max-Age', '600');
        return void res.status(204).end();
      }
    }
    next();
  };
}
