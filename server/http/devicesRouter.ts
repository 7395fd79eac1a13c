import { Router } from 'express';
import { z } from 'zod';
import { DeviceCreate, DevicePatch, deviceToFeature, parseParams, unitSettingsIssues } from '../../models/Device.js';
import { ErrorCode } from '../../models/errors.js';
import type { AppContext } from '../context.js';
import { hashApiKey, hashHj212Pw, newApiKey } from '../security/deviceSecrets.js';
import { publicDevice, type DeviceRecord, type DeviceUpdate } from '../store/DeviceRepo.js';
import { AppError, notFound, parseOr400 } from '../errors.js';
import { bucketedHistory, historyCsv, parseHistoryQuery, readingsCsv } from './readingsHistory.js';
import { api } from '../../models/api/index.js';
import { route } from './route.js';

const Id = z.string().uuid();
/** 400 with field-level issues when a device's units / scale do not fit its kind. */
const checkUnitSettings = (d: Parameters<typeof unitSettingsIssues>[0], units: unknown, scale: unknown) => {
  const issues = unitSettingsIssues(d, units as never, scale as never);
  if (issues.length)
    throw new AppError(
      ErrorCode.VALIDATION_FAILED,
      `Invalid unit settings: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { issues },
    );
};

const idOr404 = (raw: string | undefined, what: string) => {
  const r = Id.safeParse(raw);
  if (!r.success) throw notFound(what, String(raw));
  return r.data;
};

/**
 * Devices: `/api/v1/projects/:id/devices[.geojson]` and `/api/v1/devices/:id[/readings|/latest|/key]`.
 * Access is checked on the device (or its readings) within the device's project.
 */
export function devicesRouter(ctx: AppContext, onDeviceGone: (id: string) => void): Router {
  const r = Router();
  const { store, access, live } = ctx;

  const loadDevice = async (raw: string | undefined): Promise<DeviceRecord> => {
    const id = idOr404(raw, 'Device');
    const d = await store.devices.get(id);
    if (!d) throw notFound('Device', id);
    return d;
  };
  const loadProject = async (raw: string | undefined) => {
    const id = idOr404(raw, 'Project');
    if (!(await store.projects.get(id))) throw notFound('Project', id);
    return id;
  };

  route(r, api.devices.listOfProject, async (req, res) => {
    const projectId = await loadProject(req.params.id);
    await access.require(req, 'read', { type: 'device', projectId });
    res.json((await store.devices.list(projectId)).map(publicDevice));
  });

  route(r, api.devices.geojsonOfProject, async (req, res) => {
    const projectId = await loadProject(req.params.id);
    await access.require(req, 'read', { type: 'device', projectId });
    const features = (await store.devices.list(projectId)).map((d) => deviceToFeature(publicDevice(d)));
    res.type('application/geo+json').json({ type: 'FeatureCollection', features });
  });

  route(r, api.devices.create, async (req, res) => {
    const projectId = await loadProject(req.params.id);
    const body = parseOr400(DeviceCreate, req.body, 'device');
    await access.require(req, 'create', { type: 'device', projectId });
    checkUnitSettings(body, body.units, body.scale);
    const apiKey = newApiKey();
    const created = await store.devices.create({
      projectId,
      kind: body.kind,
      name: body.name,
      ...(body.code ? { code: body.code } : {}),
      ...(body.location ? { location: body.location } : {}),
      ...(body.ifcGlobalId ? { ifcGlobalId: body.ifcGlobalId } : {}),
      params: body.params as Record<string, unknown>,
      apiKeyHash: hashApiKey(apiKey),
      ...(body.hj212 ? { hj212Mn: body.hj212.mn, hj212PwHash: await hashHj212Pw(body.hj212.pw) } : {}),
      ...(body.units ? { units: body.units } : {}),
      ...(body.scale ? { scale: body.scale } : {}),
      ...(body.vendorId ? { vendorId: body.vendorId } : {}),
      ...(body.model ? { model: body.model } : {}),
    });
    const device = publicDevice(created);
    ctx.log.info({ projectId, deviceId: device.id, kind: device.kind }, 'device created');
    live.publishDevice({ type: 'device.created', device });
    res.status(201).location(`/api/v1/devices/${device.id}`).json({ device, apiKey });
  });

  route(r, api.devices.get, async (req, res) => {
    const d = await loadDevice(req.params.id);
    await access.require(req, 'read', { type: 'device', id: d.id, projectId: d.projectId });
    res.json(publicDevice(d));
  });

  route(r, api.devices.latest, async (req, res) => {
    const d = await loadDevice(req.params.id);
    await access.require(req, 'read', { type: 'reading', id: d.id, projectId: d.projectId });
    const [latest] = await store.telemetry.latest({ deviceIds: [d.id] });
    if (!latest) throw new AppError(ErrorCode.NOT_FOUND, `Device ${d.id} has not reported yet`, { id: d.id });
    res.json(latest);
  });

  route(r, api.devices.update, async (req, res) => {
    const patch = parseOr400(DevicePatch, req.body, 'device patch');
    const d = await loadDevice(req.params.id);
    await access.require(req, 'update', { type: 'device', id: d.id, projectId: d.projectId });
    const u: DeviceUpdate = {};
    if (patch.name !== undefined) u.name = patch.name;
    if (patch.code !== undefined) u.code = patch.code;
    if (patch.location !== undefined) u.location = patch.location;
    if (patch.ifcGlobalId !== undefined) u.ifcGlobalId = patch.ifcGlobalId;
    if (patch.vendorId !== undefined) u.vendorId = patch.vendorId;
    if (patch.model !== undefined) u.model = patch.model;
    if (patch.params !== undefined) {
      // Params merge over the current ones, then the whole is checked against the kind.
      const p = parseParams(d.kind, { ...d.params, ...patch.params });
      if (!p.ok)
        throw new AppError(
          ErrorCode.VALIDATION_FAILED,
          `Invalid ${d.kind} params: ${p.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          { issues: p.issues },
        );
      u.params = p.params;
    }
    if (patch.units !== undefined || patch.scale !== undefined || u.params !== undefined) {
      // Checked against the params the device will have (a sensor's declared quantities name its scale keys).
      checkUnitSettings(
        { kind: d.kind, params: u.params ?? d.params },
        patch.units === undefined ? d.units : patch.units,
        patch.scale === undefined ? d.scale : patch.scale,
      );
      if (patch.units !== undefined) u.units = patch.units && Object.keys(patch.units).length ? patch.units : null;
      if (patch.scale !== undefined) u.scale = patch.scale && Object.keys(patch.scale).length ? patch.scale : null;
    }
    if (patch.hj212 !== undefined)
      u.hj212 = patch.hj212 && { mn: patch.hj212.mn, pwHash: await hashHj212Pw(patch.hj212.pw) };
    const location = u.location === undefined ? d.location : u.location;
    const bound = u.ifcGlobalId === undefined ? d.ifcGlobalId : u.ifcGlobalId;
    if (!location && !bound)
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'a device needs a location or an ifcGlobalId', {
        issues: [{ path: 'location', message: 'a device needs a location or an ifcGlobalId' }],
      });
    const updated = await store.devices.update(d.id, u);
    if (!updated) throw notFound('Device', d.id);
    onDeviceGone(d.id);
    const device = publicDevice(updated);
    ctx.log.info({ projectId: d.projectId, deviceId: d.id, fields: Object.keys(patch) }, 'device updated');
    live.publishDevice({ type: 'device.updated', device });
    res.json(device);
  });

  route(r, api.devices.rotateKey, async (req, res) => {
    const d = await loadDevice(req.params.id);
    await access.require(req, 'update', { type: 'device', id: d.id, projectId: d.projectId });
    const apiKey = newApiKey();
    await store.devices.update(d.id, { apiKeyHash: hashApiKey(apiKey) });
    onDeviceGone(d.id);
    ctx.log.info({ projectId: d.projectId, deviceId: d.id }, 'device key rotated');
    res.json({ deviceId: d.id, apiKey });
  });

  route(r, api.devices.delete, async (req, res) => {
    const d = await loadDevice(req.params.id);
    await access.require(req, 'delete', { type: 'device', id: d.id, projectId: d.projectId });
    if (!(await store.devices.delete(d.id))) throw notFound('Device', d.id);
    onDeviceGone(d.id);
    ctx.log.info({ projectId: d.projectId, deviceId: d.id }, 'device deleted');
    live.publishDevice({ type: 'device.deleted', deviceId: d.id, projectId: d.projectId });
    res.status(204).end();
  });

  route(r, api.devices.quality, async (req, res) => {
    const d = await loadDevice(req.params.id);
    await access.require(req, 'read', { type: 'reading', id: d.id, projectId: d.projectId });
    const q = await store.quality.device(d.id);
    if (!q) throw notFound('Device', d.id);
    res.json(q);
  });

  route(r, api.devices.projectQuality, async (req, res) => {
    const projectId = await loadProject(req.params.id);
    await access.require(req, 'read', { type: 'reading', projectId });
    res.json(await store.quality.project(projectId));
  });

  route(r, api.devices.readings, async (req, res) => {
    const q = parseHistoryQuery(req.query);
    const d = await loadDevice(req.params.id);
    await access.require(req, 'read', { type: 'reading', id: d.id, projectId: d.projectId });
    if (q.bucketMs) {
      const h = await bucketedHistory(store, d.id, { ...q, bucketMs: q.bucketMs });
      if (q.csv) return void res.type('text/csv').attachment(`${d.id}-history.csv`).send(historyCsv(h));
      return void res.json(h);
    }
    const readings = await store.telemetry.readings(d.id, q.from, q.to, q.limit);
    if (q.csv) return void res.type('text/csv').attachment(`${d.id}-readings.csv`).send(readingsCsv(readings));
    res.json({ deviceId: d.id, from: q.from, to: q.to, readings });
  });

  return r;
}
