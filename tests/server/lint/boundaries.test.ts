import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The layer rules of .dependency-cruiser.cjs (run by `npm run lint`) hold: each rule reports a deliberately forbidden
 * import in a small tree written to a temporary folder (and lets the allowed ones pass), and the real tree has none.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const run = promisify(execFile);

interface Violation {
  rule: { name: string; severity: string };
  from: string;
  to: string;
}

/** Runs the depcruise CLI with the project's config in `cwd`; resolves with its violations (it exits 1 when any). */
async function cruise(cwd: string, paths: string[], extra: string[] = []): Promise<Violation[]> {
  const args = ['--config', CONFIG, '--output-type', 'json', ...extra, ...paths];
  const out = await run(DEPCRUISE, args, { cwd, maxBuffer: 256 * 1024 * 1024 }).catch(
    (e: { stdout?: string; code?: number; stderr?: string }) => {
      if (e.code === 1 && e.stdout) return { stdout: e.stdout }; // violations found: the JSON report is on stdout
      throw e;
    },
  );
  return (JSON.parse(out.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const listed = (violations: Violation[]) =>
  violations.map((v) => `  ${v.rule.severity} ${v.rule.name}: ${v.from} → ${v.to}`).join('\n');

/** A tree of TypeScript files, each importing the listed paths (`type:` for a type-only import). */
function writeTree(files: Record<string, string[]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sitetwin-boundaries-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: { module: 'ESNext', moduleResolution: 'bundler', strict: true, noEmit: true },
      include: ['client', 'server', 'models', 'bench'],
    }),
  );
  // A stand-in for socket.io: the rule is about who imports the package, not what it does.
  write(
    'node_modules/socket.io/package.json',
    JSON.stringify({ name: 'socket.io', version: '0.0.0', main: 'index.js', types: 'index.d.ts' }),
  );
  write('node_modules/socket.io/index.js', 'exports.Server = class Server {};\n');
  write('node_modules/socket.io/index.d.ts', 'export declare class Server {}\n');
  for (const [path, imports] of Object.entries(files)) {
    const lines = imports.map((spec, i) => {
      const typeOnly = spec.startsWith('type:');
      const s = typeOnly ? spec.slice(5) : spec;
      const target = s.startsWith('.') || s.includes(':') || !s.includes('/') ? s : relativeTo(path, s);
      return typeOnly
        ? `import type { X as T${i} } from '${target}';`
        : `import * as m${i} from '${target}';\nexport const u${i} = m${i};`;
    });
    write(path, `${lines.join('\n')}\nexport type X = number;\nexport const x = 1;\n`);
  }
  return dir;
}

/** `to` (a repo path like `server/http/y.ts`) as a relative `.js` specifier from `from`, as this code base writes them. */
function relativeTo(from: string, to: string): string {
  const up = from.split('/').length - 1;
  return `${up ? '../'.repeat(up) : './'}${to.replace(/\.ts$/, '.js')}`;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('layer rules (dependency-cruiser)', () => {
  it('reports each deliberately forbidden import with its rule, and lets the allowed ones pass', async () => {
    const dir = writeTree({
      // forbidden
      'client/page.ts': ['server/http/router.ts'],
      'models/Thing.ts': ['server/store/Repo.ts'],
      'models/Clock.ts': ['node:fs'],
      'server/render.ts': ['client/widget.ts'],
      'server/ingest/adapter.ts': ['server/http/router.ts'],
      'server/store/Repo.ts': ['server/ingest/secrets.ts'],
      'server/ifc/worker/job.ts': ['server/store/rows.ts'],
      'server/ifc/pipeline/step.ts': ['server/realtime/hub.ts'],
      'server/auth/bootstrap.ts': ['server/demo/seed.ts'],
      'server/alarms/Engine.ts': ['socket.io'],
      'models/A.ts': ['type:models/B.ts'],
      'models/B.ts': ['models/A.ts'],
      'server/loop1.ts': ['server/loop2.ts'],
      'server/loop2.ts': ['server/loop1.ts'],
      // allowed
      'client/widget.ts': ['models/Fine.ts'],
      'models/Fine.ts': [],
      'server/Server.ts': ['server/http/router.ts', 'server/demo/seed.ts', 'socket.io'],
      'server/main.ts': ['server/demo/seed.ts'],
      'server/demo/seed.ts': ['server/store/rows.ts'],
      'server/http/router.ts': ['server/ingest/secrets.ts', 'models/Fine.ts'],
      'server/ingest/secrets.ts': [],
      'server/store/rows.ts': [],
      'server/realtime/hub.ts': [],
      'server/realtime/LiveHub.ts': ['socket.io', 'server/realtime/hub.ts'],
      'server/probe.ts': ['type:server/Owner.ts'],
      'server/Owner.ts': ['server/probe.ts'],
      'bench/run.ts': ['server/Server.ts', 'models/Fine.ts'],
    });
    dirs.push(dir);
    const violations = await cruise(dir, ['client', 'server', 'models', 'bench']);
    console.log(`depcruise on the fixture tree (forbidden imports on purpose):\n${listed(violations)}`);
    const found = violations.map((v) => `${v.rule.name}: ${v.from}`).sort();
    expect(found).toEqual(
      [
        'client-not-server: client/page.ts',
        'models-import-nothing: models/Thing.ts',
        'models-no-node: models/Clock.ts',
        'server-not-client: server/render.ts',
        'http-only-at-the-edge: server/ingest/adapter.ts',
        'store-below-the-edges: server/store/Repo.ts',
        'ifc-pipeline-pure: server/ifc/worker/job.ts',
        'ifc-pipeline-pure: server/ifc/pipeline/step.ts',
        'demo-only-from-the-roots: server/auth/bootstrap.ts',
        'socket-io-server-owned: server/alarms/Engine.ts',
        // a type-only cycle counts in models/ ...
        'models-no-circular: models/A.ts',
        // ... a run-time cycle everywhere (a cycle is reported once, from its first file)
        'no-circular: server/loop1.ts',
      ].sort(),
    );
    expect(violations.every((v) => v.rule.severity === 'error')).toBe(true);
  });

  it('finds no violation in the real tree', async () => {
    const violations = await cruise(ROOT, ['client', 'server', 'models', 'bench', 'tests']);
    expect(
      violations.filter((v) => v.rule.severity === 'error'),
      listed(violations),
    ).toEqual([]);
  }, 300_000); // the whole tree: about 10 s alone, minutes on a loaded machine
});
