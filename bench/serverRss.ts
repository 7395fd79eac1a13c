/**
 * Server memory with the embedded store (PGlite + PostGIS), next to the same server on PostgreSQL in the same run
 * (the baseline: everything but the embedded database). Each variant starts the real server (`tsx server/main.ts`,
 * what `npm start` runs, minus the client build) as a child process on a fresh store, with the demo city seeded and
 * simulated (SEED=1 SIMULATE=1, the defaults), and samples it from /proc for RSS_SECONDS after it listens:
 *  - RSS at listen, at the end, and the peak;
 *  - where it goes: the V8 heap (JS objects), array buffers (the WASM linear memory of PGlite, whose size follows
 *    shared_buffers, and the in-memory files of its bundles), the C heap ([heap] + malloc arenas: array-buffer backing
 *    stores and what extracting the PostGIS bundle left behind), compiled WASM code and other anonymous mappings, and
 *    file-backed pages (node binary, libraries). From bench/soakProbe.cjs (preloaded) and /proc/<pid>/smaps.
 * Variants (RSS_VARIANTS, comma list; default all): `pg` (PostgreSQL, BENCH_DATABASE_URL), `embedded-128` (PGlite
 * shared_buffers 128 MB, PGlite's own default), `embedded` (the server's default, PGLITE_SHARED_BUFFERS_MB unset),
 * `embedded-mmap` (default plus MALLOC_MMAP_THRESHOLD_=131072, a glibc setting for the process environment).
 *
 *   npx tsx bench/serverRss.ts                 # 90 s per variant, about 8 minutes
 *   RSS_SECONDS=30 npx tsx bench/serverRss.ts  # short
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyTemplate, preparePgliteTemplate } from '../tests/helpers/pgliteTemplate.js';
import { createTestDatabase, startChildServer } from '../tests/helpers/childServer.js';

const SECONDS = Number(process.env.RSS_SECONDS ?? 90);
const BASE =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ALL = ['pg', 'embedded-128', 'embedded', 'embedded-mmap'];
const VARIANTS = (process.env.RSS_VARIANTS ?? ALL.join(',')).split(',').filter(Boolean);
const MB = 1048576;

interface Probe {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}
const probesOf = (out: string): Probe[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('soak-probe '))
    .map((l) => JSON.parse(l.slice('soak-probe '.length)) as Probe);
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Resident MB of a process by kind of mapping, from /proc/<pid>/smaps. */
function mappings(pid: number): Record<string, number> {
  const out: Record<string, number> = {
    'C heap [heap]': 0,
    'anonymous (arenas, V8 spaces, WASM memory and code)': 0,
    'file-backed': 0,
  };
  let kind = '';
  for (const l of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(l);
    if (m) {
      kind =
        m[2] === '[heap]'
          ? 'C heap [heap]'
          : m[1] !== '0' || m[2]!.startsWith('/')
            ? 'file-backed'
            : 'anonymous (arenas, V8 spaces, WASM memory and code)';
      continue;
    }
    const r = /^Rss:\s+(\d+) kB/.exec(l);
    if (r) out[kind] = (out[kind] ?? 0) + Number(r[1]) / 1024;
  }
  return out;
}

async function variant(name: string) {
  const env: Record<string, string> = {
    SEED: '1',
    SIMULATE: '1',
    AUTH: 'on',
    LOG_LEVEL: 'warn',
    NODE_OPTIONS: `--require ${join(import.meta.dirname, 'soakProbe.cjs')}`,
    SOAK_PROBE_MS: '2000',
  };
  let cleanup = async () => {};
  if (name === 'pg') {
    const db = await createTestDatabase(BASE);
    env.DATABASE_URL = db.url;
    env.DATA_DIR = mkdtempSync(join(tmpdir(), 'sitetwin-rss-'));
    cleanup = async () => {
      await db.drop();
      rmSync(env.DATA_DIR!, { recursive: true, force: true });
    };
  } else {
    // A migrated empty store (as after the first start): the start measured is the everyday one, not initdb.
    const dir = mkdtempSync(join(tmpdir(), 'sitetwin-rss-'));
    copyTemplate(await preparePgliteTemplate(), join(dir, 'pg'));
    env.DATA_DIR = join(dir, 'pg');
    if (name === 'embedded-128') env.PGLITE_SHARED_BUFFERS_MB = '128';
    if (name === 'embedded-mmap') env.MALLOC_MMAP_THRESHOLD_ = '131072';
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const t0 = Date.now();
  const server = await startChildServer(env, undefined, 180_000);
  const pid = server.proc.pid!;
  const startS = (Date.now() - t0) / 1000;
  const atListen = rssMb(pid);
  let peak = atListen;
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 1000));
    peak = Math.max(peak, rssMb(pid));
  }
  const last = rssMb(pid);
  const maps = mappings(pid);
  const p = probesOf(server.output()).at(-1);
  server.kill('SIGTERM');
  await server.exited;
  await cleanup();
  return { name, startS, atListen, last, peak, maps, p };
}

console.log(
  `Server RSS, ${SECONDS} s after listen per variant (SEED=1 SIMULATE=1), node ${process.version}, ${os.cpus().length} cores`,
);
console.log(
  `load average before: ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
const results = [];
for (const v of VARIANTS) {
  const r = await variant(v);
  results.push(r);
  const f = (n: number) => n.toFixed(0).padStart(5);
  console.log(
    `\n${r.name.padEnd(14)} listening after ${r.startS.toFixed(1)} s; RSS at listen ${f(r.atListen)} MB, end ${f(r.last)} MB, peak ${f(r.peak)} MB`,
  );
  if (r.p)
    console.log(
      `   V8 heap used ${f(r.p.heapUsed / MB)} MB (total ${f(r.p.heapTotal / MB)}), array buffers ${f(r.p.arrayBuffers / MB)} MB, external ${f(r.p.external / MB)} MB`,
    );
  for (const [k, mb] of Object.entries(r.maps)) console.log(`   ${k.padEnd(52)} ${f(mb)} MB`);
}
const pg = results.find((r) => r.name === 'pg');
if (pg) {
  console.log('\nratio to the same server on PostgreSQL (end RSS):');
  for (const r of results)
    if (r !== pg)
      console.log(
        `   ${r.name.padEnd(14)} ${(r.last / pg.last).toFixed(2)}x  (+${(r.last - pg.last).toFixed(0)} MB for the embedded database)`,
      );
}
console.log(
  `load average after: ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
process.exit(0);
