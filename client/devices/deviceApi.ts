import { z } from 'zod';
import { Alarm } from '../../models/Alarm.js';
import { ProjectAttendance } from '../../models/Attendance.js';
import { Device } from '../../models/Device.js';
import { ProjectReplay } from '../../models/Replay.js';
import { ReadingHistory } from '../../models/Reading.js';
import { getJson, parseAnswer, requestJson } from '../api/ApiError.js';

/** `GET /api/v1/devices/:id`. */
export async function fetchDevice(id: string, signal?: AbortSignal): Promise<Device> {
  return parseAnswer(Device, await getJson(`/api/v1/devices/${id}`, signal), 'device');
}

/** `GET /api/v1/devices/:id/readings?from&to&bucket=`: min/avg/max per bucket. */
export async function fetchHistory(id: string, from: number, to: number, bucket: string, signal?: AbortSignal): Promise<ReadingHistory> {
  const q = new URLSearchParams({ from: String(from), to: String(to), bucket });
  return parseAnswer(ReadingHistory, await getJson(`/api/v1/devices/${id}/readings?${q}`, signal), 'reading history');
}

/** `GET /api/v1/projects/:id/attendance`: on-site counts (no worker ids). */
export async function fetchAttendance(projectId: string, signal?: AbortSignal): Promise<ProjectAttendance> {
  return parseAnswer(ProjectAttendance, await getJson(`/api/v1/projects/${projectId}/attendance`, signal), 'attendance');
}

/** `GET /api/v1/alarms?state=…`: newest first. */
export async function fetchAlarms(query: { state?: 'open' | 'acknowledged'; projectId?: string; limit?: number }, signal?: AbortSignal): Promise<Alarm[]> {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  return parseAnswer(z.array(Alarm), await getJson(`/api/v1/alarms?${q}`, signal), 'alarm list');
}

/** `POST /api/v1/alarms/:id/ack`. */
export async function acknowledgeAlarm(id: string, by: string | undefined, comment: string): Promise<Alarm> {
  // `by` only without accounts: with them the server signs with the session's user.
  const body = by === undefined ? { comment } : { by, comment };
  return parseAnswer(Alarm, await requestJson(`/api/v1/alarms/${id}/ack`, { method: 'POST', body }), 'acknowledged alarm');
}

/** `GET /api/v1/projects/:id/replay?from&to&stepMs`. */
export async function fetchReplay(projectId: string, from: number, to: number, stepMs: number, signal?: AbortSignal): Promise<ProjectReplay> {
  const q = new URLSearchParams({ from: String(from), to: String(to), stepMs: String(stepMs) });
  return parseAnswer(ProjectReplay, await getJson(`/api/v1/projects/${projectId}/replay?${q}`, signal), 'replay');
}
