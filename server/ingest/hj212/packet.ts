/**
 * The data segment of an HJ 212-2017 frame: `QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&…&&`.
 * Pure: strings in, plain objects out. Sloppy devices are met half-way; every liberty taken is listed in `quirks`.
 */

/** Flag bit 0 (A): the sender wants a reply. */
export const FLAG_ACK = 0b01;
/** Flag bit 1 (D): the command is split into packets (PNUM / PNO present). */
export const FLAG_SPLIT = 0b10;
/** Flag with the 2017 protocol version (V5..V0 = 000001) and no bits set: what replies carry. */
export const FLAG_V2017 = 0b100;

export interface Hj212Packet {
  /** Request number: YYYYMMDDhhmmssSSS (China time). Absent in HJ 212-2005 frames. */
  qn?: string;
  st?: string;
  cn?: string;
  pw?: string;
  mn?: string;
  flag?: number;
  pnum?: number;
  pno?: number;
  /** CP fields flattened in order of arrival: `DataTime`, `a34004-Rtd`, `a34004-Flag`, `RtdInterval`, … */
  cp: Map<string, string>;
  /** Header fields this codec does not know (kept, never fatal). */
  headerExtra: Record<string, string>;
  /** What was tolerated: `cp_comma_separator`, `cp_trailing_separator`, `spaces`, … */
  quirks: string[];
}

export class Hj212PacketError extends Error {
  override name = 'Hj212PacketError';
}

const HEADER_KEYS = new Set(['QN', 'ST', 'CN', 'PW', 'MN', 'Flag', 'PNUM', 'PNO']);

/** Parses a data segment (the bytes between the length field and the CRC). Throws Hj212PacketError when no CP. */
export function parsePacket(data: string): Hj212Packet {
  const quirks: string[] = [];
  const cpAt = data.search(/CP\s*=\s*&&/);
  if (cpAt < 0) throw new Hj212PacketError('no CP=&&…&& field');
  const head = data.slice(0, cpAt);
  const afterCp = data.slice(cpAt).replace(/^CP\s*=\s*&&/, '');
  const close = afterCp.lastIndexOf('&&');
  if (close < 0) throw new Hj212PacketError('CP is not closed by &&');
  if (afterCp.slice(close + 2).trim() !== '') quirks.push('text_after_cp');

  const p: Hj212Packet = { cp: new Map(), headerExtra: {}, quirks };
  for (const raw of head.split(';')) {
    if (raw.trim() === '') continue;
    const eq = raw.indexOf('=');
    if (eq < 0) {
      quirks.push('header_field_without_value');
      continue;
    }
    const key = raw.slice(0, eq).trim();
    const value = raw.slice(eq + 1).trim();
    if (key !== raw.slice(0, eq) || value !== raw.slice(eq + 1)) noteOnce(quirks, 'spaces');
    // Some devices write `flag=` or `mn=`: match header keys case-insensitively.
    const canonical = [...HEADER_KEYS].find((k) => k.toLowerCase() === key.toLowerCase());
    if (canonical && canonical !== key) noteOnce(quirks, 'header_key_case');
    switch (canonical) {
      case 'QN':
        p.qn = value;
        break;
      case 'ST':
        p.st = value;
        break;
      case 'CN':
        p.cn = value;
        break;
      case 'PW':
        p.pw = value;
        break;
      case 'MN':
        p.mn = value;
        break;
      case 'Flag':
        p.flag = intOrUndefined(value, quirks, 'bad_flag');
        break;
      case 'PNUM':
        p.pnum = intOrUndefined(value, quirks, 'bad_pnum');
        break;
      case 'PNO':
        p.pno = intOrUndefined(value, quirks, 'bad_pno');
        break;
      default:
        p.headerExtra[key] = value;
    }
  }
  parseCp(afterCp.slice(0, close), p.cp, quirks);
  return p;
}

/**
 * CP content: groups separated by `;`, fields in a group by `,`, each `key=value`. Devices in the wild use `,` where
 * `;` belongs (and the other way round), end with a stray `;`, or pad with spaces: all of it reads the same here.
 */
function parseCp(cp: string, out: Map<string, string>, quirks: string[]): void {
  if (cp.trim() === '') return;
  if (/[;,]\s*$/.test(cp)) quirks.push('cp_trailing_separator');
  if (/DataTime=\d+,/.test(cp)) quirks.push('cp_comma_separator');
  for (const raw of cp.split(/[;,]/)) {
    if (raw.trim() === '') continue;
    const eq = raw.indexOf('=');
    if (eq < 0) {
      noteOnce(quirks, 'cp_field_without_value');
      continue;
    }
    const key = raw.slice(0, eq).trim();
    const value = raw.slice(eq + 1).trim();
    if (key !== raw.slice(0, eq) || value !== raw.slice(eq + 1)) noteOnce(quirks, 'spaces');
    if (out.has(key)) noteOnce(quirks, 'cp_repeated_field');
    out.set(key, value);
  }
}

function intOrUndefined(v: string, quirks: string[], quirk: string): number | undefined {
  if (/^\d+$/.test(v)) return Number(v);
  quirks.push(quirk);
  return undefined;
}

function noteOnce(quirks: string[], q: string): void {
  if (!quirks.includes(q)) quirks.push(q);
}

/** Fields of an outgoing data segment; CP is written as given (`key=value` pairs joined by `;`). */
export interface PacketFields {
  qn?: string;
  st: string;
  cn: string;
  pw: string;
  mn: string;
  flag?: number;
  /** CP groups, each a list of `[key, value]` written `k=v,k=v`; groups joined by `;`. */
  cp: Array<Array<[string, string | number]>>;
}

/** Writes a data segment in the order the standard lists the fields. */
export function buildPacket(f: PacketFields): string {
  const head = [
    f.qn !== undefined ? `QN=${f.qn}` : undefined,
    `ST=${f.st}`,
    `CN=${f.cn}`,
    `PW=${f.pw}`,
    `MN=${f.mn}`,
    f.flag !== undefined ? `Flag=${f.flag}` : undefined,
  ].filter(Boolean);
  const cp = f.cp.map((g) => g.map(([k, v]) => `${k}=${v}`).join(',')).join(';');
  return `${head.join(';')};CP=&&${cp}&&`;
}

const CHINA_OFFSET_MS = 8 * 3600_000;

/**
 * `YYYYMMDDhhmmss[SSS]` in China Standard Time (UTC+8, no daylight saving) to epoch ms, or undefined when it is not a
 * real date (devices send `201910294112144` and worse).
 */
export function parseChinaTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(s.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, se, ms] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || se! > 59) return undefined;
  const t = Date.UTC(y!, mo! - 1, d!, h!, mi!, se!, ms!) - CHINA_OFFSET_MS;
  // Date.UTC rolls 31 February into March: reject what does not round-trip.
  if (new Date(t + CHINA_OFFSET_MS).getUTCDate() !== d) return undefined;
  return t;
}

/** Epoch ms to `YYYYMMDDhhmmss` (or with `SSS` when `withMs`) in China Standard Time. */
export function formatChinaTime(t: number, withMs = false): string {
  const d = new Date(t + CHINA_OFFSET_MS);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const s = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return withMs ? s + p(d.getUTCMilliseconds(), 3) : s;
}
