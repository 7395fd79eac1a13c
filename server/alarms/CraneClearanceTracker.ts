import type { Device } from '../../models/Device.js';
import type { Measure } from '../../models/alarmRules/types.js';
import type { AlarmThresholds } from '../../models/alarmRules/thresholds.js';
import {
  MIN_CLEARANCE_M,
  WARN_CLEARANCE_M,
  siteClearances,
  siteEnu,
  siteToGeodetic,
  type CranePose,
  type ClearanceResult,
  type CraneClearanceInfo,
} from '../../models/craneClearance.js';

/** A crane's pose is ignored once it is this much older than the project's newest crane reading (crane offline). */
export const POSE_STALE_MS = 60_000;
/** Most `crane.clearance` messages per pair per second while a risk lasts. */
export const CLEARANCE_MSG_INTERVAL_MS = 1000;
/** Clearance value used when no approach counts (keeps the channel on its safe side). */
const FAR_M = 1e6;

interface CraneLive {
  device: Device;
  slewDeg?: number;
  radiusM?: number;
  hookHeightM?: number;
  time: number;
}

/** One pair's evaluation: the collision measure for the state machine and, when due, the message to push. */
export interface PairUpdate {
  /** The crane with the smaller id carries the alarm. */
  deviceId: string;
  otherId: string;
  /** Reading time the evaluation stands for (the project's newest crane reading). */
  time: number;
  measure: Measure;
  details: Record<string, unknown>;
  /** Set when a `crane.clearance` message is due now (throttled while the risk lasts, once when it ends). */
  message?: CraneClearanceInfo;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Keeps the latest pose of every tower crane per project (readings carry only what changed, so fields are merged)
 * and computes pairwise clearances from them (models/craneClearance.ts).
 */
export class CraneClearanceTracker {
  private readonly byProject = new Map<string, Map<string, CraneLive>>();
  /** Pair key -> wall time of the last message sent for it while at risk. */
  private readonly atRisk = new Map<string, number>();

  /** Takes a crane reading; returns true when the pose moved (the project then needs a new evaluation). */
  update(device: Device, time: number, values: Record<string, unknown>): boolean {
    if (device.kind !== 'tower_crane' || !device.location) return false;
    let cranes = this.byProject.get(device.projectId);
    if (!cranes) this.byProject.set(device.projectId, (cranes = new Map()));
    const prev = cranes.get(device.id);
    if (prev && time < prev.time) return false;
    const slew = num(values.slewDeg);
    const radius = num(values.radiusM);
    const hook = num(values.hookHeightM);
    cranes.set(device.id, {
      device,
      time,
      ...((slew ?? prev?.slewDeg) !== undefined ? { slewDeg: slew ?? prev?.slewDeg } : {}),
      ...((radius ?? prev?.radiusM) !== undefined ? { radiusM: radius ?? prev?.radiusM } : {}),
      ...((hook ?? prev?.hookHeightM) !== undefined ? { hookHeightM: hook ?? prev?.hookHeightM } : {}),
    });
    return slew !== undefined || radius !== undefined || hook !== undefined || !prev;
  }

  /** Forgets a device (deleted). */
  forget(deviceId: string): void {
    for (const cranes of this.byProject.values()) cranes.delete(deviceId);
  }

