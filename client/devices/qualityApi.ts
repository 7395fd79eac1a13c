import { api } from '../../models/api/index.js';
import type { Device } from '../../models/Device.js';
import type { DeviceScale, DeviceUnits } from '../../models/DeviceUnits.js';
import type { DeviceQuality, ProjectQuality } from '../../models/FieldQuality.js';
import { rest } from '../api/ApiClient.js';

/** `api.devices.quality`: refused fields kept aside, last refused payload, last accepted time. */
export async function fetchDeviceQuality(id: string, signal?: AbortSignal): Promise<DeviceQuality> {
  return rest.call(api.devices.quality, { params: { id }, ...(signal ? { signal } : {}), what: 'device data quality' });
}

/** `api.devices.projectQuality`: one row per device of the project. */
export async function fetchProjectQuality(id: string, signal?: AbortSignal): Promise<ProjectQuality> {
  return rest.call(api.devices.projectQuality, {
    params: { id },
    ...(signal ? { signal } : {}),
    what: 'project data quality',
  });
}

/** `api.devices.update` with the device's units and scale (`null` removes a map). */
export async function saveUnitSettings(
  id: string,
  body: { units: DeviceUnits | null; scale: DeviceScale | null },
): Promise<Device> {
  return rest.call(api.devices.update, { params: { id }, body, what: 'device' });
}
