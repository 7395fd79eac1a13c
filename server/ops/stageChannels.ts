import diagnostics_channel from 'node:diagnostics_channel';
import type { LiveReading } from '../../models/Reading.js';
import type { StoredReading } from '../store/TelemetryRepo.js';

/**
 * Where the time of a reading's way from ingest to the live viewers goes, for benchmarks (bench/stageProbe.cjs,
 * preloaded by bench/city.ts). Node's diagnostics channels: nothing is stamped nor published unless something
 * subscribed (`hasSubscribers`), so a server without the probe pays one property read per group transaction and per
 * live emit. All stamps are Date.now(), the clock the readings' `time` is on.
 */

/** One group transaction of GroupCommit, after its listeners ran. */
export interface GroupStages {
  /** The rows written (each has its `time` and `receivedAt`). */
  rows: readonly StoredReading[];
  /** The group's write started (it left the queue). */
  start: number;
  /** The write returned (committed). */
  written: number;
  /** The groups before it had been announced (listeners see groups in order). */
  announced: number;
  /** The committed listeners (alarms, live fan-out, KPIs) returned. */
  notified: number;
}

/** One COPY write of TelemetryRepo (PostgreSQL and PGlite). */
export interface WriteStages {
  rows: number;
  /** Before the COPY text and the statement's parameters were built. */
  start: number;
  built: number;
  /** The COPY and the statement after it (latest state, KPI rollups) committed (Db.copyThen). */
  committed: number;
}

/** One `telemetry.batch` handed to the live hub (TelemetryFanout). */
export interface EmitStages {
  readings: readonly LiveReading[];
  at: number;
}

export const groupChannel = diagnostics_channel.channel('sitetwin:ingest.group');
export const writeChannel = diagnostics_channel.channel('sitetwin:ingest.write');
export const emitChannel = diagnostics_channel.channel('sitetwin:live.emit');
