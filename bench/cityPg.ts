/**
 * PostgreSQL's side of a bench/city.ts run, read from its statistics views over the measured window: WAL written
 * (and how much of it full-page images, which follow each checkpoint), checkpoints, the scratch database's block
 * reads from outside shared_buffers (telemetry indexes apart: a city's ~10 000 devices each keep their own hot leaf
 * page in each per-device index) and what the database's busy backends were waiting on, sampled on a connection of
 * its own. WAL, checkpoint and background-writer figures are the whole cluster's (other databases included).
 */
import pg from 'pg';

interface Snap {
  walBytes: number;
  walFpi: number;
  walRecords: number;
  walSync: number;
  ckptTimed: number;
  ckptReq: number;
  buffersBackend: number;
  buffersCheckpoint: number;
  blksRead: number;
  blksHit: number;
  idxRead: number;
  idxHit: number;
  commits: number;
}

async function snap(c: pg.Client, db: string): Promise<Snap> {
  const w = (
    await c.query(
      `SELECT w.wal_bytes::float8 AS wal_bytes, w.wal_fpi::float8 AS wal_fpi, w.wal_records::float8 AS wal_records,
              w.wal_sync::float8 AS wal_sync, b.checkpoints_timed::float8 AS ct, b.checkpoints_req::float8 AS cr,
              b.buffers_backend::float8 AS bb, b.buffers_checkpoint::float8 AS bc,
              d.blks_read::float8 AS br, d.blks_hit::float8 AS bh, d.xact_commit::float8 AS xc
         FROM pg_stat_wal w, pg_stat_bgwriter b, pg_stat_database d WHERE d.datname = $1`,
      [db],
    )
  ).rows[0];
  const i = (
    await c.query(
      `SELECT coalesce(sum(idx_blks_read), 0)::float8 AS r, coalesce(sum(idx_blks_hit), 0)::float8 AS h
         FROM pg_statio_user_indexes WHERE relname LIKE 'telemetry%'`,
    )
  ).rows[0];
  return {
    walBytes: w.wal_bytes,
    walFpi: w.wal_fpi,
    walRecords: w.wal_records,
    walSync: w.wal_sync,
    ckptTimed: w.ct,
    ckptReq: w.cr,
    buffersBackend: w.bb,
    buffersCheckpoint: w.bc,
    blksRead: w.br,
    blksHit: w.bh,
    idxRead: i.r,
    idxHit: i.h,
    commits: w.xc,
  };
}

/** A pg_settings value in the unit a person reads: 8kB pages and MB as MB or GB, seconds as s. */
export function showSetting(setting: string, unit: string | null): string {
  const n = Number(setting);
  const bytes = unit === '8kB' ? n * 8192 : unit === 'MB' ? n * 2 ** 20 : unit === 'kB' ? n * 1024 : NaN;
  if (!Number.isNaN(bytes)) return bytes >= 2 ** 30 ? `${bytes / 2 ** 30}GB` : `${bytes / 2 ** 20}MB`;
  return unit === 's' ? `${n}s` : setting;
}

/** Starts watching; `stop()` returns the report lines of the window between `measure()` and it. */
export async function watchPg(url: string, db: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  // The settings that move the ingest's cost (see server/store/pgSizing.ts and README "Past one box"), printed with
  // the report so a run says what it ran on.
  const settings = (
    await c.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings
        WHERE name IN ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_compression', 'autovacuum',
                       'synchronous_commit', 'server_version') ORDER BY name`,
    )
  ).rows
    .map((r) => `${r.name} ${showSetting(r.setting, r.unit)}`)
    .join(', ');
  const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  let s0: Snap | undefined;
  const waits = new Map<string, number>();
  let samples = 0;
  let sampling = false;
  const timer = setInterval(async () => {
    if (!s0 || sampling) return;
    sampling = true;
    try {
      const r = await c.query<{ w: string; n: number }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, count(*)::int AS n
           FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND state = 'active' AND backend_type = 'client backend'
          GROUP BY 1`,
        [db],
      );
      samples++;
      for (const { w, n } of r.rows) waits.set(w, (waits.get(w) ?? 0) + n);
    } catch {
      /* a sample lost */
    } finally {
      sampling = false;
    }
  }, 250);
  return {
    /** This watcher's own backend (the bench leaves it out of the product's CPU). */
    pid,
    async measure() {
      s0 = await snap(c, db);
    },
    /** Report lines for the window (`wallS` long, `readings` acknowledged in it). */
    async stop(wallS: number, readings: number): Promise<string[]> {
      clearInterval(timer);
      if (!s0) {
        await c.end();
        return [];
      }
      const s1 = await snap(c, db);
      await c.end();
      const d = (k: keyof Snap) => s1[k] - s0![k];
      const mb = d('walBytes') / 2 ** 20;
      const busy = [...waits].sort((a, b) => b[1] - a[1]);
      const all = busy.reduce((n, [, x]) => n + x, 0);
      return [
        `PostgreSQL settings ${settings}`,
        `PostgreSQL WAL      ${mb.toFixed(0)} MB (${(mb / wallS).toFixed(1)} MB/s, ${(d('walBytes') / Math.max(1, readings)) | 0} B per reading), ${d('walFpi')} full-page images, ${d('walSync')} syncs, ${d('commits')} commits of the database; checkpoints ${d('ckptTimed')} timed + ${d('ckptReq')} requested (cluster-wide)`,
        `PostgreSQL buffers database blocks read from outside shared_buffers ${d('blksRead')} of ${d('blksRead') + d('blksHit')} (${((d('blksRead') / Math.max(1, d('blksRead') + d('blksHit'))) * 100).toFixed(1)} %), telemetry indexes ${d('idxRead')} of ${d('idxRead') + d('idxHit')} (${((d('idxRead') / Math.max(1, d('idxRead') + d('idxHit'))) * 100).toFixed(1)} %); buffers written by backends ${d('buffersBackend')}, by checkpoints ${d('buffersCheckpoint')} (cluster-wide)`,
        `PostgreSQL busy    ${samples} samples every 250 ms, ${(all / Math.max(1, samples)).toFixed(2)} client backends active on average: ${busy
          .slice(0, 6)
          .map(([w, n]) => `${w} ${((n / Math.max(1, all)) * 100).toFixed(0)} %`)
          .join(', ')}`,
      ];
    },
  };
}
