import { Device } from '../../models/Device.js';
import type { DeviceScale, DeviceUnits } from '../../models/DeviceUnits.js';
import { DeviceQuality, ProjectQuality } from '../../models/FieldQuality.js';
import { getJson, parseAnswer, requestJson } from '../api/ApiError.js';

/** `GET /api/v1/devices/:id/quality`: refused fields kept aside, last refused payload, last accepted time. */
export async function fetchDeviceQuality(id: string, signal?: AbortSignal): Promise<DeviceQuality> {
  return parseAnswer(DeviceQuality, await getJson(`/api/v1/devices/${id}/quality`, signal), 'device data quality');
}

/** `GET /api/v1/projects/:id/quality`: one row per device of the project. */
export async function fetchProjectQuality(id: string, signal?: AbortSignal): Promise<ProjectQuality> {
  return parseAnswer(ProjectQuality, await getJson(`/api/v1/projects/${id}/quality`, signal), 'project data quality');
}

/** `PATCH /api/v1/devices/:id` with the device's units and scale (`null` removes a map). */
export async function saveUnitSettings(id: string, body: { units: DeviceUnits | null; scale: DeviceScale | null }): Promise<Device> {
  return parseAnswer(Device, await requestJson(`/api/v1/devices/${id}`, { method: 'PATCH', body }), 'device');
}
