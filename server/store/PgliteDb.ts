import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { Db } from './Db.js';

/**
 * Embedded driver: PGlite (PostgreSQL compiled to WASM) with the PostGIS extension, data in `dataDir`.
 * PGlite is single-connection, so transactions are serialised by PGlite itself.
 */
export async function openPgliteDb(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create({ dataDir, extensions: { postgis } });
  // V8 compiles each wasm function on its first call, with its baseline compiler (Liftoff) and only later, once hot,
  // with the optimising one. PGlite's start-up runs on baseline code (its functions are called once or a few times),
  // but the statements the server repeats (the element index rows of a model: COPY, jsonb, PostGIS boxes, GiST) ran
  // ~0.45 s of CPU slower than optimised code over the demo tower's 4,440 rows, the first time in a process. So after
  // start-up the functions not compiled yet go straight to the optimising compiler (process-wide: V8 flags are). Measured
  // 2026-11-22, `BENCH_SKIP_FRAG=1 npx tsx bench/ifc.ts demo`, 3 runs each: pool 1,142-1,193 ms, server CPU 932-999 ms
  // with V8's default (PGLITE_WASM_LIFTOFF=1 keeps it, for comparison) against 1,013-1,023 ms and 727-785 ms. Not
  // before start-up: `--no-liftoff` for the whole start-up made opening the store 2.5-3.3 s -> 6.4-6.5 s.
  if (process.env.PGLITE_WASM_LIFTOFF !== '1') setFlagsFromString('--no-liftoff');
  await pg.exec('CREATE EXTENSION IF NOT EXISTS postgis');
  return {
    kind: 'embedded',
    async query<T>(sql: string, params: unknown[] = []) {
      const r = await pg.query<T>(sql, params);
      return { rows: r.rows };
    },
    async exec(sql: string) {
      await pg.exec(sql);
    },
    async transaction(fn) {
      return pg.transaction(async (tx) =>
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
      );
    },
    async close() {
      await pg.close();
    },
  };
}
