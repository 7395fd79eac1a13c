import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { rectangleAround } from '../../models/geo.js';
import { TourCreate } from '../../models/Tour.js';
import type { UserGrant } from '../../models/User.js';
import { hashPassword } from '../../server/auth/passwords.js';
import type { Store } from '../../server/store/Store.js';
import type { TestServer } from './server.js';

/** The password of every fixture account. */
export const FIXTURE_PASSWORD = 'fixture-password-1';

/** Creates a user straight in the store (the first admin of a fresh store has no one to create it). */
export async function makeUser(
  store: Store,
  username: string,
  grant: UserGrant,
  password = FIXTURE_PASSWORD,
): Promise<string> {
  return (
    await store.users.create({ username, displayName: username, passwordHash: await hashPassword(password), grant })
  ).id;
}

/** One project with one of each thing under it, created through the API (as admin) and the store. */
export interface ProjectFixture {
  projectId: string;
  enterpriseId: string;
  deviceId: string;
  apiKey: string;
  modelId: string;
  globalId: string;
  alarmId: string;
  tourId: string;
}

/**
 * A project of `enterpriseId` in `regionCode` with a crane that has reported, a model with one element, an open
 * alarm and a saved tour.
 */
export async function makeProjectFixture(
  t: TestServer,
  adminToken: string,
  enterpriseId: string,
  regionCode: string,
  name: string,
): Promise<ProjectFixture> {
  const api = (m: string, p: string, b?: unknown) => t.api(m, p, b, { token: adminToken });
  const p = await api('POST', '/api/v1/projects', {
    name,
    enterpriseId,
    regionCode,
    location: { lon: 120.47, lat: 36.1, height: 0 },
    footprint: rectangleAround({ lon: 120.47, lat: 36.1 }, 120, 80),
  });
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  const projectId = p.body.id as string;
  const d = await api('POST', `/api/v1/projects/${projectId}/devices`, {
    kind: 'tower_crane',
    name: `${name} 1号塔吊`,
    location: { lon: 120.4702, lat: 36.1002, height: 0 },
    params: { mastHeightM: 60, jibLengthM: 55, maxLoadT: 8, maxRadiusM: 55 },
  });
  expect(d.status, JSON.stringify(d.body)).toBe(201);
  const deviceId = d.body.device.id as string;
  const apiKey = d.body.apiKey as string;
  const ing = await t.api(
    'POST',
    '/api/v1/ingest',
    [{ deviceId, seq: 1, time: Date.now() - 1000, values: { loadT: 2, ratedLoadT: 8, momentPct: 25 } }],
    { token: apiKey },
  );
  expect(ing.status, JSON.stringify(ing.body)).toBe(200);
  const modelId = randomUUID();
  await t.store.models.create({ id: modelId, projectId, fileName: `${name}.ifc`, fileBytes: 1000, sourceKind: 'ifc' });
  const globalId = `0${randomUUID().replace(/-/g, '').slice(0, 21)}`;
  await t.store.elements.insertBatch(modelId, [
    {
      globalId,
      expressId: 1,
      ifcClass: 'IfcWall',
      name: 'W1',
      predefinedType: null,
      storeyId: null,
      storeyName: null,
      psets: {},
      bbox: null,
      hasGeometry: false,
    },
  ]);
  const { alarm } = await t.store.alarms.raise({
    projectId,
    deviceId,
    rule: 'crane.load',
    quantity: 'loadPct',
    level: 'alarm',
    value: 105,
    threshold: 100,
    message: 'overload',
    time: Date.now(),
  });
  const tour = await t.store.tours.create(
    projectId,
    TourCreate.parse({
      name: `${name} tour`,
      viewpoints: [{ lon: 120.47, lat: 36.1, height: 300, headingDeg: 0, pitchDeg: -30 }],
    }),
  );
  return { projectId, enterpriseId, deviceId, apiKey, modelId, globalId, alarmId: alarm.id, tourId: tour.id };
}
