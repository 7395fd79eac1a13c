import type { Alarm, AlarmLevel } from '../../models/Alarm.js';
import { measuresOf } from '../../models/alarmRules/index.js';
import { resolveThresholds, type AlarmThresholds } from '../../models/alarmRules/thresholds.js';
import type { Measure } from '../../models/alarmRules/types.js';
import {
  alarmMessage,
  IDLE,
  levelRank,
  lineOf,
  restoredChannel,
  stepChannel,
  type ChannelState,
  type Transition,
} from '../../models/alarmState.js';
import type { LiveServerMessage } from '../../models/protocol.js';
import type { CommittedReading, Ingest } from '../ingest/Ingest.js';
import type { Logger } from '../log.js';
import type { LivePublisher } from '../realtime/LiveHub.js';
import type { Store } from '../store/Store.js';
import { CraneClearanceTracker } from './CraneClearanceTracker.js';

/** Project lines are re-read this often (a PUT invalidates them at once on this node). */
const THRESHOLDS_TTL_MS = 10_000;

interface Channel {
  state: ChannelState;
  /** The stored record while raised. */
  alarmId?: string;
}

/**
 * Runs the alarm rules (models/alarmRules) on every committed reading, in commit order: per (device, rule) a state
 * machine (models/alarmState) decides raise / escalate / clear with hysteresis and a minimum duration; transitions are
 * written to the store and pushed on `/live` to the rooms that contain the project. Crane clearance is evaluated
 * per project after each batch that moved a crane. State lives in memory and is restored from the open alarms at
 * start; the store's unique index on open (device, rule) keeps two nodes from raising one condition twice.
 */
