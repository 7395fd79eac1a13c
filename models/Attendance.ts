import { z } from 'zod';
import { CHINA_UTC_OFFSET_MIN, localDayStart } from './localTime.js';

/**
 * Attendance from real-name gate events. The wire carries counts only: no worker id, and no name or ID-card number
 * (which the gate schema refuses at ingest, see `personalDataIssues`), ever reaches a browser.
 */

/** One gate event as the aggregation reads it (from a stored gate reading). */
export interface GateEvent {
  projectId: string;
  time: number;
  event: 'enter' | 'leave';
  workerId: string;
  trade?: string | null;
  team?: string | null;
}

const Counts = z.record(z.string(), z.number().int().nonnegative());

/** On-site counts of one project. */
export const ProjectAttendance = z
  .object({
    projectId: z.string().uuid(),
    /** Workers whose last event since local midnight is `enter`. */
    onSite: z.number().int().nonnegative(),
    byTrade: Counts,
    byTeam: Counts,
    /** Distinct workers who entered at least once today. */
    attendedToday: z.number().int().nonnegative(),
    /** Time of the newest gate event counted, or null when there was none today. */
    lastEventAt: z.number().int().nullable(),
  })
  .strict();
export type ProjectAttendance = z.infer<typeof ProjectAttendance>;

/** `GET /api/v1/attendance`: the city summary, projects with at least one gate event today. */
export const CityAttendance = z
  .object({
    dayStart: z.number().int(),
    at: z.number().int(),
    onSite: z.number().int().nonnegative(),
    byTrade: Counts,
    projects: z.array(ProjectAttendance),
  })
  .strict();
export type CityAttendance = z.infer<typeof CityAttendance>;

/** Label of a worker without a trade or team. */
export const UNKNOWN = '(unknown)';

/**
 * Aggregates the day's gate events per project: a worker is on site when their latest event (by time, ties in input
 * order) since `dayStart` is `enter`. Night-shift workers who entered before midnight are not counted until they pass
 * a gate again: the day is the unit sites report attendance in.
 */
export function aggregateAttendance(events: readonly GateEvent[], dayStart: number): Map<string, ProjectAttendance> {
  const last = new Map<string, Map<string, GateEvent>>();
  const attended = new Map<string, Set<string>>();
  const newest = new Map<string, number>();
  for (const e of events) {
    if (e.time < dayStart) continue;
    let workers = last.get(e.projectId);
    if (!workers) last.set(e.projectId, (workers = new Map()));
    const prev = workers.get(e.workerId);
    if (!prev || e.time >= prev.time) workers.set(e.workerId, e);
    if (e.event === 'enter') {
      let s = attended.get(e.projectId);
      if (!s) attended.set(e.projectId, (s = new Set()));
      s.add(e.workerId);
    }
    newest.set(e.projectId, Math.max(newest.get(e.projectId) ?? 0, e.time));
  }
  const out = new Map<string, ProjectAttendance>();
  for (const [projectId, workers] of last) {
    const byTrade: Record<string, number> = {};
    const byTeam: Record<string, number> = {};
    let onSite = 0;
    for (const e of workers.values()) {
      if (e.event !== 'enter') continue;
      onSite++;
      const trade = e.trade || UNKNOWN;
      const team = e.team || UNKNOWN;
      byTrade[trade] = (byTrade[trade] ?? 0) + 1;
      byTeam[team] = (byTeam[team] ?? 0) + 1;
    }
    out.set(projectId, {
      projectId,
      onSite,
      byTrade,
      byTeam,
      attendedToday: attended.get(projectId)?.size ?? 0,
      lastEventAt: newest.get(projectId) ?? null,
    });
  }
  return out;
}

/** The city summary of per-project attendance. */
export function cityAttendance(
  perProject: Iterable<ProjectAttendance>,
  now: number,
  utcOffsetMin = CHINA_UTC_OFFSET_MIN,
): CityAttendance {
  const projects = [...perProject].sort((a, b) => b.onSite - a.onSite || a.projectId.localeCompare(b.projectId));
  const byTrade: Record<string, number> = {};
  for (const p of projects) for (const [t, n] of Object.entries(p.byTrade)) byTrade[t] = (byTrade[t] ?? 0) + n;
  return {
    dayStart: localDayStart(now, utcOffsetMin),
    at: now,
    onSite: projects.reduce((s, p) => s + p.onSite, 0),
    byTrade,
    projects,
  };
}

/** A PRC resident ID number (18 characters, the last a digit or X) or its old 15-digit form. */
const ID_CARD = /^(\d{17}[\dXx]|\d{15})$/;
/** A mainland mobile number. */
const MOBILE = /^(\+?86)?1[3-9]\d{9}$/;
/** Keys that name a person or an identity document (English and Chinese). */
const PERSONAL_KEY =
  /(^|[^a-z])(name|fullname|realname|idcard|idno|idnumber|identity|passport|phone|mobile|tel)([^a-z]|$)|姓名|名字|身份证|证件|手机|电话/i;

/**
 * Personal data in a gate event: a worker id that is an ID-card or phone number, or an `extra` field that names a
 * person or a document. Gate adapters must send pseudonyms; this is the check that refuses what slips through.
 */
export function personalDataIssues(v: {
  workerId?: unknown;
  extra?: Record<string, unknown>;
}): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const looksPersonal = (s: string) => ID_CARD.test(s.replace(/\s/g, '')) || MOBILE.test(s.replace(/[\s-]/g, ''));
  if (typeof v.workerId === 'string' && looksPersonal(v.workerId))
    issues.push({
      path: 'workerId',
      message: 'workerId looks like an ID-card or phone number: send a pseudonymous id',
    });
  for (const [k, x] of Object.entries(v.extra ?? {})) {
    const key = k.replace(/[\s_-]/g, '').toLowerCase();
    if (PERSONAL_KEY.test(k) || PERSONAL_KEY.test(key) || ['name', 'idcard', 'idno', 'idnumber'].includes(key))
      issues.push({
        path: `extra.${k}`,
        message: `extra.${k} would carry personal data: gate events hold pseudonymous ids only`,
      });
    else if (typeof x === 'string' && looksPersonal(x))
      issues.push({ path: `extra.${k}`, message: `extra.${k} looks like an ID-card or phone number` });
  }
  return issues;
}