  /** Clearance of every nearby pair of a project's cranes with a known pose, as measures and due messages. */
  evaluate(projectId: string, t: AlarmThresholds, now = Date.now()): PairUpdate[] {
    const cranes = [...(this.byProject.get(projectId)?.values() ?? [])];
    const newest = Math.max(0, ...cranes.map((c) => c.time));
    const live = cranes.filter((c) => c.slewDeg !== undefined && newest - c.time <= POSE_STALE_MS);
    if (live.length < 2) return this.ended(projectId, new Set(), newest || Date.now());
    const origin = live[0]!.device.location!;
    const poses: CranePose[] = live.map((c) => {
      const p = c.device.params as { mastHeightM?: number; jibLengthM?: number; counterJibLengthM?: number };
      const { east, north } = siteEnu(origin, c.device.location!);
      const jibHeightM = p.mastHeightM ?? 0;
      return {
        id: c.device.id,
        east,
        north,
        jibHeightM,
        jibLengthM: p.jibLengthM ?? 0,
        counterJibLengthM: p.counterJibLengthM ?? 0,
        slewDeg: c.slewDeg!,
        radiusM: c.radiusM ?? 0,
        hookHeightM: c.hookHeightM ?? jibHeightM,
      };
    });
    const time = newest;
    const out: PairUpdate[] = [];
    const seen = new Set<string>();
    for (const r of siteClearances(poses, { minHorizontalM: MIN_CLEARANCE_M, warnM: WARN_CLEARANCE_M })) {
      const key = `${r.a}|${r.b}`;
      seen.add(key);
      const info = toInfo(projectId, r, origin, time);
      const update: PairUpdate = {
        deviceId: r.a,
        otherId: r.b,
        time,
        measure: collisionMeasure(r.b, r, t),
        details: detailsOf(info),
      };
      if (r.level) {
        const last = this.atRisk.get(key);
        if (last === undefined || now - last >= CLEARANCE_MSG_INTERVAL_MS) {
          update.message = info;
          this.atRisk.set(key, now);
        }
      } else if (this.atRisk.delete(key)) {
        update.message = info;
      }
      out.push(update);
    }
    return [...out, ...this.ended(projectId, seen, time)];
  }

  /** Pairs that were at risk and are no longer evaluated (circles apart, pose stale): one last message each. */
  private ended(projectId: string, seen: Set<string>, time: number): PairUpdate[] {
    const out: PairUpdate[] = [];
    const cranes = this.byProject.get(projectId);
    for (const key of [...this.atRisk.keys()]) {
      if (seen.has(key)) continue;
      const [a, b] = key.split('|') as [string, string];
      if (!cranes?.has(a) && !cranes?.has(b)) continue;
      this.atRisk.delete(key);
      const info: CraneClearanceInfo = {
        projectId,
        a,
        b,
        level: null,
        clearanceM: null,
        horizontalM: FAR_M,
        verticalM: 0,
        conflict: null,
        closest: null,
        time,
      };
      out.push({
        deviceId: a,
        otherId: b,
        time,
        measure: collisionMeasure(b, null, null),
        details: detailsOf(info),
        message: info,
      });
    }
    return out;
  }
}

function toInfo(
  projectId: string,
  r: ClearanceResult,
  origin: { lon: number; lat: number },
  time: number,
): CraneClearanceInfo {
  return {
    projectId,
    a: r.a,
    b: r.b,
    level: r.level,
    clearanceM: r.clearanceM,
    horizontalM: r.horizontalM,
    verticalM: r.verticalM,
    conflict: r.conflict,
    closest: r.closest ? { a: siteToGeodetic(origin, r.closest.a), b: siteToGeodetic(origin, r.closest.b) } : null,
    time,
  };
}

function detailsOf(info: CraneClearanceInfo): Record<string, unknown> {
  return {
    otherDeviceId: info.b,
    conflict: info.conflict,
    horizontalM: info.horizontalM,
    verticalM: info.verticalM,
    closest: info.closest,
  };
}

/** The collision channel of a pair: clearance in metres, lower is worse, alarm under 2 m, pre-warning under 5 m. */
function collisionMeasure(otherId: string, r: ClearanceResult | null, t: AlarmThresholds | null): Measure {
  return {
    rule: `crane.collision:${otherId}`,
    quantity: 'clearanceM',
    value: r?.clearanceM ?? FAR_M,
    prewarnAt: WARN_CLEARANCE_M,
    alarmAt: MIN_CLEARANCE_M,
    direction: 'below',
    unit: 'm',
    label: 'Crane clearance',
    minDurationMs: t?.crane.minDurationMs ?? 0,
    hysteresisPct: t?.hysteresisPct ?? 0,
  };
}
