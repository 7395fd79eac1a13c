/**
 * Pure colour maths shared by both views' element colouring: CSS colour parsing and the per-feature lookup tables the
 * Cesium shader samples. No DOM, no WebGL, so it is unit-tested in Node.
 */

/** A colour as four bytes, 0..255 (alpha 255 = opaque). */
export type Rgba = readonly [number, number, number, number];

const HEX = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const FUNC = /^rgba?\(\s*([\d.]+)\s*[, ]\s*([\d.]+)\s*[, ]\s*([\d.]+)\s*(?:[,/]\s*([\d.]+%?)\s*)?\)$/i;

/**
 * Parses `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(r, g, b)` and `rgba(r, g, b, a)`. Throws a message that names
 * the accepted forms, since a colour map comes from callers (progress, alarms) who must fix their input.
 */
export function parseColour(css: string): Rgba {
  const s = css.trim();
  const hex = HEX.exec(s);
  if (hex) {
    let d = hex[1]!;
    if (d.length <= 4) d = [...d].map((c) => c + c).join('');
    const n = (i: number) => parseInt(d.slice(i * 2, i * 2 + 2), 16);
    return [n(0), n(1), n(2), d.length === 8 ? n(3) : 255];
  }
  const f = FUNC.exec(s);
  if (f) {
    const c = (v: string) => Math.max(0, Math.min(255, Math.round(Number(v))));
    let a = 255;
    if (f[4] !== undefined)
      a = f[4].endsWith('%') ? Math.round((Number(f[4].slice(0, -1)) / 100) * 255) : Math.round(Number(f[4]) * 255);
    return [c(f[1]!), c(f[2]!), c(f[3]!), Math.max(0, Math.min(255, a))];
  }
  throw new Error(`Unknown colour "${css}": use #rgb, #rrggbb, #rrggbbaa, rgb(r, g, b) or rgba(r, g, b, a)`);
}

/** CSS hex of a colour (for legends and the workspace material API). */
export function toHex(c: Rgba): string {
  return `#${c
    .slice(0, 3)
    .map((v) => v.toString(16).padStart(2, '0'))
    .join('')}`;
}

/** Largest lookup-texture row: well under WebGL's guaranteed 4096 texture size. */
export const LOOKUP_MAX_WIDTH = 2048;

/** A feature-id keyed RGBA table, laid out as a texture (row-major, feature i at (i % width, i / width)). */
export interface FeatureLookup {
  data: Uint8Array;
  width: number;
  height: number;
  /** Features that got a colour or the highlight (0 = the shader changes nothing). */
  coloured: number;
}

/**
 * Alpha byte of the highlight entry. The shader treats alpha 255 as "highlight" (emissive glow on top of the colour)
 * and any lower non-zero alpha as a colour-by tint whose strength is the alpha: a colour map can therefore never
 * look like the selection.
 */
export const HIGHLIGHT_ALPHA = 255;
/** Strongest tint a colour map may ask for (one step below the highlight flag). */
export const MAX_TINT_ALPHA = 254;

/**
 * Builds one tile's lookup: for each feature id, the colour its GlobalId has in `colours` (alpha 0 = keep the model's
 * own colour), or the highlight colour when it is the highlighted element.
 */
export function buildFeatureLookup(
  featureGlobalIds: readonly (string | null | undefined)[],
  colours: ReadonlyMap<string, Rgba>,
  highlighted: ReadonlySet<string>,
  highlightColour: Rgba,
): FeatureLookup {
  const n = Math.max(1, featureGlobalIds.length);
  const width = Math.min(n, LOOKUP_MAX_WIDTH);
  const height = Math.ceil(n / width);
  const data = new Uint8Array(width * height * 4);
  let coloured = 0;
  featureGlobalIds.forEach((gid, i) => {
    if (!gid) return;
    let c: Rgba | undefined;
    let a = 0;
    if (highlighted.has(gid)) {
      c = highlightColour;
      a = HIGHLIGHT_ALPHA;
    } else if ((c = colours.get(gid))) {
      a = Math.min(MAX_TINT_ALPHA, c[3]);
      if (a === 0) return;
    } else return;
    data[i * 4] = c[0];
    data[i * 4 + 1] = c[1];
    data[i * 4 + 2] = c[2];
    data[i * 4 + 3] = a;
    coloured++;
  });
  return { data, width, height, coloured };
}

/** Normalises what callers pass to `colourBy` (a Map or a plain record of GlobalId -> CSS colour) into parsed colours. */
export function parseColourMap(input: ReadonlyMap<string, string> | Record<string, string>): Map<string, Rgba> {
  const entries = input instanceof Map ? [...input.entries()] : Object.entries(input);
  const out = new Map<string, Rgba>();
  for (const [gid, css] of entries) out.set(gid, parseColour(css));
  return out;
}
