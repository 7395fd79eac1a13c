import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Router } from 'express';
import { ErrorCode } from '../../models/errors.js';
import { AppError } from '../errors.js';
import { api, routePath } from '../../models/api/index.js';

/** The layers cut by cutBasemap.ts and committed in server/basemap/layers/ (see README, "Base map"). */
export const BASEMAP_LAYERS = ['districts', 'coastline', 'land'] as const;
export type BasemapLayer = (typeof BASEMAP_LAYERS)[number];

const DATA_DIR = new URL('./layers/', import.meta.url);

let districts: { code: string; name: string }[] | undefined;
/** The districts of the demo city (GB/T 2260 code and name), read once from the committed layer. */
export function districtList(): readonly { code: string; name: string }[] {
  districts ??= (
    JSON.parse(readFileSync(new URL('districts.geojson', DATA_DIR), 'utf8')) as {
      features: { properties: { code: string; name: string } }[];
    }
  ).features.map((f) => ({ code: f.properties.code, name: f.properties.name }));
  return districts;
}

/**
 * `GET /api/v1/basemap/:layer.geojson`: the offline vector base map (district outlines with names and codes, the
 * coast, the neighbouring land), WGS84 GeoJSON. Public like `/api/v1/config`: it is open data the login page's map
 * shows too. Read on first request and kept (1.3 MB for the three); answered with an ETag so a wall that reloads
 * every night gets 304s.
 */
export function basemapRouter(): Router {
  const r = Router();
  const cache = new Map<BasemapLayer, { body: Buffer; etag: string }>();
  r.get(routePath(api.basemap.layer), (req, res) => {
    const m = /^([a-z]+)\.geojson$/.exec(String(req.params.file));
    const layer = m && (BASEMAP_LAYERS as readonly string[]).includes(m[1]!) ? (m[1] as BasemapLayer) : undefined;
    if (!layer)
      throw new AppError(
        ErrorCode.NOT_FOUND,
        `no base map layer ${req.params.file}; there are ${BASEMAP_LAYERS.map((l) => `${l}.geojson`).join(', ')}`,
      );
    let entry = cache.get(layer);
    if (!entry) {
      const body = readFileSync(new URL(`${layer}.geojson`, DATA_DIR));
      entry = { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
      cache.set(layer, entry);
    }
    res.set('ETag', entry.etag).set('Cache-Control', 'public, max-age=86400');
    if (req.get('if-none-match') === entry.etag) {
      res.status(304).end();
      return;
    }
    res.type('application/geo+json').send(entry.body);
  });
  return r;
}
