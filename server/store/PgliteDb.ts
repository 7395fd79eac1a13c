import fs from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { StoreUnavailableError, type Db, type StoreFailure } from './Db.js';
import { mapUnavailable } from './errors.js';
import { trimmedBundle } from './postgisBundle.js';

/**
 * What the health probe writes (and deletes) in the data folder: a page, as PostgreSQL extends a file. No fsync: the
 * filesystem refuses a write it has no room for at write time, and health is sampled often.
 */
const PROBE_BYTES = 8192;

/**
 * shared_buffers of the embedded store, in MB. PGlite's own default (128 MB) grows its WASM memory, which never
 * shrinks, from 128 to ~195 MB; the data files stay in the OS page cache behind it anyway (bench/serverRss.ts).
 */
export const DEFAULT_PGLITE_SHARED_BUFFERS_MB = 16;

/** Options of the embedded driver (see the config's PGLITE_* variables). */
export interface PgliteOptions {
  /** shared_buffers in MB (default DEFAULT_PGLITE_SHARED_BUFFERS_MB). */
  sharedBuffersMb?: number;
}

/**
 * Files of the PostGIS bundle that the store never uses at run time: the raster, topology and tiger extensions and
 * the upgrade scripts. PGlite unpacks the whole bundle (90 MB) into its in-memory filesystem at every start; these
 * are ~56 MB of it. postgis-3.so, proj.db and the install script of the version in use stay.
 */
const UNUSED_POSTGIS_FILE =
  /raster|topology|tiger|address_standardizer|sfcgal|unpackaged|--ANY--|spatial_ref_sys\.sql$/;
const POSTGIS_DIRS = [
  '/pglite/lib/postgresql',
  '/pglite/share/postgresql/extension',
  '/pglite/share/postgresql/contrib/postgis-3.6',
];

/**
 * PostGIS for PGlite, from a copy of its bundle without the UNUSED_POSTGIS_FILE files (made once, see trimmedBundle):
 * PGlite would otherwise unpack all 90 MB and compile the raster, topology and other libraries at every start.
 */
const postgisTrimmed = {
  name: postgis.name,
  setup: async (...args: Parameters<typeof postgis.setup>) => {
    const r = await postgis.setup(...args);
    return { ...r, bundlePath: trimmedBundle(r.bundlePath, UNUSED_POSTGIS_FILE) };
  },
};

/** Removes UNUSED_POSTGIS_FILE files from PGlite's in-memory filesystem (after `CREATE EXTENSION postgis`). */
function dropUnusedPostgisFiles(pg: PGlite): void {
  // PGlite's Emscripten module: not in its typings, so reached defensively; a layout it does not have is left alone.
  const FS = (pg as unknown as { mod?: { FS?: { readdir(p: string): string[]; unlink(p: string): void } } }).mod?.FS;
  if (!FS) return;
  for (const dir of POSTGIS_DIRS) {
    let names: string[];
    try {
      names = FS.readdir(dir);
    } catch {
      continue;
    }
    for (const n of names) if (UNUSED_POSTGIS_FILE.test(n)) FS.unlink(`${dir}/${n}`);
  }
}

/**
 * Embedded driver: PGlite (PostgreSQL compiled to WASM) with the PostGIS extension, data in `dataDir`.
 * PGlite is single-connection, so transactions are serialised by PGlite itself.
 * A full or failing disk shows up as PostgreSQL errors (53100 "could not extend file ... No space left on device",
 * 58030) from which PGlite carries on once there is room again: they become StoreUnavailableError (503 + Retry-After).
 */
export async function openPgliteDb(dataDir: string, opts: PgliteOptions = {}): Promise<Db> {
  fs.mkdirSync(dataDir, { recursive: true });
  const sharedBuffersMb = opts.sharedBuffersMb ?? DEFAULT_PGLITE_SHARED_BUFFERS_MB;
  if (!Number.isInteger(sharedBuffersMb) || sharedBuffersMb < 1)
    throw new Error('sharedBuffersMb must be a positive integer');
  const pg = await PGlite.create({
    dataDir,
    extensions: { postgis: postgisTrimmed },
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffersMb}MB`],
  });
  await pg.exec('CREATE EXTENSION IF NOT EXISTS postgis');
  dropUnusedPostgisFiles(pg);
  let lastFailure: StoreFailure | undefined;
  const fail = (e: unknown): unknown => {
    const m = mapUnavailable(e);
    if (m instanceof StoreUnavailableError) lastFailure = { reason: m.reason, message: m.message, at: Date.now() };
    return m;
  };
  const guard = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw fail(e);
    }
  };
  return {
    kind: 'embedded',
    get lastFailure() {
      return lastFailure;
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const r = await guard(() => pg.query<T>(sql, params));
      return { rows: r.rows };
    },
    async exec(sql: string) {
      await guard(() => pg.exec(sql));
    },
    async probe(timeoutMs: number) {
      // A read says PGlite answers; a write of one page into its folder says the disk takes data (a full disk lets
      // every SELECT through while each insert fails). PGlite runs on this thread: the deadline is for the wait in
      // its queue behind other queries, it cannot interrupt one.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new StoreUnavailableError(`The store did not answer within ${timeoutMs} ms`, { reason: 'timeout' })),
          timeoutMs,
        );
      });
      try {
        await Promise.race([pg.query('SELECT 1'), deadline]);
        probeWrite(join(dataDir, '.health-probe'));
      } catch (e) {
        const m = fail(e);
        throw m instanceof StoreUnavailableError
          ? m
          : new StoreUnavailableError(String((e as Error)?.message ?? e), { cause: e });
      } finally {
        clearTimeout(timer);
      }
    },
    async transaction(fn) {
      return guard(() =>
        pg.transaction(async (tx) =>
          fn({
            query: async <T>(sql: string, params: unknown[] = []) => ({ rows: (await tx.query<T>(sql, params)).rows }),
            exec: async (sql: string) => {
              await tx.exec(sql);
            },
            // PGlite has no COPY stream: it reads the input from a Blob mounted as /dev/blob.
            copyFrom: async (sql: string, data: string) => {
              await tx.query(sql.replace(/\bFROM\s+STDIN\b/i, "FROM '/dev/blob'"), [], { blob: new Blob([data]) });
            },
          }),
        ),
      );
    },
    async copyThen(copySql, data, sql, params) {
      await guard(() =>
        pg.transaction(async (tx) => {
          await tx.query(copySql.replace(/\bFROM\s+STDIN\b/i, "FROM '/dev/blob'"), [], { blob: new Blob([data]) });
          await tx.query(sql, params);
        }),
      );
    },
    async copy(copySql, data) {
      await guard(() =>
        pg.query(copySql.replace(/\bFROM\s+STDIN\b/i, "FROM '/dev/blob'"), [], { blob: new Blob([data]) }),
      );
    },
    async close() {
      await pg.close();
    },
  };
}

/** Writes and deletes a page-sized file: throws ENOSPC / EIO as the disk would to PostgreSQL. */
function probeWrite(path: string): void {
  const fd = fs.openSync(path, 'w');
  try {
    fs.writeSync(fd, Buffer.alloc(PROBE_BYTES), 0, PROBE_BYTES, 0);
  } finally {
    fs.closeSync(fd);
    fs.rmSync(path, { force: true });
  }
}
