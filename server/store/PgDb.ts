import { once } from 'node:events';
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import type { Logger } from '../log.js';
import { StoreUnavailableError, type Db, type StoreFailure } from './Db.js';
import { mapUnavailable } from './errors.js';

// int8 (bigint) and numeric come back as strings by default; our bigints are epoch milliseconds, well inside 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export interface PgDbOptions {
  poolSize?: number;
  /**
   * Longest a statement may run (PostgreSQL's statement_timeout), and, plus READ_TIMEOUT_MARGIN_MS, how long the
   * client waits for any answer: a silent network (packets dropped, nothing reset) fails a request after that
   * instead of hanging it. Default 30 s.
   */
  statementTimeoutMs?: number;
  /** Connection-level events (a connection lost while idle or in use) go here; they never crash the process. */
  log?: Logger;
}

/** How long opening a connection, or waiting for a free one in the pool, may take. */
const CONNECT_TIMEOUT_MS = 5000;
/** The client-side wait beyond the statement timeout, so that a reachable server's own timeout (57014) wins. */
const READ_TIMEOUT_MARGIN_MS = 1000;
/** TCP keepalive after this much silence: a dead peer behind a real network is found by the kernel, not never. */
const KEEPALIVE_DELAY_MS = 10_000;

/** Server driver: PostgreSQL + PostGIS through a `pg` pool. */
export async function openPgDb(connectionString: string, opts: PgDbOptions = {}): Promise<Db> {
  const statementTimeoutMs = opts.statementTimeoutMs ?? 30_000;
  const readTimeoutMs = (ms: number) => (ms > 0 ? ms + READ_TIMEOUT_MARGIN_MS : undefined);
  const pool = new pg.Pool({
    connectionString,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    statement_timeout: statementTimeoutMs || undefined,
    // A transaction whose client went silent (a partition mid-write) must not keep its row locks for ever: the retry
    // of its readings on a new connection would wait on them.
    idle_in_transaction_session_timeout: statementTimeoutMs || undefined,
    query_timeout: readTimeoutMs(statementTimeoutMs),
    // No JIT: once the tables are analyzed, the city KPI query's estimated cost passes jit_above_cost and PostgreSQL
    // spent ~1.8 s of a 1.9 s query compiling it (auto_explain during bench/city.ts). Short OLTP queries and these
    // aggregates gain nothing from it. Options in DATABASE_URL (`?options=...`) take precedence.
    options: '-c jit=off',
  });
  let lastFailure: StoreFailure | undefined;
  const fail = (e: unknown): unknown => {
    const m = mapUnavailable(e);
    if (m instanceof StoreUnavailableError) lastFailure = { reason: m.reason, message: m.message, at: Date.now() };
    return m;
  };
  // A pooled connection that dies while idle (a reset, a server restart) is dropped by the pool; without a listener
  // its 'error' event would end the process.
  pool.on('error', (err) => {
    fail(err);
    opts.log?.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      'store: an idle PostgreSQL connection failed; the pool drops it',
    );
  });
  const run = async <T>(q: { query: pg.Pool['query'] }, sql: string, params: unknown[] = []) => {
    try {
      const r = await q.query(sql, params as unknown[]);
      return { rows: r.rows as T[] };
    } catch (e) {
      throw fail(e);
    }
  };
  /** Sends `text` (a COPY FROM STDIN, maybe more statements after it) as one simple-query message with `data` as the COPY's rows. */
  const copyMessage = async (text: string, data: string): Promise<void> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw fail(e);
    }
    let broken: unknown;
    const onError = (err: Error) => {
      broken ??= err;
      fail(err);
    };
    client.on('error', onError);
    try {
      const stream = client.query(copyFromStream(text));
      // The statement after the COPY may answer rows: this query has no use for them (pg-copy-streams has no
      // handler of its own for them).
      const handlers = stream as unknown as Record<string, () => void>;
      handlers.handleRowDescription = handlers.handleDataRow = handlers.handleEmptyQuery = () => {};
      pipelineCopy(stream);
      stream.on('error', () => {});
      const done = once(stream, 'finish');
      stream.end(data);
      await done;
    } catch (e) {
      const m = fail(e);
      // After a lost connection or a timeout the connection's state is unknown: it leaves the pool.
      if (m instanceof StoreUnavailableError) broken ??= m;
      throw m;
    } finally {
      client.removeListener('error', onError);
      client.release(broken as Error | undefined);
    }
  };
  const db: Db = {
    kind: 'server',
    get lastFailure() {
      return lastFailure;
    },
    query: <T>(sql: string, params?: unknown[]) => run<T>(pool, sql, params),
    async exec(sql: string) {
      await run(pool, sql);
    },
    async probe(timeoutMs: number) {
      let timer: NodeJS.Timeout | undefined;
      // The deadline also covers the wait for a pool connection, which has its own (longer) timeout.
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new StoreUnavailableError(`The store did not answer within ${timeoutMs} ms`, { reason: 'timeout' })),
          timeoutMs,
        );
      });
      try {
        await Promise.race([pool.query({ text: 'SELECT 1', query_timeout: timeoutMs } as pg.QueryConfig), deadline]);
      } catch (e) {
        const m = fail(e);
        throw m instanceof StoreUnavailableError
          ? m
          : new StoreUnavailableError(String((e as Error)?.message ?? e), { cause: e });
      } finally {
        clearTimeout(timer);
      }
    },
    async transaction(fn, txOpts) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw fail(e);
      }
      // A checked-out client has no pool listener: a connection lost mid-transaction emits 'error' here (the query in
      // flight fails too), and the client must then leave the pool rather than go back to it.
      let lost: Error | undefined;
      const onError = (err: Error) => {
        lost ??= err;
        fail(err);
        opts.log?.warn(
          { err: { message: err.message, code: (err as { code?: string }).code } },
          'store: a PostgreSQL connection failed mid-transaction',
        );
      };
      client.on('error', onError);
      const ms = txOpts?.statementTimeoutMs ?? statementTimeoutMs;
      const timeout = readTimeoutMs(ms);
      const tq = (sql: string, params?: unknown[]) => run(client as unknown as pg.Pool, sql, params);
      let broken: unknown;
      try {
        await tq('BEGIN');
        // SET LOCAL takes no parameters; ms is a number.
        if (ms !== statementTimeoutMs) await tq(`SET LOCAL statement_timeout = ${Math.max(0, Math.floor(ms))}`);
        const r = await fn({
          query: <T>(sql: string, params?: unknown[]) =>
            // Per-query read timeout: the transaction's own when it overrides the store's (migrations: none).
            ms === statementTimeoutMs
              ? run<T>(client as unknown as pg.Pool, sql, params)
              : runWithTimeout<T>(client, sql, params, timeout, fail),
          exec: async (sql: string) => {
            if (ms === statementTimeoutMs) await tq(sql);
            else await runWithTimeout(client, sql, [], timeout, fail);
          },
          copyFrom: async (sql: string, data: string) => {
            try {
              const stream = client.query(copyFromStream(sql));
              // `once` listens to 'error' only until 'finish'; an error after it must find a listener too.
              stream.on('error', () => {});
              const done = once(stream, 'finish');
              stream.end(data);
              await done; // `once` rejects on 'error' (a bad row, a lost connection, the read timeout)
            } catch (e) {
              throw fail(e);
            }
          },
        });
        await tq('COMMIT');
        return r;
      } catch (e) {
        const m = fail(e);
        // After a lost connection or a timeout the connection's state is unknown (a statement may still run): no
        // ROLLBACK on it (it would wait out another timeout); the server rolls back when the connection closes.
        if (lost || m instanceof StoreUnavailableError) broken = lost ?? m;
        else await client.query('ROLLBACK').catch((err: unknown) => (broken = err));
        throw m;
      } finally {
        client.removeListener('error', onError);
        // release(err) destroys the connection instead of pooling it.
        client.release((broken ?? lost) as Error | undefined);
      }
    },
    async copyThen(copySql, data, sql, params) {
      // One simple-query message: PostgreSQL runs its statements as one implicit transaction (the COPY reads its rows
      // in between), so a failure of either leaves nothing, and no BEGIN / COMMIT round trips are needed.
      await copyMessage(`${copySql};\n${inlineParams(sql, params)}`, data);
    },
    async copy(copySql, data) {
      await copyMessage(copySql, data);
    },
    async close() {
      await pool.end();
    },
  };
  try {
    // Creating PostGIS in a new database takes seconds: no statement timeout, as for migrations.
    await db.transaction((tx) => tx.exec('CREATE EXTENSION IF NOT EXISTS postgis'), { statementTimeoutMs: 0 });
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
  return db;
}

