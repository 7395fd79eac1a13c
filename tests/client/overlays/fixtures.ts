import { randomUUID } from 'node:crypto';
import type { Alarm } from '../../../models/Alarm.js';
import type { Device, DeviceKind } from '../../../models/Device.js';

/** A device as the API serves it. */
export function makeDevice(projectId: string, kind: DeviceKind = 'tower_crane', over: Partial<Device> = {}): Device {
  return {
    id: randomUUID(),
    projectId,
    kind,
    name: `${kind} 1`,
    location: { lon: 120.4, lat: 36.07, height: 0 },
    params:
      kind === 'tower_crane'
        ? {
            mastHeightM: 60,
            jibLengthM: 55,
            counterJibLengthM: 15,
            maxLoadT: 8,
            maxRadiusM: 55,
            preWarnPct: 90,
            alarmPct: 100,
          }
        : {},
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}

/** An alarm as the API serves it. */
export function makeAlarm(over: Partial<Alarm> = {}): Alarm {
  return {
    id: randomUUID(),
    projectId: randomUUID(),
    deviceId: randomUUID(),
    rule: 'crane.load',
    quantity: 'loadPct',
    level: 'alarm',
    value: 110,
    threshold: 100,
    message: 'Load 110 % of rated (alarm at 100 %)',
    state: 'open',
    raisedAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}
