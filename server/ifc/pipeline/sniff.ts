import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { IFC_SCHEMAS } from '../../../models/BimModel.js';

/**
 * Content sniffing of uploads: the first and last bytes of a file say whether it is an IFC STEP file (and of which
 * schema), a zip (and whether it holds an .ifc), empty or truncated, without reading the whole file.
 */

export type Sniffed =
  | { ok: true; kind: 'ifc'; schema: string }
  | { ok: true; kind: 'ifczip'; entry: string }
  | { ok: false; problem: UploadProblem; reason: string };

/** Why an upload was refused, as a stable key in the error's `details.problem`. */
export type UploadProblem =
  'empty' | 'not_ifc' | 'no_schema' | 'unknown_schema' | 'truncated' | 'bad_zip' | 'zip_without_ifc';

const STEP_MAGIC = 'ISO-10303-21;';
const STEP_END = 'END-ISO-10303-21;';
const latin1 = new TextDecoder('latin1');

/** Reads the schema named in a STEP header (`FILE_SCHEMA(('IFC4'))`), upper case, or null. */
export function headerSchema(head: string): string | null {
  const m = /FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'/i.exec(head);
  return m ? m[1]!.trim().toUpperCase() : null;
}

/** Checks the head (first bytes) and tail (last bytes) of a STEP file. */
export function sniffStep(head: Uint8Array, tail: Uint8Array): Sniffed {
  const text = latin1
    .decode(head)
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (!text.startsWith(STEP_MAGIC))
    return {
      ok: false,
      problem: 'not_ifc',
      reason: 'The file is not an IFC: it does not start with the STEP header "ISO-10303-21;"',
    };
  const schema = headerSchema(text);
  if (!schema) return { ok: false, problem: 'no_schema', reason: 'The STEP header names no FILE_SCHEMA' };
  if (!(IFC_SCHEMAS as readonly string[]).includes(schema))
    return {
      ok: false,
      problem: 'unknown_schema',
      reason: `Unknown IFC schema ${schema}: supported are ${IFC_SCHEMAS.join(', ')}`,
    };
  if (!latin1.decode(tail).includes(STEP_END))
    return {
      ok: false,
      problem: 'truncated',
      reason: 'The IFC file is truncated: it does not end with "END-ISO-10303-21;"',
    };
  return { ok: true, kind: 'ifc', schema };
}

/** Reads up to `n` bytes at `pos` of an open file. */
function readAt(fd: number, pos: number, n: number): Uint8Array {
  const buf = Buffer.alloc(n);
  const got = readSync(fd, buf, 0, n, pos);
  return buf.subarray(0, got);
}

/**
 * Lists the entry names of a zip from its central directory (read from the end of the file, so a 1 GB zip costs a
 * few kilobytes). Handles ZIP64. Returns null when the end-of-central-directory record is missing (not a whole zip).
 */
export function zipEntries(fd: number, size: number): string[] | null {
  const tailLen = Math.min(size, 65_557);
  const tail = Buffer.from(readAt(fd, size - tailLen, tailLen));
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--)
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) return null;
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) return null;
    const z64 = Buffer.from(readAt(fd, Number(tail.readBigUInt64LE(loc + 8)), 56));
    if (z64.readUInt32LE(0) !== 0x06064b50) return null;
    count = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > size || cdSize > 64 * 1024 * 1024) return null;
  const cd = Buffer.from(readAt(fd, cdOffset, cdSize));
  const names: string[] = [];
  let p = 0;
  for (let i = 0; i < count && p + 46 <= cd.length; i++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) break;
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    names.push(cd.subarray(p + 46, p + 46 + nameLen).toString('utf8'));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** The IFC entry a zip should be read from: the first `.ifc` that is not macOS metadata. */
export function pickIfcEntry(names: string[]): string | null {
  return names.find((n) => /\.ifc$/i.test(n) && !n.startsWith('__MACOSX/') && !n.endsWith('/')) ?? null;
}

/** Sniffs an uploaded file on disk. */
export function sniffFile(path: string): Sniffed {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return { ok: false, problem: 'empty', reason: 'The file is empty' };
    const head = readAt(fd, 0, Math.min(size, 64 * 1024));
    if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
      const names = zipEntries(fd, size);
      if (!names)
        return {
          ok: false,
          problem: 'bad_zip',
          reason: 'The zip is damaged or truncated: its central directory is missing',
        };
      const entry = pickIfcEntry(names);
      if (!entry)
        return {
          ok: false,
          problem: 'zip_without_ifc',
          reason: `The zip holds no .ifc file (entries: ${names.slice(0, 5).join(', ') || 'none'})`,
        };
      return { ok: true, kind: 'ifczip', entry };
    }
    const tail = readAt(fd, Math.max(0, size - 4096), Math.min(size, 4096));
    return sniffStep(head, tail);
  } finally {
    closeSync(fd);
  }
}
