import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * `npm test`'s last step: the vitest projects `node` and `e2e` side by side, each in its own vitest process, every
 * output line prefixed with its project; the exit code is non-zero when either failed. One vitest process runs projects
 * with different `maxWorkers` one after the other, and the e2e files mostly wait on one software-rendering Chromium
 * (about a core of a two-core CI box) while the node files could use the other. Extra arguments go to both runs.
 * `TEST_PROJECTS=node` (or `e2e`) runs one of them.
 */
const VITEST = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const projects = (process.env.TEST_PROJECTS ?? 'node,e2e').split(',').filter(Boolean);

function run(project: string): Promise<number> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [VITEST, 'run', '--project', project, ...process.argv.slice(2)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  for (const [from, to] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const)
    createInterface({ input: from, crlfDelay: Infinity }).on('line', (l) => to.write(`[${project}] ${l}\n`));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const s = Math.round((Date.now() - t0) / 1000);
      process.stdout.write(`[${project}] vitest exited ${signal ?? code} after ${s} s\n`);
      resolve(code ?? 1);
    });
  });
}

const codes = await Promise.all(projects.map(run));
process.exitCode = codes.some((c) => c !== 0) ? 1 : 0;
