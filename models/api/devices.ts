import { z } from 'zod';
import { Device, DeviceCreate, DeviceCreated, DevicePatch } from '../Device.js';
import { DeviceQuality, ProjectQuality } from '../FieldQuality.js';
import { Reading, ReadingHistory } from '../Reading.js';
import { endpoint } from './contract.js';
import { FeatureCollection } from './shared.js';

/**
 * `GET /devices/:id/readings`: `from`/`to` as epoch ms or ISO 8601 (default: the last 24 h), `bucket` (ms or `5m`,
 * `1h`…) for min/avg/max per bucket, `limit` raw rows, `format=csv`. Checked by server/http/readingsHistory.ts.
 */
export const ReadingsQuery = z.object({
  from: z.union([z.number().int(), z.string()]).optional(),
  to: z.union([z.number().int(), z.string()]).optional(),
  bucket: z.string().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  format: z.enum(['json', 'csv']).optional(),
});
/** Raw readings (no `bucket`). */
export const RawReadings = z.object({
  deviceId: z.string().uuid(),
  from: z.number().int(),
  to: z.number().int(),
  readings: z.array(Reading),
});
export const DeviceKeyRotated = z.object({ deviceId: z.string().uuid(), apiKey: z.string() });

export const devices = {
  listOfProject: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/devices',
    summary: "A project's devices",
    response: z.array(Device),
  }),
  geojsonOfProject: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/devices.geojson',
    summary: "A project's devices as GeoJSON",
    response: FeatureCollection,
    produces: 'application/geo+json',
  }),
  create: endpoint({
    method: 'post',
    path: '/api/v1/projects/:id/devices',
    summary: 'Register a device (answers its API key once)',
    body: DeviceCreate,
    response: DeviceCreated,
    status: [201],
  }),
  get: endpoint({ method: 'get', path: '/api/v1/devices/:id', summary: 'One device', response: Device }),
  latest: endpoint({
    method: 'get',
    path: '/api/v1/devices/:id/latest',
    summary: "A device's latest reading",
    response: Reading,
  }),
  update: endpoint({
    method: 'patch',
    path: '/api/v1/devices/:id',
    summary: 'Change a device (name, place, params, units, scale, HJ 212)',
    body: DevicePatch,
    response: Device,
  }),
  rotateKey: endpoint({
    method: 'post',
    path: '/api/v1/devices/:id/key',
    summary: "Replace a device's API key",
    response: DeviceKeyRotated,
  }),
  delete: endpoint({ method: 'delete', path: '/api/v1/devices/:id', summary: 'Delete a device', status: [204] }),
  quality: endpoint({
    method: 'get',
    path: '/api/v1/devices/:id/quality',
    summary: "A device's data quality (refused fields, last refused payload)",
    response: DeviceQuality,
  }),
  projectQuality: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/quality',
    summary: "Data quality of a project's devices",
    response: ProjectQuality,
  }),
  readings: endpoint({
    method: 'get',
    path: '/api/v1/devices/:id/readings',
    summary: 'Reading history: raw rows, or min/avg/max per bucket; CSV with format=csv',
    query: ReadingsQuery,
    response: z.union([ReadingHistory, RawReadings]),
  }),
};
