import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { constants, gunzipSync, gzipSync } from 'node:zlib';

const BLOCK = 512;

/** The full name of a tar entry: the pax `path` or GNU long name when one came before it, else prefix/name. */
function headerName(h: Buffer): string {
  const str = (from: number, len: number) => {
    const s = h.subarray(from, from + len);
    const end = s.indexOf(0);
    return s.subarray(0, end === -1 ? len : end).toString('utf8');
  };
  const name = str(0, 100);
  const prefix = h.subarray(257, 262).toString('latin1') === 'ustar' ? str(345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function entrySize(h: Buffer): number {
  // Octal, NUL/space terminated (sizes over 8 GB use base-256, which a bundle never needs).
  if (h[124]! & 0x80) throw new Error('tar: base-256 sizes are not supported');
  return parseInt(h.subarray(124, 136).toString('latin1').replace(/[\0 ]/g, '') || '0', 8);
}

/**
 * The entries of an uncompressed tar archive whose file name (its last path part) does not match `drop`, as a new
 * archive: headers and data are copied as they are, so it reads back exactly like the original minus those files.
 * A pax extended header or GNU long name goes (or stays) with the entry it describes.
 */
export function filterTar(tar: Buffer, drop: RegExp): Buffer {
  const out: Buffer[] = [];
  let pending: Buffer[] = [];
  let longName: string | null = null;
  let off = 0;
  while (off + BLOCK <= tar.length) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break; // end of archive
    const size = entrySize(h);
    const end = off + BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (end > tar.length) throw new Error('tar: truncated archive');
    const whole = tar.subarray(off, end);
    const type = String.fromCharCode(h[156]!);
    const data = tar.subarray(off + BLOCK, off + BLOCK + size);
    off = end;
    if (type === 'g') {
      out.push(whole); // global pax header: applies to everything after it
    } else if (type === 'x' || type === 'L') {
      pending.push(whole);
      if (type === 'L') longName = data.toString('utf8').replace(/\0+$/, '');
      else {
        const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
        if (m) longName = m[1]!;
      }
    } else {
      const name = longName ?? headerName(h);
      const base = name.replace(/\/+$/, '').split('/').pop() ?? name;
      if (!drop.test(base)) out.push(...pending, whole);
      pending = [];
      longName = null;
    }
  }
  out.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(out);
}

/**
 * A copy of the gzipped tar bundle `source` without the files matching `drop`, made once and kept in the system's
 * temp folder (keyed by the bundle's size, time and the filter); the source itself when the copy cannot be made.
 * PGlite unpacks an extension's whole bundle into memory and compiles every WebAssembly library in it at each start:
 * a bundle of only what is used starts faster and takes less memory.
 */
export function trimmedBundle(source: URL, drop: RegExp, cacheDir = tmpdir()): URL {
  try {
    const src = fileURLToPath(source);
    const st = fs.statSync(src);
    const key = createHash('sha256')
      .update(`${src}\0${st.size}\0${st.mtimeMs}\0${drop.source}\0${drop.flags}`)
      .digest('hex')
      .slice(0, 16);
    const target = join(cacheDir, `site-twin-bundle-${key}.tar.gz`);
    if (!fs.existsSync(target)) {
      const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      const fd = fs.openSync(tmp, 'wx'); // first, so that a folder it cannot write to costs no unpacking
      try {
        fs.writeFileSync(
          fd,
          gzipSync(filterTar(gunzipSync(fs.readFileSync(src)), drop), { level: constants.Z_BEST_SPEED }),
        );
      } catch (e) {
        fs.closeSync(fd);
        fs.rmSync(tmp, { force: true });
        throw e;
      }
      fs.closeSync(fd);
      fs.renameSync(tmp, target); // atomic: a concurrent start sees the whole file or none
    }
    return pathToFileURL(target);
  } catch {
    return source;
  }
}
