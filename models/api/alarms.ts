import { z } from 'zod';
import { Alarm, AlarmAck, AlarmQuery } from '../Alarm.js';
import { AlarmThresholds, AlarmThresholdsOverrides } from '../alarmRules/thresholds.js';
import { endpoint } from './contract.js';

/** A project's alarm lines: the jurisdiction's defaults, the project's overrides, and what applies. */
export const AlarmThresholdsView = z.object({
  projectId: z.string().uuid(),
  jurisdiction: z.object({
    standard: z.string(),
    province: z.string(),
    dust: z.object({
      pm10Ugm3: z.number().optional(),
      pm25Ugm3: z.number().optional(),
      tspUgm3: z.number().optional(),
    }),
    verified: z.boolean(),
    note: z.string(),
  }),
  defaults: AlarmThresholds,
  overrides: AlarmThresholdsOverrides,
  effective: AlarmThresholds,
});
export type AlarmThresholdsView = z.infer<typeof AlarmThresholdsView>;

export const alarms = {
  list: endpoint({
    method: 'get',
    path: '/api/v1/alarms',
    summary: 'Alarms, newest first (state, project, limit)',
    query: AlarmQuery,
    response: z.array(Alarm),
  }),
  listOfProject: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/alarms',
    summary: "A project's alarms, newest first",
    query: AlarmQuery,
    response: z.array(Alarm),
  }),
  ack: endpoint({
    method: 'post',
    path: '/api/v1/alarms/:id/ack',
    summary: 'Acknowledge an open alarm',
    body: AlarmAck,
    response: Alarm,
  }),
  thresholds: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/alarm-thresholds',
    summary: "A project's alarm lines",
    response: AlarmThresholdsView,
  }),
  setThresholds: endpoint({
    method: 'put',
    path: '/api/v1/projects/:id/alarm-thresholds',
    summary: "Replace a project's alarm-line overrides",
    body: AlarmThresholdsOverrides,
    response: AlarmThresholdsView,
  }),
};
