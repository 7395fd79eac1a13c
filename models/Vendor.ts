import { z } from 'zod';
import { DeviceKind } from './Device.js';
import { safeText } from './text.js';

/**
 * Suppliers of site devices (issue 16, supervision): a registry of device vendors and their models, with the
 * authority's blacklist. A device may name its vendor and model; a device of a blacklisted vendor is flagged on its
 * project and counts against the project's readiness (models/Readiness.ts).
 */

/** The 31 characters of a unified social credit code, in the order of their values (GB 32100-2015, no I O Z S V). */
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** Weights of the first 17 characters (3^i mod 31). */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character (18th) of a unified social credit code from its first 17 characters (GB 32100 §5). */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_CHARS[(31 - (sum % 31)) % 31]!;
}

/**
 * True when `code` is a well-formed unified social credit code (统一社会信用代码): 18 characters of the GB 32100
 * alphabet, a 6-digit region code in positions 3-8, and the check character the standard computes from the first 17.
 */
export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  return code[17] === usccCheckChar(code);
}

/** A unified social credit code, upper-cased, with its check character verified. */
export const Uscc = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .refine(isValidUscc, 'uscc must be an 18-character unified social credit code with a valid check character');

/** `POST /api/v1/vendors`: register a vendor (not blacklisted). */
export const VendorCreate = z
  .object({
    name: safeText().trim().min(1).max(200),
    uscc: Uscc,
  })
  .strict();
export type VendorCreate = z.infer<typeof VendorCreate>;

/** A model of device a vendor sells (e.g. `QTZ80 黑匣子 JX-300`, a tower crane monitor). */
export const DeviceModel = z.object({
  vendorId: z.string().uuid(),
  model: safeText().trim().min(1).max(100),
  kind: DeviceKind,
});
export type DeviceModel = z.infer<typeof DeviceModel>;

/** `POST /api/v1/vendors/:id/models`. */
export const DeviceModelCreate = DeviceModel.omit({ vendorId: true }).strict();
export type DeviceModelCreate = z.infer<typeof DeviceModelCreate>;

/** A vendor as stored and served; `blacklist*` are null while it is not blacklisted. */
export const Vendor = z.object({
  id: z.string().uuid(),
  name: z.string(),
  uscc: z.string(),
  blacklisted: z.boolean(),
  blacklistReason: z.string().nullable(),
  blacklistedAt: z.number().int().nullable(),
  /** The user id of the authority account that blacklisted it. */
  blacklistedBy: z.string().nullable(),
  models: z.array(DeviceModel),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Vendor = z.infer<typeof Vendor>;

/**
 * `PATCH /api/v1/vendors/:id/blacklist` (authority accounts and admins): put a vendor on the blacklist with a reason,
 * or take it off.
 */
export const VendorBlacklistPatch = z.discriminatedUnion('blacklisted', [
  z.object({ blacklisted: z.literal(true), reason: safeText().trim().min(1, 'say why').max(500) }).strict(),
  z.object({ blacklisted: z.literal(false) }).strict(),
]);
export type VendorBlacklistPatch = z.infer<typeof VendorBlacklistPatch>;

/** A device of a blacklisted vendor, as its project's readiness lists it. */
export const BlacklistedDevice = z.object({
  deviceId: z.string().uuid(),
  deviceName: z.string(),
  kind: DeviceKind,
  vendorId: z.string().uuid(),
  vendorName: z.string(),
  reason: z.string(),
});
export type BlacklistedDevice = z.infer<typeof BlacklistedDevice>;
