import { mkdirSync } from 'node:fs';
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
