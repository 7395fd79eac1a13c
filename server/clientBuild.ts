import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './log.js';

/** Sources whose change makes the client bundle stale. */
const CLIENT_INPUTS = ['client', 'shaders', 'models', 'vite.config.ts', 'package-lock.json', 'index.html'];
const STAMP = '.build-stamp';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

/** True when `dist/client` is missing or older than any client source. */
export function clientIsStale(rootDir: string, distDir: string): boolean {
  const stamp = join(distDir, STAMP);
  if (!existsSync(stamp) || !existsSync(join(distDir, 'index.html'))) return true;
  const built = statSync(stamp).mtimeMs;
  return CLIENT_INPUTS.some((p) => newestMtime(join(rootDir, p)) > built);
}

/** Builds the client with Vite when it is missing or stale. */
export async function ensureClientBuilt(rootDir: string, distDir: string, log: Logger): Promise<void> {
  if (!clientIsStale(rootDir, distDir)) return;
  log.info('building the client (first start or sources changed); this takes a minute');
  const t0 = Date.now();
  const { build } = await import('vite');
  await build({ configFile: join(rootDir, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(join(distDir, STAMP), new Date().toISOString());
  log.info({ ms: Date.now() - t0 }, 'client built');
}
