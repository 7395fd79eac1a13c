import { z } from 'zod';
import { safeText } from './text.js';

/** What part an enterprise plays on projects. */
export const EnterpriseRole = z.enum(['contractor', 'developer', 'supervisor', 'designer']);
export type EnterpriseRole = z.infer<typeof EnterpriseRole>;

/** Fields a client sends to create an enterprise. */
export const EnterpriseCreate = z.object({
  name: safeText().trim().min(1).max(200),
  /** Unified social credit code (统一社会信用代码), 18 characters, when known. */
  creditCode: z
    .string()
    .regex(
      /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/,
      'creditCode must be an 18-character unified social credit code',
    )
    .optional(),
  role: EnterpriseRole.default('contractor'),
});
export type EnterpriseCreate = z.infer<typeof EnterpriseCreate>;

/** An enterprise as stored and served. */
export const Enterprise = EnterpriseCreate.extend({
  id: z.string().uuid(),
  createdAt: z.number().int(),
});
export type Enterprise = z.infer<typeof Enterprise>;