export class AlarmEngine {
  private readonly channels = new Map<string, Channel>();
  private readonly thresholds = new Map<string, { t: AlarmThresholds; at: number }>();
  /** When every project's lines were last read in one query (see `thresholdsOf`), and that read while it runs. */
  private allThresholdsAt = 0;
  private loadingAll: Promise<void> | null = null;
  /** Projects whose lines were invalidated, and when: a whole read that started before must not restore old ones. */
  private readonly invalidatedAt = new Map<string, number>();
  private readonly cranes = new CraneClearanceTracker();
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly live: LivePublisher,
    private readonly log: Logger,
  ) {}

  /** Restores open alarms from the store and starts listening to the ingest. */
  async start(ingest: Ingest): Promise<void> {
    const open = await this.store.alarms.open();
    // Alarms about no device (overdue notices) belong to the notice watcher, not to the reading rules.
    for (const a of open)
      if (a.deviceId) this.channels.set(key(a.deviceId, a.rule), { state: restoredChannel(a.level), alarmId: a.id });
    this.unsubscribe = ingest.onCommitted((batch) => this.enqueue(batch));
    this.log.info({ open: open.length }, 'alarms: engine started');
  }

  /** Evaluates a batch after the ones before it (transitions of one device must be written in order). */
  enqueue(batch: CommittedReading[]): void {
    this.queue = this.queue
      .then(() => this.process(batch))
      .catch((err) => this.log.error({ err }, 'alarms: batch evaluation failed'));
  }

  /** Resolves when every batch handed in so far is evaluated (for tests and orderly shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Drops a project's cached lines (after its overrides changed). */
  invalidateThresholds(projectId: string): void {
    this.thresholds.delete(projectId);
    this.invalidatedAt.set(projectId, Date.now());
  }

  /** Forgets a deleted device: its channels and crane pose (its stored alarms go with it, ON DELETE CASCADE). */
  forgetDevice(id: string): void {
    for (const k of [...this.channels.keys()])
      if (k.startsWith(`${id}|`) || k.endsWith(`:${id}`)) this.channels.delete(k);
    this.cranes.forget(id);
  }

  /**
   * The lines in force for a project: its jurisdiction's defaults with its overrides. When they are older than the
   * TTL, every project's are read again in one query (a city's lines expire together: two queries per project every
   * TTL were the server's most frequent statements in bench/city.ts); a project that read misses (new, or just
   * invalidated by a PUT) is read alone.
   */
  async thresholdsOf(projectId: string): Promise<AlarmThresholds> {
    const c = this.thresholds.get(projectId);
    if (c && Date.now() - c.at < THRESHOLDS_TTL_MS) return c.t;
    if (Date.now() - this.allThresholdsAt >= THRESHOLDS_TTL_MS) {
      await this.loadAllThresholds();
      const all = this.thresholds.get(projectId);
      if (all && Date.now() - all.at < THRESHOLDS_TTL_MS) return all.t;
    }
    const [project, overrides] = await Promise.all([
      this.store.projects.get(projectId),
      this.store.alarms.thresholdOverrides(projectId),
    ]);
    const t = resolveThresholds(project?.regionCode, overrides);
    this.thresholds.set(projectId, { t, at: Date.now() });
    return t;
  }

  /** Reads every project's lines in one query (concurrent callers share it). */
  private loadAllThresholds(): Promise<void> {
    this.loadingAll ??= (async () => {
      const started = Date.now();
      const rows = await this.store.alarms.thresholdInputs();
      for (const r of rows) {
        // Invalidated while this read ran: it may hold the old overrides; the project is read alone.
        if ((this.invalidatedAt.get(r.projectId) ?? -Infinity) >= started) continue;
        this.thresholds.set(r.projectId, { t: resolveThresholds(r.regionCode, r.overrides), at: started });
      }
      for (const [id, at] of this.invalidatedAt) if (at < started) this.invalidatedAt.delete(id);
      this.allThresholdsAt = started;
    })().finally(() => {
      this.loadingAll = null;
    });
    return this.loadingAll;
  }

  private async process(batch: CommittedReading[]): Promise<void> {
    const sorted = [...batch].sort((x, y) => x.reading.time - y.reading.time);
    const cranesMoved = new Set<string>();
    for (const { reading, device } of sorted) {
      const cached = this.thresholds.get(device.projectId);
      const t =
        cached && Date.now() - cached.at < THRESHOLDS_TTL_MS ? cached.t : await this.thresholdsOf(device.projectId);
      for (const m of measuresOf(device.kind, device.params, reading.values, reading.time, t)) {
        // Most samples change nothing: only a transition costs an await (a store write).
        const pending = this.step(device.projectId, device.id, m, reading.time);
        if (pending) await pending;
      }
      if (this.cranes.update(device, reading.time, reading.values)) cranesMoved.add(device.projectId);
    }
    for (const projectId of cranesMoved) await this.evaluateClearance(projectId);
  }

  private async evaluateClearance(projectId: string): Promise<void> {
    const t = await this.thresholdsOf(projectId);
    for (const u of this.cranes.evaluate(projectId, t)) {
      if (u.message) this.push(projectId, { type: 'crane.clearance', clearance: u.message });
      const pending = this.step(projectId, u.deviceId, u.measure, u.time, u.details);
      if (pending) await pending;
    }
  }

  /** One sample of one channel; returns a promise only when a transition is being written and pushed. */
  private step(
    projectId: string,
    deviceId: string,
    m: Measure,
    time: number,
    details?: Record<string, unknown>,
  ): Promise<void> | undefined {
    const k = key(deviceId, m.rule);
    const ch = this.channels.get(k) ?? { state: IDLE };
    const prev = ch.state;
    const r = stepChannel(prev, m.value, time, m);
    ch.state = r.state;
    this.keep(k, ch);
    if (!r.transition) return undefined;
    return this.apply(projectId, deviceId, m, r.transition, time, ch, details).then(
      () => this.keep(k, ch),
      (err) => {
        // Keep the old state so the next reading tries again.
        ch.state = prev;
        this.keep(k, ch);
        this.log.error({ err, projectId, deviceId, rule: m.rule }, 'alarms: could not store a transition');
      },
    );
  }

  /** A quiet channel with nothing pending costs nothing: only channels with a story are kept. */
  private keep(k: string, ch: Channel): void {
    const s = ch.state;
    if (s.active === null && s.prewarnSince === undefined && s.alarmSince === undefined && ch.alarmId === undefined)
      this.channels.delete(k);
    else this.channels.set(k, ch);
  }

  private async apply(
    projectId: string,
    deviceId: string,
    m: Measure,
    tr: Transition,
    time: number,
    ch: Channel,
    details?: Record<string, unknown>,
  ): Promise<void> {
    const log = { projectId, deviceId, rule: m.rule, value: m.value };
    if (tr.kind === 'clear') {
      const cleared = ch.alarmId ? await this.store.alarms.clear(ch.alarmId, time) : null;
      ch.alarmId = undefined;
      if (cleared) {
        this.log.info(log, 'alarm cleared');
        this.push(projectId, { type: 'alarm.cleared', alarm: cleared });
      }
      return;
    }
    const level: AlarmLevel = tr.kind === 'raise' ? tr.level : tr.to;
    const fields = {
      level,
      value: m.value,
      threshold: lineOf(m, level),
      message: alarmMessage(m, level),
      ...(details ? { details } : {}),
      time,
    };
    if (tr.kind === 'escalate' && ch.alarmId) {
      const a = await this.store.alarms.escalate(ch.alarmId, fields);
      if (a) {
        this.log.warn({ ...log, level }, 'alarm escalated');
        this.push(projectId, { type: 'alarm.updated', alarm: a });
        return;
      }
      // Cleared elsewhere meanwhile: raise a new episode below.
    }
    const { alarm, created } = await this.store.alarms.raise({
      projectId,
      deviceId,
      rule: m.rule,
      quantity: m.quantity,
      ...fields,
    });
    ch.alarmId = alarm.id;
    if (created) {
      this.log.warn({ ...log, level, alarmId: alarm.id }, 'alarm raised');
      this.push(projectId, { type: 'alarm.raised', alarm });
    } else if (levelRank(alarm.level) < levelRank(level)) {
      // Another node raised it at a lower level: this one escalates it.
      const a = await this.store.alarms.escalate(alarm.id, fields);
      if (a) this.push(projectId, { type: 'alarm.updated', alarm: a });
    }
  }

  /** Pushes an alarm change made outside the engine (an acknowledgement over HTTP). */
  publish(alarm: Alarm, type: 'alarm.updated' | 'alarm.cleared' = 'alarm.updated'): void {
    this.push(alarm.projectId, { type, alarm });
  }

  private push(projectId: string, m: LiveServerMessage): void {
    this.live.toProject(projectId, m);
  }

  /** Stops listening; pending evaluations finish. */
  async dispose(): Promise<void> {
    this.unsubscribe?.();
    await this.queue;
  }
}

const key = (deviceId: string, rule: string) => `${deviceId}|${rule}`;
