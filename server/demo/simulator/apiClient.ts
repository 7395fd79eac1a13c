import type { Device } from '../../../models/Device.js';
import { rectangleAround, type GeoPoint } from '../../../models/geo.js';
import { offset, planSite, type SimDeviceSpec } from './fleet.js';

/** A device the simulator drives: its record, its key, and for an env monitor its HJ 212 credentials. */
export interface SimDevice {
  device: Device;
  apiKey: string;
  spec: SimDeviceSpec;
  hj212?: { mn: string; pw: string };
}

/** Names of simulated devices start with this, so a rerun finds and reuses them rather than adding more. */
export const SIM_PREFIX = '仿真 ';
const SIM_ENTERPRISE = '仿真建设集团有限公司';
/** HJ 212 PW of simulated monitors: a vendor default, as on real sites. */
export const SIM_HJ212_PW = '123456';

/** Bearer token for the registry calls (a server with AUTH=on); device readings use the devices' own keys. */
let bearer: string | undefined;

/** Logs in as an operator account (admin or the project's own) and uses its session for the registry calls. */
export async function login(base: string, username: string, password: string): Promise<void> {
  bearer = undefined;
  const r = await call<{ token: string }>(base, 'POST', '/api/v1/auth/login', { username, password });
  bearer = r.token;
}

async function call<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface ProjectLite {
  id: string;
  name: string;
  location: GeoPoint;
}

/** The first `n` projects of the server, creating simulated ones around Qingdao when there are fewer. */
export async function ensureProjects(base: string, n: number): Promise<ProjectLite[]> {
  const list = await call<ProjectLite[]>(base, 'GET', '/api/v1/projects');
  const out = list.slice(0, n);
  if (out.length >= n) return out;
  const enterprises = await call<Array<{ id: string; name: string }>>(base, 'GET', '/api/v1/enterprises');
  const ent =
    enterprises.find((e) => e.name === SIM_ENTERPRISE) ??
    (await call<{ id: string }>(base, 'POST', '/api/v1/enterprises', { name: SIM_ENTERPRISE }));
  for (let i = out.length; i < n; i++) {
    const center = { lon: 120.3 + 0.02 * (i % 10), lat: 36.05 + 0.02 * Math.floor(i / 10), height: 0 };
    out.push(
      await call<ProjectLite>(base, 'POST', '/api/v1/projects', {
        name: `${SIM_PREFIX}工地 ${i + 1}`,
        enterpriseId: ent.id,
        regionCode: '370202',
        location: center,
        footprint: rectangleAround(center, 120, 80),
      }),
    );
  }
  return out;
}

/**
 * Registers the planned devices of a project through the API, or reuses those a previous run registered (same
 * name): a reused device gets a fresh key, since a key is shown only once. Env monitors get HJ 212 credentials.
 */
export async function ensureDevices(
  base: string,
  project: ProjectLite,
  cranes: number,
  sensors: number,
): Promise<SimDevice[]> {
  const existing = await call<Device[]>(base, 'GET', `/api/v1/projects/${project.id}/devices`);
  const out: SimDevice[] = [];
  for (const spec of planSite(cranes, sensors)) {
    const name = `${SIM_PREFIX}${spec.name}`;
    const mn =
      spec.kind === 'env_monitor'
        ? `SIM${project.id.replace(/-/g, '').slice(0, 12)}${String(out.length).padStart(3, '0')}`.toUpperCase()
        : undefined;
    const hj212 = mn ? { mn, pw: SIM_HJ212_PW } : undefined;
    const found = existing.find((d) => d.name === name && d.kind === spec.kind);
    if (found) {
      const { apiKey } = await call<{ apiKey: string }>(base, 'POST', `/api/v1/devices/${found.id}/key`);
      if (hj212 && found.hj212Mn !== mn) await call(base, 'PATCH', `/api/v1/devices/${found.id}`, { hj212 });
      out.push({ device: found, apiKey, spec, ...(hj212 ? { hj212 } : {}) });
      continue;
    }
    const created = await call<{ device: Device; apiKey: string }>(
      base,
      'POST',
      `/api/v1/projects/${project.id}/devices`,
      {
        kind: spec.kind,
        name,
        location: offset(project.location, spec.eastM, spec.northM, spec.heightM),
        params: spec.params,
        ...(hj212 ? { hj212 } : {}),
      },
    );
    out.push({ ...created, spec, ...(hj212 ? { hj212 } : {}) });
  }
  return out;
}
