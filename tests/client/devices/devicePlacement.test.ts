import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceFieldSpec, formatValue, listedFields, sensorValueLines } from '../../../client/devices/deviceFields.js';
import { elementAnchor, placeOnElement } from '../../../client/devices/devicePlacement.js';
import { DevicePlacer } from '../../../client/devices/DevicePlacer.js';
import { DeviceStore, type DeviceChange } from '../../../client/devices/DeviceStore.js';
import { BimModel, type ConversionReport, type ElementPage } from '../../../models/BimModel.js';
import type { Device } from '../../../models/Device.js';
import { azimuthDeg, distanceM } from '../../../models/geodesy.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { makeDevice as createDevice, makeProject } from '../../helpers/telemetry.js';
import { makeDevice } from '../overlays/fixtures.js';
import { setLocale } from '../../../client/i18n/i18n.js';

// Expected texts are the English catalogue's.
setLocale('en');

const origin = { lon: 120.4, lat: 36.07, height: 12, headingDeg: 0 };
/** Distance along the ground (distanceM counts the height difference too). */
const ground = (a: { lon: number; lat: number }, b: { lon: number; lat: number }) =>
  distanceM({ ...a, height: 0 }, { ...b, height: 0 });
const GID = '2O2Fr$t4X7Zf8NOew3FLOH';
const sensorParams = {
  quantities: [
    { name: 'strainUe', unit: 'µε' },
    { name: 'tempC', unit: '°C', min: -40, max: 80 },
  ],
};

