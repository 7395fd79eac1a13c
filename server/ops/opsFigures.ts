import {
  aggregateAttendance,
  cityAttendance,
  type CityAttendance,
  type ProjectAttendance,
} from '../../models/Attendance.js';
import { EXPECTED_INTERVAL_MS } from '../../models/Freshness.js';
import { CHINA_UTC_OFFSET_MIN, localDayStart } from '../../models/localTime.js';
import { figure, regionPrefix, type KpiQuery, type Kpis } from '../../models/Kpis.js';
import { scoreReadiness, type ProjectReadiness, type ReadinessConfig } from '../../models/Readiness.js';
import type { KpiRow } from '../store/KpiRepo.js';
import type { ProjectScope } from '../store/projectScope.js';
import type { Store } from '../store/Store.js';

/** The project scope of a KPI query. */
export function scopeOfKpiQuery(q: KpiQuery): ProjectScope {
  if (q.tier === 'project') return { projectId: q.id! };
  if (q.tier === 'enterprise') return { enterpriseId: q.id! };
  return q.id ? { regionPrefix: regionPrefix(q.id) } : { all: true };
}

/** The wall KPIs of a tier (see models/Kpis.ts for what each figure means). */
export async function computeKpis(
  store: Store,
  q: KpiQuery,
  now = Date.now(),
  utcOffsetMin = CHINA_UTC_OFFSET_MIN,
): Promise<Kpis> {
  const dayStart = localDayStart(now, utcOffsetMin);
  return kpisOf(q, await store.kpis.kpis(scopeOfKpiQuery(q), now, dayStart, utcOffsetMin), now, dayStart);
}

/**
 * The wall KPIs of several tiers at once, each as `computeKpis` gives it, from one store pass (KpiRepo.kpisOfScopes):
 * the live push of every watched scope each tick.
 */
export async function computeKpisMany(
  store: Store,
  qs: readonly KpiQuery[],
  now = Date.now(),
  utcOffsetMin = CHINA_UTC_OFFSET_MIN,
): Promise<Kpis[]> {
  const dayStart = localDayStart(now, utcOffsetMin);
  const rows = await store.kpis.kpisOfScopes(qs.map(scopeOfKpiQuery), now, dayStart, utcOffsetMin);
  return qs.map((q, i) => kpisOf(q, rows[i]!, now, dayStart));
}

function kpisOf(q: KpiQuery, k: KpiRow, now: number, dayStart: number): Kpis {
  const iv = EXPECTED_INTERVAL_MS;
  return {
    tier: q.tier,
    id: q.id ?? null,
    at: now,
    dayStart,
    projects: { total: k.projects, online: figure(k.projectsOnline, k.newestAny, now, iv.tower_crane) },
    cranes: {
      total: k.cranes,
      working: figure(k.cranesWorking, k.newestCrane, now, iv.tower_crane),
      inAlarm: figure(k.cranesInAlarm, k.newestCrane, now, iv.tower_crane),
    },
    openAlarms: {
      available: k.alarms.available,
      prewarning: k.alarms.prewarning,
      alarm: k.alarms.alarm,
      ageMs: k.alarms.newest === null ? null : Math.max(0, now - k.alarms.newest),
    },
    dust: {
      exceedances: figure(k.dustExceedances, k.newestEnv, now, iv.env_monitor),
      devicesOver: k.dustDevicesOver,
      devicesWithoutLimit: k.dustDevicesWithoutLimit,
    },
    noise: {
      exceedances: figure(k.noiseExceedances, k.newestEnv, now, iv.env_monitor),
      devicesOver: k.noiseDevicesOver,
    },
    workers: { onSite: figure(k.workersOnSite, k.newestGate, now, iv.gate), byTrade: k.workersByTrade },
  };
}

/** Today's attendance of one project (zero counts when its gates were silent today). */
export async function projectAttendance(
  store: Store,
  projectId: string,
  now = Date.now(),
  utcOffsetMin = CHINA_UTC_OFFSET_MIN,
): Promise<ProjectAttendance> {
  const dayStart = localDayStart(now, utcOffsetMin);
  const events = await store.ops.gateEvents({ projectId }, dayStart, now);
  return (
    aggregateAttendance(events, dayStart).get(projectId) ?? {
      projectId,
      onSite: 0,
      byTrade: {},
      byTeam: {},
      attendedToday: 0,
      lastEventAt: null,
    }
  );
}

/** Today's attendance of the city (or a region), per project with gate events today. */
export async function cityAttendanceOf(
  store: Store,
  scope: ProjectScope,
  now = Date.now(),
  utcOffsetMin = CHINA_UTC_OFFSET_MIN,
): Promise<CityAttendance> {
  const dayStart = localDayStart(now, utcOffsetMin);
  const events = await store.ops.gateEvents(scope, dayStart, now);
  return cityAttendance(aggregateAttendance(events, dayStart).values(), now, utcOffsetMin);
}

/** Readiness of the projects in scope, in project-name order. */
export async function readinessOf(
  store: Store,
  cfg: ReadinessConfig,
  scope: ProjectScope,
  now = Date.now(),
): Promise<ProjectReadiness[]> {
  const ids = await store.ops.projectIds(scope);
  const facts = await store.ops.readinessFacts(cfg, ids, now);
  return facts.map((f) => scoreReadiness(cfg, f, now));
}
