import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadMigrations } from '../../server/store/migrate.js';
import { openStore } from '../../server/store/Store.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A migrated, empty PGlite data folder, made once per set of migrations and kept in node_modules/.cache: a cold
 * PGlite + PostGIS start costs ~15 s, opening a copy ~3 s.
 */
export function preparePgliteTemplate(): Promise<string> {
  // One preparation per process: the node projects' global setups (node, node-isolated) run in the same vitest process
  // and would otherwise build the same folder side by side.
  const g = globalThis as { __sitetwinPgliteTemplate?: Promise<string> };
  return (g.__sitetwinPgliteTemplate ??= prepare());
}

async function prepare(): Promise<string> {
  const h = createHash('sha256');
  for (const m of loadMigrations()) h.update(`${m.version}\0${m.sql}\0`);
  h.update(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json')));
  h.update(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite-postgis/package.json')));
  const dir = join(ROOT, 'node_modules/.cache/site-twin', `pglite-${h.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const store = await openStore({ dataDir: tmp });
  await store.close();
  try {
    renameSync(tmp, dir);
  } catch (e) {
    // Another vitest process made it meanwhile (npm test runs the node and e2e projects side by side, tests/run.sh):
    // keep theirs, which their tests may be copying from; a folder left without PG_VERSION is replaced.
    if (!['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    if (existsSync(join(dir, 'PG_VERSION'))) rmSync(tmp, { recursive: true, force: true });
    else {
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    }
  }
  return dir;
}

/** Copies the template into `target` (which must not exist yet). */
export function copyTemplate(template: string, target: string): void {
  cpSync(template, target, { recursive: true });
}
