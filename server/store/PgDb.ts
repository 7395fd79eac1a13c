import { once } from 'node:events';
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import { StoreUnavailableError, type Db } from './Db.js';

// int8 (bigint) and numeric come back as strings by default; our bigints are epoch milliseconds, well inside 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003']);

function mapError(e: unknown): unknown {
  const code = (e as { code?: string }).code;
  if (code && CONNECTION_ERRORS.has(code)) return new StoreUnavailableError(`PostgreSQL is unavailable (${code})`, { cause: e });
  if (e instanceof Error && /Connection terminated|connect ECONNREFUSED/.test(e.message)) return new StoreUnavailableError(e.message, { cause: e });
  return e;
}

/** Server driver: PostgreSQL + PostGIS through a `pg` pool. */
export async function openPgDb(connectionString: string, poolSize = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max: poolSize, connectionTimeoutMillis: 5000 });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS postgis');
  } catch (e) {
    await pool.end().catch(() => {});
    throw mapError(e);
  }
  const run = async <T>(q: { query: pg.Pool['query'] }, sql: string, params: unknown[] = []) => {
    try {
      const r = await q.query(sql, params as unknown[]);
      return { rows: r.rows as T[] };
    } catch (e) {
      throw mapError(e);
    }
  };
  return {
    kind: 'server',
    query: <T>(sql: string, params?: unknown[]) => run<T>(pool, sql, params),
    async exec(sql: string) {
      await run(pool, sql);
    },
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw mapError(e);
      }
      try {
        await client.query('BEGIN');
        const r = await fn({
          query: <T>(sql: string, params?: unknown[]) => run<T>(client as unknown as pg.Pool, sql, params),
          exec: async (sql: string) => {
            await run(client as unknown as pg.Pool, sql);
          },
          copyFrom: async (sql: string, data: string) => {
            try {
              const stream = client.query(copyFromStream(sql));
              const done = once(stream, 'finish');
              stream.end(data);
              await done; // `once` rejects on 'error' (a bad row, a lost connection)
            } catch (e) {
              throw mapError(e);
            }
          },
        });
        await client.query('COMMIT');
        return r;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw mapError(e);
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
