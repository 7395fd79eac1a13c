import { readFileSync } from 'node:fs';
import { fieldIssues } from '../../models/errors.js';
import { DEFAULT_READINESS, ReadinessConfig } from '../../models/Readiness.js';

/**
 * The readiness table: the default one, or the JSON file named by READINESS_CONFIG_FILE (a province's own points and
 * veto items). A broken file stops the start with a message that names the variable and the field.
 */
export function loadReadinessConfig(path: string | undefined): ReadinessConfig {
  if (!path) return DEFAULT_READINESS;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`READINESS_CONFIG_FILE=${path}: cannot read it as JSON (${(err as Error).message})`);
  }
  const r = ReadinessConfig.safeParse(raw);
  if (!r.success)
    throw new Error(
      `READINESS_CONFIG_FILE=${path}: ${fieldIssues(r.error)
        .map((i) => `${i.path}: ${i.message}`)
        .slice(0, 5)
        .join('; ')}`,
    );
  return r.data;
}