describe('device placement at an IFC element', () => {
  it('stands at the centre of the element box, top for markers and bottom for cranes, placed by the georeference', () => {
    // A 4 x 2 x 10 m column whose centre is 100 m along the model's +X (east with heading 0), 0..10 m up.
    const bbox = { min: [98, -1, 0] as [number, number, number], max: [102, 1, 10] as [number, number, number] };
    const top = elementAnchor(origin, bbox, 'sensor');
    expect(ground(origin, top)).toBeCloseTo(100, 1);
    expect(azimuthDeg(origin, top)).toBeCloseTo(90, 1);
    expect(top.height).toBeCloseTo(12 + 10, 2); // curvature over 100 m: under a millimetre
    expect(elementAnchor(origin, bbox, 'tower_crane').height).toBeCloseTo(12, 2);
    // Heading 90: the model's +Y points east, so an element 50 m along +Y is 50 m east.
    const turned = elementAnchor({ ...origin, headingDeg: 90 }, { min: [-1, 49, 3], max: [1, 51, 4] }, 'pit_gauge');
    expect(ground(origin, turned)).toBeCloseTo(50, 1);
    expect(azimuthDeg(origin, turned)).toBeCloseTo(90, 1);
    expect(turned.height).toBeCloseTo(16, 2);
  });

  it('picks the newest ready, georeferenced model holding the element with a box; none when nothing places it', () => {
    const device = { kind: 'sensor' as const, ifcGlobalId: GID };
    const geo = { ...origin, source: 'manual' as const, warnings: [] };
    const box = { min: [0, 0, 0] as [number, number, number], max: [2, 2, 2] as [number, number, number] };
    const far = { min: [500, 0, 0] as [number, number, number], max: [502, 2, 2] as [number, number, number] };
    const model = (id: string, updatedAt: number, over: Partial<BimModel> = {}) => ({
      id,
      status: 'ready' as const,
      georeference: geo,
      updatedAt,
      ...over,
    });
    const found = [
      { model: model('old', 1), element: { globalId: GID, bbox: far } },
      { model: model('new', 3), element: { globalId: GID, bbox: box } },
      { model: model('failed', 9, { status: 'failed' }), element: { globalId: GID, bbox: far } },
      { model: model('unplaced', 8, { georeference: null }), element: { globalId: GID, bbox: far } },
      { model: model('nobox', 7), element: { globalId: GID, bbox: null } },
      { model: model('other', 6), element: { globalId: '0000000000000000000000', bbox: far } },
      { model: model('none', 5), element: null },
    ];
    const p = placeOnElement(device, found)!;
    expect(p.modelId).toBe('new');
    expect(p.globalId).toBe(GID);
    expect(ground(origin, p.location)).toBeCloseTo(Math.SQRT2, 2); // the (1, 1) centre of the new model's box
    expect(placeOnElement(device, found.slice(2))).toBeNull();
    // A device with a location of its own stands there, whatever it is bound to.
    expect(placeOnElement({ ...device, location: { lon: 120, lat: 36, height: 0 } }, found)).toBeNull();
  });

  it('DeviceStore gives a bound device its element place across snapshots and updates, never over an own location', () => {
    const pid = randomUUID();
    const s = new DeviceStore();
    const bound = makeDevice(pid, 'sensor', { location: undefined, ifcGlobalId: GID, params: sensorParams });
    const located = makeDevice(pid, 'sensor', { ifcGlobalId: GID, params: sensorParams });
    s.reset(pid, [bound, located]);
    const changes: DeviceChange[] = [];
    s.onChanged.add((c) => changes.push(c));
    const place = { location: { lon: 120.401, lat: 36.071, height: 30 }, modelId: randomUUID(), globalId: GID };
    s.placeAt(bound.id, place);
    s.placeAt(located.id, place);
    expect(s.get(bound.id)!.device.location).toEqual(place.location);
    expect(s.record(bound.id)!.location).toBeUndefined();
    expect(s.placementOf(bound.id)).toEqual(place);
    expect(s.get(located.id)!.device.location).toEqual(located.location); // its own location wins
    expect(s.placementOf(located.id)).toBeUndefined();
    expect(changes).toEqual([{ kind: 'updated', id: bound.id }]);
    s.placeAt(bound.id, place); // same place: nothing to redraw
    expect(changes).toHaveLength(1);
    // A new snapshot or a renamed device keeps the place; a new binding drops it.
    s.apply({ type: 'snapshot', scope: { kind: 'project', projectId: pid }, devices: [bound, located], latest: [] });
    expect(s.get(bound.id)!.device.location).toEqual(place.location);
    s.apply({ type: 'device.updated', device: { ...bound, name: 'renamed' } });
    expect(s.get(bound.id)!.device).toMatchObject({ name: 'renamed', location: place.location });
    s.apply({ type: 'device.updated', device: { ...bound, ifcGlobalId: '1111111111111111111111' } });
    expect(s.get(bound.id)!.device.location).toBeUndefined();
    // Another project: places are forgotten.
    s.reset(randomUUID());
    s.reset(pid, [bound]);
    expect(s.get(bound.id)!.device.location).toBeUndefined();
  });

  it('labels a generic sensor with its declared quantities and units', () => {
    const d = { kind: 'sensor' as const, params: sensorParams };
    expect(sensorValueLines(d, { strainUe: 12.345, tempC: 21 })).toEqual(['Strain 12.35 µε', 'Temperature 21.00 °C']);
    expect(sensorValueLines(d, { tempC: 21 })).toEqual(['Strain —', 'Temperature 21.00 °C']);
    const many = {
      kind: 'sensor' as const,
      params: { quantities: ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({ name, unit: 'u' })) },
    };
    expect(sensorValueLines(many, { a: 1 })).toEqual(['A 1.00 u', 'B —', 'C —', 'D —', '+2 more']);
    expect(formatValue(deviceFieldSpec(d, 'tempC'), 3)).toBe('3.00 °C');
    expect(listedFields(d)).toEqual(['strainUe', 'tempC']); // the panel lists them in declared order
    expect(listedFields({ kind: 'gate', params: {} })).toEqual(['onSite']);
    expect(formatValue(deviceFieldSpec({ kind: 'tower_crane', params: {} }, 'loadT'), 3)).toBe('3.00 t');
  });
});

