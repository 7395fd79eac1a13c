import { z } from 'zod';

/** A finite number (NaN and Infinity are refused: JSON cannot carry them and charts choke on them). */
export const finite = z.number().finite();
/** A finite number >= 0. */
export const nonNeg = z.number().finite().min(0);
/** A percentage threshold (pre-warning / alarm level). */
export const AlarmPct = z.number().finite().min(1).max(200);

/**
 * Values a device sent that its kind does not define (e.g. an unknown HJ 212 code): kept as given, never fatal, so
 * nothing a real device says is lost. Scalars only, so history and CSV can still show them.
 */
export const Extra = z.record(
  z.string().min(1).max(64),
  z.union([z.number().finite(), z.string().max(256), z.boolean()]),
);
export type Extra = z.infer<typeof Extra>;

/** Refinement: a reading's values must carry at least one field. */
export function atLeastOneField(v: object): boolean {
  return Object.keys(v).length > 0;
}
