import { z } from 'zod';
import { DeviceModelCreate, Vendor, VendorBlacklistPatch, VendorCreate } from '../Vendor.js';
import { endpoint } from './contract.js';

/** The registry of device vendors and the authority's blacklist (issue 16), served by server/http/vendorsRouter.ts. */
export const vendors = {
  list: endpoint({
    method: 'get',
    path: '/api/v1/vendors',
    summary: 'Device vendors with their models and blacklist state',
    response: z.array(Vendor),
  }),
  create: endpoint({
    method: 'post',
    path: '/api/v1/vendors',
    summary: 'Register a device vendor (unified social credit code checked)',
    body: VendorCreate,
    response: Vendor,
    status: [201],
  }),
  addModel: endpoint({
    method: 'post',
    path: '/api/v1/vendors/:id/models',
    summary: 'Add a device model to a vendor',
    body: DeviceModelCreate,
    response: Vendor,
    status: [201],
  }),
  blacklist: endpoint({
    method: 'patch',
    path: '/api/v1/vendors/:id/blacklist',
    summary: "Put a vendor on the authority's blacklist (with a reason) or take it off (authority accounts, admins)",
    body: VendorBlacklistPatch,
    response: Vendor,
  }),
};
