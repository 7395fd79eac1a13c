import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { filterTar, trimmedBundle } from '../../../server/store/postgisBundle.js';

/** One ustar entry (header with a valid checksum, then the data padded to 512 bytes). */
function entry(name: string, data: string | Buffer, type = '0'): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return Buffer.concat([h, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}
/** A pax record `<length> path=<p>\n`, its length counting itself. */
function paxPath(p: string): string {
  const rest = ` path=${p}\n`;
  let n = rest.length;
  while (String(n).length + rest.length !== n) n = String(n).length + rest.length;
  return `${n}${rest}`;
}
const tarOf = (...entries: Buffer[]) => Buffer.concat([...entries, Buffer.alloc(1024)]);

/** Names and data of the entries of an uncompressed tar (pax headers as entries of their own). */
function listTar(tar: Buffer): { name: string; type: string; data: Buffer }[] {
  const out: { name: string; type: string; data: Buffer }[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(h.subarray(124, 136).toString('latin1').replace(/[\0 ]/g, '') || '0', 8);
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    out.push({ name, type: String.fromCharCode(h[156]!), data: tar.subarray(off + 512, off + 512 + size) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('filterTar', () => {
  it('drops the files whose name matches, with the pax header that describes them, and keeps the rest byte for byte', () => {
    const big = Buffer.alloc(1300, 7);
    const tar = tarOf(
      entry('lib/', '', '5'),
      entry('lib/postgis-3.so', big),
      entry('PaxHeader/raster', paxPath('lib/postgis_raster-3.so'), 'x'),
      entry('lib/postgis_raster-3.s', 'RASTER'),
      entry('share/extension/postgis.control', 'control'),
      entry('share/extension/postgis_topology--3.6.0.sql', 'topology'),
      entry('share/extension/postgis--ANY--3.6.0.sql', 'upgrade'),
    );
    const kept = filterTar(tar, /raster|topology|--ANY--/);
    expect(listTar(kept).map((e) => e.name)).toEqual(['lib/', 'lib/postgis-3.so', 'share/extension/postgis.control']);
    expect(listTar(kept)[1]!.data.equals(big)).toBe(true);
    expect(listTar(kept)[2]!.data.toString()).toBe('control');
    // Nothing to drop: the same archive.
    expect(filterTar(tar, /^never$/).equals(tar)).toBe(true);
  });

  it('refuses a truncated archive with an error instead of a shorter bundle', () => {
    const tar = tarOf(entry('a.sql', Buffer.alloc(2000, 1)));
    expect(() => filterTar(tar.subarray(0, 1024), /x/)).toThrow(/truncated/);
  });
});

describe('trimmedBundle', () => {
  const cache = mkdtempSync(join(tmpdir(), 'sitetwin-bundle-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));
  const require = createRequire(import.meta.url);
  const postgisDir = dirname(require.resolve('@electric-sql/pglite-postgis'));
  const source = pathToFileURL(join(postgisDir, 'postgis.tar.gz'));
  const UNUSED = /raster|topology|tiger|address_standardizer|sfcgal|unpackaged|--ANY--|spatial_ref_sys\.sql$/;

  it("keeps PostGIS's library, control file and install script and leaves out the unused libraries, made once", () => {
    const url = trimmedBundle(source, UNUSED, cache);
    expect(url.href).not.toBe(source.href);
    const path = fileURLToPath(url);
    const names = listTar(gunzipSync(readFileSync(path))).map((e) => e.name);
    expect(names.some((n) => n.endsWith('/postgis-3.so'))).toBe(true);
    expect(names.some((n) => n.endsWith('/postgis.control'))).toBe(true);
    expect(names.some((n) => /\/postgis--3\.[\d.]+\.sql$/.test(n))).toBe(true);
    expect(names.filter((n) => UNUSED.test(n.split('/').pop()!))).toEqual([]);
    const original = listTar(gunzipSync(readFileSync(source)));
    expect(original.some((e) => /postgis_raster-3\.so$/.test(e.name))).toBe(true);
    expect(statSync(path).size).toBeLessThan(statSync(source).size);
    // The second start finds the copy: the same file, not written again.
    const mtime = statSync(path).mtimeMs;
    expect(trimmedBundle(source, UNUSED, cache).href).toBe(url.href);
    expect(statSync(path).mtimeMs).toBe(mtime);
  });

  it('falls back to the whole bundle when no copy can be written', () => {
    const notADir = join(cache, 'file');
    writeFileSync(notADir, 'x');
    expect(trimmedBundle(source, UNUSED, notADir).href).toBe(source.href);
  });
});
