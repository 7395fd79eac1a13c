import { api } from '../../models/api/index.js';
import type { NoticeCounts } from '../../models/NoticeCounts.js';
import type { Vendor, VendorBlacklistPatch } from '../../models/Vendor.js';
import { restAt } from './ApiClient.js';

/** Device vendors with their blacklist state (`api.vendors.list`). */
export function fetchVendors(baseUrl = ''): Promise<Vendor[]> {
  return restAt(baseUrl).call(api.vendors.list, { what: 'vendors' });
}

/** Puts a vendor on the blacklist or takes it off (`api.vendors.blacklist`; authority accounts and admins). */
export function setVendorBlacklist(id: string, patch: VendorBlacklistPatch, baseUrl = ''): Promise<Vendor> {
  return restAt(baseUrl).call(api.vendors.blacklist, { params: { id }, body: patch, what: 'vendor' });
}

/** Open and overdue rectification notices per project, enterprise and district (`api.notices.counts`). */
export function fetchNoticeCounts(baseUrl = '', signal?: AbortSignal): Promise<NoticeCounts> {
  return restAt(baseUrl).call(api.notices.counts, { ...(signal ? { signal } : {}), what: 'notice counts' });
}
