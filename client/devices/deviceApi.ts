import { api } from '../../models/api/index.js';
import type { Alarm } from '../../models/Alarm.js';
import type { ProjectAttendance } from '../../models/Attendance.js';
import type { Device } from '../../models/Device.js';
import type { ProjectReplay } from '../../models/Replay.js';
import { ReadingHistory } from '../../models/Reading.js';
import { parseAnswer } from '../api/ApiError.js';
import { rest } from '../api/ApiClient.js';

const withSignal = (signal?: AbortSignal) => (signal ? { signal } : {});

/** `api.devices.get`. */
export async function fetchDevice(id: string, signal?: AbortSignal): Promise<Device> {
  return rest.call(api.devices.get, { params: { id }, ...withSignal(signal), what: 'device' });
}

/** `api.devices.readings` with `from`, `to`, `bucket`: min/avg/max per bucket. */
export async function fetchHistory(
  id: string,
  from: number,
  to: number,
  bucket: string,
  signal?: AbortSignal,
): Promise<ReadingHistory> {
  // With a bucket the answer is always the bucketed form of the contract's union.
  return parseAnswer(
    ReadingHistory,
    await rest.raw(api.devices.readings, { params: { id }, query: { from, to, bucket }, ...withSignal(signal) }),
    'reading history',
  );
}

/** `api.ops.attendanceOfProject`: on-site counts (no worker ids). */
export async function fetchAttendance(projectId: string, signal?: AbortSignal): Promise<ProjectAttendance> {
  return rest.call(api.ops.attendanceOfProject, {
    params: { id: projectId },
    ...withSignal(signal),
    what: 'attendance',
  });
}

/** `api.alarms.list` (`state`, `projectId`, `limit`): newest first. */
export async function fetchAlarms(
  query: { state?: 'open' | 'acknowledged'; projectId?: string; limit?: number },
  signal?: AbortSignal,
): Promise<Alarm[]> {
  return rest.call(api.alarms.list, { query, ...withSignal(signal), what: 'alarm list' });
}

/** `api.alarms.ack`. */
export async function acknowledgeAlarm(id: string, by: string | undefined, comment: string): Promise<Alarm> {
  // `by` only without accounts: with them the server signs with the session's user.
  const body = by === undefined ? { comment } : { by, comment };
  return rest.call(api.alarms.ack, { params: { id }, body, what: 'acknowledged alarm' });
}

/** `api.replay.replay` (`from`, `to`, `stepMs`). */
export async function fetchReplay(
  projectId: string,
  from: number,
  to: number,
  stepMs: number,
  signal?: AbortSignal,
): Promise<ProjectReplay> {
  return rest.call(api.replay.replay, {
    params: { id: projectId },
    query: { from, to, stepMs },
    ...withSignal(signal),
    what: 'replay',
  });
}
