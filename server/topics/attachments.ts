import type { AttachmentMeta } from '../../models/Topic.js';

/** The image type by its first bytes (the declared content type is not trusted), or null when it is neither. */
export function sniffImage(b: Uint8Array): AttachmentMeta['mime'] | null {
  if (
    b.length >= 8 &&
    b[0] === 0x89 &&
    b[1] === 0x50 &&
    b[2] === 0x4e &&
    b[3] === 0x47 &&
    b[4] === 0x0d &&
    b[5] === 0x0a &&
    b[6] === 0x1a &&
    b[7] === 0x0a
  )
    return 'image/png';
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  return null;
}

export interface ExifFacts {
  /** DateTimeOriginal as `YYYY-MM-DDTHH:MM:SS` (camera-local time, no zone). */
  takenAt?: string;
  location?: { lon: number; lat: number; height?: number };
}

/** Reads the TIFF structure of an EXIF block: DateTimeOriginal and the GPS position. Malformed parts are skipped. */
function readTiff(b: Uint8Array, start: number, end: number): ExifFacts {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (end - start < 8) return {};
  const le = b[start] === 0x49 && b[start + 1] === 0x49;
  if (!le && !(b[start] === 0x4d && b[start + 1] === 0x4d)) return {};
  const u16 = (o: number) => (o + 2 <= end ? dv.getUint16(o, le) : NaN);
  const u32 = (o: number) => (o + 4 <= end ? dv.getUint32(o, le) : NaN);
  if (u16(start + 2) !== 42) return {};
  type Entry = { type: number; count: number; valueAt: number };
  const ifd = (off: number): Map<number, Entry> => {
    const out = new Map<number, Entry>();
    const at = start + off;
    const n = u16(at);
    if (!Number.isFinite(n) || n > 1000) return out;
    for (let i = 0; i < n; i++) {
      const e = at + 2 + i * 12;
      const tag = u16(e);
      const type = u16(e + 2);
      const count = u32(e + 4);
      if (!Number.isFinite(tag) || !Number.isFinite(count)) break;
      const size = ({ 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 } as Record<number, number>)[type] ?? 1;
      const valueAt = size * count <= 4 ? e + 8 : start + u32(e + 8);
      out.set(tag, { type, count, valueAt });
    }
    return out;
  };
  const ascii = (e: Entry | undefined) => {
    if (!e || e.type !== 2 || e.valueAt + e.count > end) return undefined;
    let s = '';
    for (let i = 0; i < e.count && b[e.valueAt + i] !== 0; i++) s += String.fromCharCode(b[e.valueAt + i]!);
    return s;
  };
  const rationals = (e: Entry | undefined, n: number) => {
    if (!e || e.type !== 5 || e.count < n || e.valueAt + 8 * n > end) return undefined;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const den = u32(e.valueAt + 8 * i + 4);
      out.push(den ? u32(e.valueAt + 8 * i) / den : NaN);
    }
    return out.every(Number.isFinite) ? out : undefined;
  };
  const ifd0 = ifd(u32(start + 4));
  const facts: ExifFacts = {};
  const exifPtr = ifd0.get(0x8769);
  if (exifPtr) {
    const dto = ascii(ifd(u32(exifPtr.valueAt)).get(0x9003));
    const m = dto && /^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)/.exec(dto);
    if (m) facts.takenAt = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  }
  const gpsPtr = ifd0.get(0x8825);
  if (gpsPtr) {
    const g = ifd(u32(gpsPtr.valueAt));
    const lat = rationals(g.get(2), 3);
    const lon = rationals(g.get(4), 3);
    if (lat && lon) {
      const dms = (v: number[]) => v[0]! + v[1]! / 60 + v[2]! / 3600;
      const latRef = ascii(g.get(1));
      const lonRef = ascii(g.get(3));
      const la = dms(lat) * (latRef === 'S' ? -1 : 1);
      const lo = dms(lon) * (lonRef === 'W' ? -1 : 1);
      if (Math.abs(la) <= 90 && Math.abs(lo) <= 180) {
        const alt = rationals(g.get(6), 1);
        const altRef = g.get(5);
        const below = altRef && altRef.valueAt < end && b[altRef.valueAt] === 1;
        facts.location = { lon: lo, lat: la, ...(alt ? { height: alt[0]! * (below ? -1 : 1) } : {}) };
      }
    }
  }
  return facts;
}

/** EXIF DateTimeOriginal and GPS of a JPEG (APP1 `Exif`) or a PNG (`eXIf` chunk); `{}` when absent. */
export function readExif(b: Uint8Array): ExifFacts {
  const kind = sniffImage(b);
  if (kind === 'image/jpeg') {
    let o = 2;
    while (o + 4 <= b.length && b[o] === 0xff) {
      const marker = b[o + 1]!;
      if (marker === 0xda || marker === 0xd9) break; // start of scan / end: no more metadata
      const len = (b[o + 2]! << 8) | b[o + 3]!;
      if (len < 2) break;
      if (
        marker === 0xe1 &&
        b[o + 4] === 0x45 &&
        b[o + 5] === 0x78 &&
        b[o + 6] === 0x69 &&
        b[o + 7] === 0x66 &&
        b[o + 8] === 0 &&
        b[o + 9] === 0
      ) {
        return readTiff(b, o + 10, Math.min(b.length, o + 2 + len));
      }
      o += 2 + len;
    }
    return {};
  }
  if (kind === 'image/png') {
    let o = 8;
    while (o + 12 <= b.length) {
      const len = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
      const type = String.fromCharCode(b[o + 4]!, b[o + 5]!, b[o + 6]!, b[o + 7]!);
      if (type === 'eXIf') return readTiff(b, o + 8, Math.min(b.length, o + 8 + len));
      if (type === 'IEND') break;
      o += 12 + len;
    }
  }
  return {};
}
