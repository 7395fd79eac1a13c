import { z } from 'zod';
import { safeText } from './text.js';

/** Name of a quantity: a short identifier, with the unit in the name by convention (`strainUe`, `tempC`). */
export const QuantityName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a quantity name is a letter then letters, digits or _ (max 64)');

/** One quantity a generic sensor reports. */
export const Quantity = z.object({
  name: QuantityName,
  unit: safeText().min(1).max(32),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
});
export type Quantity = z.infer<typeof Quantity>;

/** Static parameters of a generic sensor: the named quantities it reports, with units and valid ranges. */
export const SensorParams = z.object({
  quantities: z.array(Quantity).min(1).max(64),
});
export type SensorParams = z.infer<typeof SensorParams>;

/** One generic reading: quantity name -> number. Which names are allowed depends on the device: see checkSensorValues. */
export const SensorValues = z
  .record(QuantityName, z.number().finite())
  .refine((v) => Object.keys(v).length > 0, 'a reading needs at least one value');
export type SensorValues = z.infer<typeof SensorValues>;

/** Field-level problems of a generic reading against the quantities its device declares (names and ranges). */
export function checkSensorValues(params: SensorParams, values: SensorValues): { path: string; message: string }[] {
  const byName = new Map(params.quantities.map((q) => [q.name, q]));
  const issues: { path: string; message: string }[] = [];
  for (const [name, v] of Object.entries(values)) {
    const q = byName.get(name);
    if (!q)
      issues.push({ path: name, message: `unknown quantity; this sensor declares ${[...byName.keys()].join(', ')}` });
    else if (q.min !== undefined && v < q.min)
      issues.push({ path: name, message: `${v} ${q.unit} is below the minimum ${q.min}` });
    else if (q.max !== undefined && v > q.max)
      issues.push({ path: name, message: `${v} ${q.unit} is above the maximum ${q.max}` });
  }
  return issues;
}
