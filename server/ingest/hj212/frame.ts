import { hj212CrcHex } from './crc16.js';

/**
 * Framing of HJ 212-2017: `##` + 4 decimal digits (length of the data segment) + data + CRC16 (4 hex) + `\r\n`.
 * The data segment is at most 9999 bytes, so a frame is at most 10 012 bytes.
 */
export const MAX_DATA_LENGTH = 9999;
export const MAX_FRAME_LENGTH = 2 + 4 + MAX_DATA_LENGTH + 4 + 2;

/** Why a frame was dropped. Stable strings: they go into logs and counters. */
export const Hj212Reject = {
  /** The CRC does not match the data segment. */
  BAD_CRC: 'bad_crc',
  /** CRC fine, but the length field names neither the data length nor the HJ 212-2005 length (data + CRC + CRLF). */
  BAD_LENGTH: 'bad_length',
  /** The frame ended (CRLF, the next `##`, or the end of the stream) before its `&&` + CRC. */
  TRUNCATED: 'truncated',
  /** `##` not followed by a length field. */
  BAD_HEADER: 'bad_header',
  /** No end within MAX_FRAME_LENGTH bytes. */
  TOO_LONG: 'too_long',
  /** Bytes between frames that are not a frame at all. */
  GARBAGE: 'garbage',
} as const;
export type Hj212Reject = (typeof Hj212Reject)[keyof typeof Hj212Reject];

export interface Hj212Frame {
  /** The data segment, decoded as latin1 so every byte maps to one char and back. */
  data: string;
  declaredLength: number;
  crc: string;
  /** The frame as received, from `##` to the CRC (no CRLF): what the data-quality view shows of a refused reading. */
  text: string;
  /** Liberties taken: `lowercase_crc`, `length_counts_crc_crlf`, `short_length_field`, `no_crlf`, `spaces`. */
  quirks: string[];
}

/** A rejected frame; `data` is the untrusted data segment of a bad-CRC frame, so its QN/MN can be answered (QnRtn=9). */
export type FrameResult =
  { ok: true; frame: Hj212Frame } | { ok: false; reason: Hj212Reject; detail: string; data?: string };

/** Encodes a data segment as a complete frame, CRLF included. */
export function encodeFrame(data: string): Buffer {
  const len = Buffer.byteLength(data, 'latin1');
  if (len > MAX_DATA_LENGTH) throw new RangeError(`HJ 212 data segment of ${len} bytes exceeds ${MAX_DATA_LENGTH}`);
  return Buffer.from(`##${String(len).padStart(4, '0')}${data}${hj212CrcHex(data)}\r\n`, 'latin1');
}

/**
 * Checks one delimited frame candidate: from `##` up to (not including) its terminator. `ended` says how the
 * candidate ended (`crlf`, `next` = the next `##` arrived first, `eof` = the stream closed), which decides between
 * "truncated" and "missing CRLF".
 */
export function checkFrame(text: string, ended: 'crlf' | 'next' | 'eof'): FrameResult {
  const quirks: string[] = [];
  // Liberal: tolerate 1-3 digit length fields (seen: `##299ST=…`) and a space after them.
  const head = /^##(\d{1,4})\s?/.exec(text);
  if (!head) return { ok: false, reason: Hj212Reject.BAD_HEADER, detail: `no length field after ##: ${snippet(text)}` };
  if (head[1]!.length < 4) quirks.push('short_length_field');
  if (head[0].length !== 2 + head[1]!.length) quirks.push('spaces');
  const body = text.slice(head[0].length).replace(/[\s\0]+$/, '');
  if (body.length !== text.length - head[0].length) quirks.push('spaces');
  const tail = /&&([0-9A-Fa-f]{4})$/.exec(body);
  if (!tail) {
    const what = ended === 'crlf' ? 'line' : ended === 'next' ? 'frame (the next ## came first)' : 'stream';
    return {
      ok: false,
      reason: Hj212Reject.TRUNCATED,
      detail: `${what} ended before &&+CRC: …${snippet(body.slice(-40))}`,
    };
  }
  const data = body.slice(0, body.length - 4);
  const crc = tail[1]!;
  const expected = hj212CrcHex(data);
  if (crc.toUpperCase() !== expected) {
    return { ok: false, reason: Hj212Reject.BAD_CRC, detail: `CRC ${crc} but the data gives ${expected}`, data };
  }
  if (crc !== crc.toUpperCase()) quirks.push('lowercase_crc');
  const declared = Number(head[1]);
  const len = Buffer.byteLength(data, 'latin1');
  if (declared === len + 6) quirks.push('length_counts_crc_crlf');
  else if (declared !== len) {
    return {
      ok: false,
      reason: Hj212Reject.BAD_LENGTH,
      detail: `length field ${head[1]} but the data segment has ${len} bytes`,
    };
  }
  if (ended !== 'crlf') quirks.push('no_crlf');
  return {
    ok: true,
    frame: { data, declaredLength: declared, crc: crc.toUpperCase(), text: text.replace(/[\s\0]+$/, ''), quirks },
  };
}

/** Decodes one complete frame given as text (CRLF optional). */
export function decodeFrame(text: string): FrameResult {
  const trimmed = text.replace(/^[\s\0]+/, '');
  const crlf = /\r?\n$/.test(trimmed);
  return checkFrame(trimmed.replace(/\r?\n$/, ''), crlf ? 'crlf' : 'eof');
}

function snippet(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '.');
  return clean.length > 60 ? `${clean.slice(0, 60)}…` : clean;
}
