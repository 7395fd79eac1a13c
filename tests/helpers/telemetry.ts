import { expect } from 'vitest';
import type { Device, DeviceCreateInput } from '../../models/Device.js';
import { rectangleAround } from '../../models/geo.js';
import type { LiveServerMessage } from '../../models/protocol.js';
import type { TestServer } from './server.js';

/** Creates an enterprise and a project through the API; returns the project id. */
export async function makeProject(
  t: TestServer,
  name = `工地-${Math.random().toString(36).slice(2, 8)}`,
): Promise<string> {
  const e = await t.api('POST', '/api/v1/enterprises', { name: `建设集团-${name}` });
  expect(e.status).toBe(201);
  const p = await t.api('POST', '/api/v1/projects', {
    name,
    enterpriseId: e.body.id,
    regionCode: '370212',
    location: { lon: 120.47, lat: 36.1, height: 0 },
    footprint: rectangleAround({ lon: 120.47, lat: 36.1 }, 120, 80),
  });
  expect(p.status).toBe(201);
  return p.body.id;
}

export const envMonitor = (name = '扬尘监测仪'): DeviceCreateInput => ({
  kind: 'env_monitor',
  name,
  location: { lon: 120.4701, lat: 36.1001, height: 3 },
  params: {},
});
export const crane = (name = '1号塔吊'): DeviceCreateInput => ({
  kind: 'tower_crane',
  name,
  location: { lon: 120.4702, lat: 36.1002, height: 0 },
  params: { mastHeightM: 60, jibLengthM: 55, maxLoadT: 8, maxRadiusM: 55 },
});

/** Registers a device through the API; returns it with its one-time API key. */
export async function makeDevice(
  t: TestServer,
  projectId: string,
  body: DeviceCreateInput,
): Promise<{ device: Device; apiKey: string }> {
  const r = await t.api('POST', `/api/v1/projects/${projectId}/devices`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** POST /api/v1/ingest with an optional bearer key. */
export async function postIngest(
  t: TestServer,
  body: unknown,
  key?: string,
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${t.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Collects `/live` messages of a socket. */
export function collect(s: { on(ev: 'msg', fn: (m: LiveServerMessage) => void): unknown }): LiveServerMessage[] {
  const got: LiveServerMessage[] = [];
  s.on('msg', (m) => got.push(m));
  return got;
}

/** All readings of one device pushed in `telemetry.batch` messages so far. */
export function pushedFor(got: LiveServerMessage[], deviceId: string) {
  return got.flatMap((m) => (m.type === 'telemetry.batch' ? m.readings.filter((r) => r.deviceId === deviceId) : []));
}
