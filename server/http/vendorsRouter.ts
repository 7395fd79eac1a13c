import { Router } from 'express';
import { z } from 'zod';
import { api } from '../../models/api/index.js';
import { DeviceModelCreate, VendorBlacklistPatch, VendorCreate } from '../../models/Vendor.js';
import type { AppContext } from '../context.js';
import { notFound, parseOr400 } from '../errors.js';
import { route } from './route.js';

/**
 * `/api/v1/vendors` (models/api/vendors.ts): the registry of device vendors and their models, and the authority's
 * blacklist. Everyone signed in reads it (a device form names a vendor); accounts that configure sites register
 * vendors and models; only authority accounts (and admins) change the blacklist (server/auth/rules.ts). Writes are
 * audited by server/auth/auditTrail.ts (`vendor.blacklist` with the reason).
 */
export function vendorsRouter(ctx: AppContext): Router {
  const r = Router();
  const { store, access } = ctx;
  const vendorId = (raw: string) => {
    const id = z.string().uuid().safeParse(raw);
    if (!id.success) throw notFound('Vendor', raw);
    return id.data;
  };

  route(r, api.vendors.list, async (req, res) => {
    await access.require(req, 'read', { type: 'vendor' });
    res.json(await store.vendors.list());
  });

  route(r, api.vendors.create, async (req, res) => {
    const body = parseOr400(VendorCreate, req.body, 'vendor');
    await access.require(req, 'create', { type: 'vendor' });
    const v = await store.vendors.create(body);
    ctx.log.info({ vendorId: v.id }, 'vendor registered');
    res.status(201).location(`/api/v1/vendors/${v.id}`).json(v);
  });

  route(r, api.vendors.addModel, async (req, res) => {
    const id = vendorId(req.params.id);
    const body = parseOr400(DeviceModelCreate, req.body, 'device model');
    await access.require(req, 'create', { type: 'vendor', id });
    const v = await store.vendors.addModel(id, body);
    if (!v) throw notFound('Vendor', id);
    res.status(201).json(v);
  });

  route(r, api.vendors.blacklist, async (req, res) => {
    const id = vendorId(req.params.id);
    const body = parseOr400(VendorBlacklistPatch, req.body, 'vendor blacklist');
    const p = await access.require(req, 'update', { type: 'vendor', id });
    const v = await store.vendors.setBlacklist(id, body, p.id);
    if (!v) throw notFound('Vendor', id);
    ctx.log.info({ vendorId: id, blacklisted: v.blacklisted, by: p.id }, 'vendor blacklist changed');
    res.json(v);
  });
  return r;
}