/**
 * Lets a COPY FROM STDIN stream send its rows right behind its query, without waiting for the server's
 * CopyInResponse: pg-copy-streams holds them until then, and seeing that answer waits for a turn of the event loop
 * (busy PostgreSQL backends spent a fifth to half of their samples in ClientRead waiting for the rows in
 * bench/city.ts). The protocol allows it: the server reads the rows in order once the COPY has started, and a COPY
 * that fails (before or while reading) makes it discard CopyData / CopyDone up to the end. Only when the query was
 * sent at once (an idle connection: always, for a connection just taken from the pool); otherwise the stream waits
 * as it would. Reaches into pg-copy-streams 7's state (`_gotCopyInResponse`, set by its CopyInResponse handler).
 */
function pipelineCopy(stream: ReturnType<typeof copyFromStream>): void {
  const s = stream as unknown as { connection?: unknown; _gotCopyInResponse?: boolean };
  if (!s.connection || s._gotCopyInResponse !== false) return;
  s._gotCopyInResponse = true;
  stream.uncork();
}

/**
 * `sql` with its `$n` parameters written in as literals, for a simple-query message (which takes no parameters): each
 * value as the driver would send it (arrays as array literals), quoted as the driver's escapeLiteral does (quotes and
 * backslashes doubled, an E'' string when there are backslashes, so standard_conforming_strings does not matter).
 * `sql` must hold no `$` but its parameters (no dollar quoting).
 */
export function inlineParams(sql: string, params: readonly unknown[]): string {
  const { prepareValue } = (pg as unknown as { utils: { prepareValue(v: unknown): string | null } }).utils;
  const literals = params.map((p) => {
    const v = prepareValue(p);
    if (v === null) return 'NULL';
    // As pg's escapeLiteral, without its walk of every character (the JSON parameter of a group is ~100 KB).
    const q = v.replace(/'/g, "''");
    return v.includes('\\') ? ` E'${q.replace(/\\/g, '\\\\')}'` : `'${q}'`;
  });
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const lit = literals[Number(n) - 1];
    if (lit === undefined) throw new Error(`no parameter $${n}`);
    return lit;
  });
}

/** One query on a checked-out client with its own read timeout (undefined: none). */
async function runWithTimeout<T>(
  client: pg.PoolClient,
  sql: string,
  params: unknown[] = [],
  timeoutMs: number | undefined,
  fail: (e: unknown) => unknown,
) {
  try {
    // query_timeout false overrides the pool's; pg reads `config.query_timeout || connection's`, so 0 would not.
    const r = await client.query({
      text: sql,
      values: params as unknown[],
      query_timeout: timeoutMs ?? 2 ** 31 - 1,
    } as pg.QueryConfig);
    return { rows: r.rows as T[] };
  } catch (e) {
    throw fail(e);
  }
}
