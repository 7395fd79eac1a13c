import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceM } from '../../../models/geodesy.js';
import { ringCentroid } from '../../../models/geo.js';
import { Tour } from '../../../models/Tour.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { makeProject } from '../../helpers/telemetry.js';

let t: TestServer;
let a: string;
let b: string;

beforeAll(async () => {
  t = await startTestServer();
  a = await makeProject(t, 'A 工地');
  b = await makeProject(t, 'B 工地');
});
afterAll(() => t?.close());

const vp = (over: Record<string, unknown> = {}) => ({
  lon: 120.47,
  lat: 36.09,
  height: 300,
  headingDeg: 0,
  pitchDeg: -35,
  caption: '南门',
  ...over,
});

describe('tours API', () => {
  it('generates a city tour over all projects, each viewpoint looking at its project, reachable by its shareable id', async () => {
    const list = await t.api('GET', '/api/v1/tours');
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    const city = Tour.parse(list.body[0]);
    expect(city).toMatchObject({ id: 'default-city', kind: 'city', generated: true });
    expect(city.viewpoints.map((v) => v.projectId)).toEqual([a, b]);
    for (const v of city.viewpoints) {
      const p = (await t.api('GET', `/api/v1/projects/${v.projectId}`)).body;
      const c = ringCentroid(p.footprint);
      // Looking north at the site from its south side, pitched down.
      expect(v.lat).toBeLessThan(c.lat);
      expect(distanceM(v, c)).toBeGreaterThan(200);
      expect(v.headingDeg).toBe(0);
      expect(v.pitchDeg).toBeLessThan(0);
      expect(v.caption).toBe(p.name);
    }
    expect((await t.api('GET', '/api/v1/tours/default-city')).body).toMatchObject({
      id: 'default-city',
      viewpoints: city.viewpoints,
    });
  });

  it('generates a project tour around the site until one is saved, then serves the saved one', async () => {
    const gen = await t.api('GET', `/api/v1/projects/${a}/tours`);
    const tour = Tour.parse(gen.body[0]);
    expect(tour).toMatchObject({ id: `default-${a}`, kind: 'project', projectId: a, generated: true });
    expect(tour.viewpoints.map((v) => v.headingDeg)).toEqual([0, 270, 180, 90]);
    expect((await t.api('GET', `/api/v1/tours/default-${a}`)).body.viewpoints).toEqual(tour.viewpoints);

    const created = await t.api('POST', `/api/v1/projects/${a}/tours`, {
      name: '领导视察路线',
      viewpoints: [vp(), vp({ headingDeg: 90, caption: '塔吊', durationS: 5 })],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/tours/${created.body.id}`);
    expect(created.body).toMatchObject({ kind: 'project', projectId: a, generated: false, path: 'fly', loop: true });
    expect(created.body.viewpoints[1]).toMatchObject({
      headingDeg: 90,
      rollDeg: 0,
      durationS: 5,
      flightS: 3,
      caption: '塔吊',
    });
    const saved = await t.api('GET', `/api/v1/projects/${a}/tours`);
    expect(saved.body.map((x: { id: string }) => x.id)).toEqual([created.body.id]);
    // The link reopens exactly what was saved.
    expect((await t.api('GET', `/api/v1/tours/${created.body.id}`)).body).toEqual(created.body);

    const patched = await t.api('PATCH', `/api/v1/tours/${created.body.id}`, { name: '新路线', loop: false });
    expect(patched.body).toMatchObject({ name: '新路线', loop: false, viewpoints: created.body.viewpoints });
    expect((await t.api('DELETE', `/api/v1/tours/${created.body.id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/v1/tours/${created.body.id}`)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/projects/${a}/tours`)).body[0].id).toBe(`default-${a}`);
  });

  it('saves a city tour that replaces the generated one', async () => {
    const c = await t.api('POST', '/api/v1/tours', {
      name: '全市巡览',
      path: 'linear',
      viewpoints: [vp({ projectId: b }), vp({ projectId: a })],
    });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ kind: 'city', projectId: null, path: 'linear' });
    expect((await t.api('GET', '/api/v1/tours')).body.map((x: { id: string }) => x.id)).toEqual([c.body.id]);
  });

  it('refuses bad tours with field-level reasons and protects generated ones', async () => {
    const bad = await t.api('POST', `/api/v1/projects/${a}/tours`, {
      name: 'x',
      viewpoints: [vp({ pitchDeg: -120 }), vp({ lat: 95 })],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    expect(bad.body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'viewpoints.0.pitchDeg',
      'viewpoints.1.lat',
    ]);
    expect((await t.api('POST', '/api/v1/tours', { name: 'empty', viewpoints: [] })).status).toBe(400);
    expect(
      (await t.api('POST', '/api/v1/tours', { name: 'x', viewpoints: [vp({ elementGlobalId: 'nope' })] })).status,
    ).toBe(400);
    expect((await t.api('PATCH', '/api/v1/tours/default-city', { name: 'x' })).status).toBe(409);
    expect((await t.api('DELETE', `/api/v1/tours/default-${a}`)).status).toBe(409);
    expect((await t.api('GET', '/api/v1/tours/default-00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await t.api('GET', '/api/v1/projects/00000000-0000-4000-8000-000000000000/tours')).status).toBe(404);
  });
});