describe('DevicePlacer against the real server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t?.close());

  it('finds the element in the project models through the element index and places the device there', async () => {
    const projectId = await makeProject(t);
    const geo = { lon: 120.38, lat: 36.06, height: 5, headingDeg: 30, source: 'manual' as const, warnings: [] };
    const report: ConversionReport = {
      schema: 'IFC4',
      lengthUnitM: 1,
      elementCount: 2,
      skippedCount: 0,
      skipped: [],
      indexedCount: 2,
      tileCount: 1,
      triangleCount: 24,
      bbox: { min: [0, 0, 0], max: [40, 40, 20] },
      fragmentsBytes: 0,
      durationMs: 1,
      stagesMs: {},
      warnings: [],
    };
    const modelId = randomUUID();
    await t.store.models.create({ id: modelId, projectId, fileName: 'tower.ifc', fileBytes: 1000, sourceKind: 'ifc' });
    await t.store.models.setReady(modelId, { schema: 'IFC4', georeference: geo, report, tree: null });
    const el = (globalId: string, bbox: { min: [number, number, number]; max: [number, number, number] }) => ({
      globalId,
      expressId: Math.floor(Math.random() * 1e6),
      ifcClass: 'IfcColumn',
      name: 'C1',
      predefinedType: null,
      storeyId: null,
      storeyName: null,
      psets: {},
      bbox,
      hasGeometry: true,
    });
    // A GlobalId with `$` and `_` (LIKE wildcards) and a look-alike that a LIKE search would also return.
    const gid = '3vB2Y$k_0h9f8NOew3FL_H';
    await t.store.elements.insertBatch(modelId, [
      el(gid, { min: [10, 20, 0], max: [12, 22, 9] }),
      el('3vB2Y$kX0h9f8NOew3FLxH', { min: [30, 30, 0], max: [32, 32, 4] }),
    ]);
    const sensor = (
      await createDevice(t, projectId, { kind: 'sensor', name: '柱应变', ifcGlobalId: gid, params: sensorParams })
    ).device;
    const lost = (
      await createDevice(t, projectId, {
        kind: 'sensor',
        name: '未上传',
        ifcGlobalId: '0AAAAAAAAAAAAAAAAAAAAA',
        params: sensorParams,
      })
    ).device;

    const store = new DeviceStore();
    const asked: string[] = [];
    const placer = new DevicePlacer(store, {
      models: async (pid) =>
        (await t.api<unknown[]>('GET', `/api/v1/projects/${pid}/models`)).body.map((m) => BimModel.parse(m)),
      elements: async (mid, q) => {
        asked.push(q);
        const r = await t.api<ElementPage>('GET', `/api/v1/models/${mid}/elements?q=${encodeURIComponent(q)}&limit=20`);
        expect(r.status).toBe(200);
        return r.body;
      },
    });
    try {
      store.reset(projectId);
      const devices = (await t.api<Device[]>('GET', `/api/v1/projects/${projectId}/devices`)).body;
      store.apply({ type: 'snapshot', scope: { kind: 'project', projectId }, devices, latest: [] });
      await expect.poll(() => store.placementOf(sensor.id) ?? null).not.toBeNull();
      await Promise.all([placer.place(sensor.id), placer.place(lost.id)]);
      const want = elementAnchor(geo, { min: [10, 20, 0], max: [12, 22, 9] }, 'sensor');
      expect(store.placementOf(sensor.id)).toMatchObject({ modelId, globalId: gid });
      const at = store.get(sensor.id)!.device.location!;
      expect(distanceM(at, want)).toBeLessThan(0.01);
      expect(at.height).toBeCloseTo(want.height, 3);
      // About 22 m from the model origin (the column centre at (11, 21)), up its 9 m.
      expect(ground(geo, at)).toBeCloseTo(Math.hypot(11, 21), 1);
      expect(at.height).toBeCloseTo(geo.height + 9, 2);
      expect(store.get(lost.id)!.device.location).toBeUndefined();
      expect(asked).toContain(gid);
      expect(placer.placed).toBe(1);
    } finally {
      placer.dispose();
    }
  });
});
