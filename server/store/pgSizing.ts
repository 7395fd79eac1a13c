import type { Logger } from '../log.js';
import type { Db } from './Db.js';

/**
 * PostgreSQL's shared_buffers for a city's ingest. Each reading goes into two per-device btree indexes of its month's
 * telemetry partition ((device_id, time) and the (device_id, seq) key), and every device keeps its own hot leaf page
 * in each: two 8 KB pages a device, ~161 MB for bench/city.ts's 10,250 devices once each has a leaf of its own (a
 * few minutes in). Past shared_buffers (PostgreSQL's default is 128 MB) nearly every reading reads a leaf back from
 * the OS and writes a dirty one out: on a 2-core box that doubled PostgreSQL's CPU per reading (bench/city.ts,
 * README "Past one box"). Advice: twice the hot leaves (internal pages, `latest`, the rollups and the reads need
 * room too) over a base.
 */
const INDEX_PAGE = 8192;
const PER_DEVICE = 2 * 2 * INDEX_PAGE;
const BASE = 64 * 2 ** 20;

/** The shared_buffers that keeps `devices` devices' ingest pages in memory, and whether `sharedBuffersBytes` does. */
export function sharedBuffersAdvice(sharedBuffersBytes: number, devices: number): { neededBytes: number; ok: boolean } {
  const neededBytes = BASE + PER_DEVICE * devices;
  return { neededBytes, ok: sharedBuffersBytes >= neededBytes };
}

/** PostgreSQL's shared_buffers, in bytes. */
export async function readSharedBuffersBytes(db: Db): Promise<number> {
  const r = await db.query<{ b: string }>("SELECT pg_size_bytes(current_setting('shared_buffers')) AS b");
  return Number(r.rows[0]!.b);
}

/**
 * On a PostgreSQL server store: warns when shared_buffers is too small for the devices registered now (checked at
 * start; a city that grows past it is caught at the next start). Never fails the start.
 */
export async function checkSharedBuffers(db: Db, log: Logger): Promise<void> {
  if (db.kind !== 'server') return;
  try {
    const bytes = await readSharedBuffersBytes(db);
    const devices = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM devices')).rows[0]!.n);
    const a = sharedBuffersAdvice(bytes, devices);
    if (!a.ok)
      log.warn(
        {
          sharedBuffersMb: Math.round(bytes / 2 ** 20),
          devices,
          adviseMb: Math.ceil(a.neededBytes / 2 ** 20),
        },
        'store: PostgreSQL shared_buffers is small for this many devices: each keeps two telemetry index pages hot, ' +
          'and past shared_buffers every reading reads and writes index pages (raise shared_buffers; see README "Past one box")',
      );
  } catch (err) {
    log.debug({ err }, 'store: shared_buffers not checked');
  }
}
