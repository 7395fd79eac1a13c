import { z } from 'zod';

/** A tile URL template: http(s) or a path on this server; `{x} {y} {z}` (`{reverseY}` for TMS), `{s}` for subdomains. */
const TileTemplate = z
  .string()
  .max(2000)
  .regex(/^(https?:\/\/|\/)/, 'an http(s) URL or a path starting with /');

/**
 * An online base map the client may show under the coast and district lines, chosen in the map's layer switcher.
 * `kind`: `xyz` = Web Mercator `{z}/{x}/{y}` (also Tianditu's and other WMTS servers' KVP GetTile URLs with the three
 * placeholders), `tms` = y counted from the south (`{reverseY}`), `wmts` = a RESTful WMTS template with
 * `{TileMatrix}/{TileRow}/{TileCol}` and its layer / style / tile matrix set. `datum: 'gcj02'` marks tiles drawn in
 * GCJ-02 (Gaode/Amap, Tencent): the client shifts their grid to WGS84 so models and devices line up.
 */
export const MapSource = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and -, at most 40'),
  name: z.string().min(1).max(60),
  kind: z.enum(['xyz', 'tms', 'wmts']),
  url: TileTemplate,
  /** An annotation (labels) layer drawn over the base and the lines, e.g. Tianditu's cia / cva. */
  labelsUrl: TileTemplate.optional(),
  subdomains: z.array(z.string().min(1).max(20)).max(16).optional(),
  datum: z.enum(['wgs84', 'gcj02']).default('wgs84'),
  maximumLevel: z.number().int().min(0).max(23).default(18),
  /** Shown in the map's credits, as the source's terms require. */
  credit: z.string().max(200).optional(),
  /** WMTS only. */
  layer: z.string().max(100).optional(),
  style: z.string().max(100).optional(),
  tileMatrixSetID: z.string().max(100).optional(),
});
export type MapSource = z.infer<typeof MapSource>;

/** A list of sources with unique ids. */
export const MapSourceList = z
  .array(MapSource)
  .max(32)
  .refine((l) => new Set(l.map((s) => s.id)).size === l.length, 'source ids must be unique');

/**
 * Tianditu (天地图, the national platform of the Ministry of Natural Resources) in Web Mercator (`_w`): imagery and
 * vector maps, each with its annotation layer. Its datum is CGCS2000, within a metre of WGS84 at map scale, so no
 * shift. `tk` is the key issued at console.tianditu.gov.cn.
 */
export function tiandituSources(tk: string): MapSource[] {
  const url = (layer: string) =>
    `https://t{s}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${encodeURIComponent(tk)}`;
  const common = {
    kind: 'xyz' as const,
    subdomains: ['0', '1', '2', '3', '4', '5', '6', '7'],
    datum: 'wgs84' as const,
    maximumLevel: 18,
    credit: '天地图 Tianditu © 国家地理信息公共服务平台',
  };
  return [
    { id: 'tianditu-img', name: '天地图 影像 Imagery', url: url('img'), labelsUrl: url('cia'), ...common },
    { id: 'tianditu-vec', name: '天地图 矢量 Map', url: url('vec'), labelsUrl: url('cva'), ...common },
  ];
}
