/**
 * IFC pipeline benchmark: for each file, our pipeline against raw web-ifc on the same file in the same run (OpenModel +
 * StreamAllMeshes, reading each geometry's buffers as any consumer must). Each measurement runs in its own fresh
 * process, so peak RSS (VmHWM) is that run's alone; wasm start-up is excluded from every time. Wall and CPU time
 * (user + system) are both printed: CPU time is steadier on a shared, loaded machine.
 *
 *   map-ready   the map job as the worker runs it (element index rows, 3D Tiles), rows handed to a sink that only
 *               counts them: the worker's own time
 *   map+db      map-ready with the element rows written into the embedded store (PGlite + PostGIS) in
 *               EMBEDDED_INSERT_ROWS-row writes (ModelService's first write size), in one process, the job waiting for each batch:
 *               the worker's time plus the server's writes, without IPC and without batches in flight
 *   pool        the real path: ModelService (its ConversionPool with one worker process, the IPC, the batches in
 *               flight) on a real store, the file accepted as an upload, timed until the model is `ready` (every
 *               element row committed). The worker is started and warmed up first by a small generated building
 *               (its Fragments job included), as a long-lived worker is. CPU = server process + worker process.
 *               Embedded store by default; BENCH_DATABASE_URL=postgres://... runs it on PostgreSQL (scratch database,
 *               dropped after). The first line says which store it used.
 *   frag        the Fragments job as the worker runs it (our importer settings)
 *   frag-dflt   the same file through IfcImporter with its default settings (what the pipeline did before)
 *   everything  map-ready + frag: the two jobs run one after the other in the pool
 *
 * Target: pipeline / raw <= 3 on files over 1 MB; the pipeline is the pool column (map-ready and map+db are printed
 * next to it to show where the time goes). The verdict at the end of the line is for the pool column. raw and pool run
 * BENCH_RUNS times each (default 3, alternating); their columns are the median runs, and every run's wall time is
 * printed on the line below.
 * The pool's server warms the embedded store's element write path first, as the server does at start
 * (ModelService.warmUp: rolled-back synthetic rows); BENCH_NO_STORE_WARMUP=1 leaves that out (the first model after a
 * start on a server without it).
 * BENCH_TWIN=1 prints only the whole twin (issue 18: map and Fragments ready, from one parse and one geometry pass, one
 * parse and two passes, three parses), against raw: see twinTable. BENCH_TWIN_WAYS=twin (a comma list of twin, own,
 * lazy, 2pass, old) runs only those. Target twin / raw <= 2, worker peak RSS / raw <= 1.5. Beside raw it prints raw warm: the
 * same calls after one untimed run in the process (web-ifc's wasm compiled and tiered up), web-ifc's own work without
 * V8's compile of it, which is most of raw's CPU on the sample files.
 * Env: BENCH_SKIP_FRAG=1 skips the two Fragments columns; IFC_ELEMENTS_IN_FLIGHT=n sets the worker's window (1 = the
 * worker waits for each batch's ack). BENCH_POOL_REPEAT=n: the pool converts the file n - 1 times (untimed) before the
 * timed run, to see the server's store path warm. BENCH_PROF=file.cpuprofile: a CPU profile of the pool's server
 * process over the timed run.
 *
 *   npx tsx bench/ifc.ts [files...|demo]  (default: the shared sample files over 100 kB + a generated demo tower;
 *                                         `demo` among the files adds the tower)
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SHARED = join(ROOT, '..', 'shared', 'ifc');

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 1048576;
}

async function one(mode: string, file: string): Promise<void> {
  const { createIfcApi, openModel } = await import('../server/ifc/pipeline/webIfc.js');
  // Modules are loaded before the clock starts, as a conversion worker loads them once when it starts, not per job
  // (the raw baseline's web-ifc module is loaded outside its clock too). Before 2026-11-22 the map column counted
  // ~0.4 s of loading convert.ts and everything it imports.
  const { convertIfc } = await import('../server/ifc/pipeline/convert.js');
  const { ifcToFragments } = await import('../server/ifc/pipeline/fragments.js');
  const api = await createIfcApi();
  const base = peakRssMb();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let extra: Record<string, number> = {};
  if (mode === 'raw' || mode === 'raw-warm') {
    const rawRun = (a: typeof api) => {
      const id = openModel(a, readFileSync(file));
      let n = 0;
      a.StreamAllMeshes(id, (mesh) => {
        n++;
        for (let i = 0; i < mesh.geometries.size(); i++) {
          const g = a.GetGeometry(id, mesh.geometries.get(i).geometryExpressID);
          a.GetVertexArray(g.GetVertexData(), g.GetVertexDataSize());
          a.GetIndexArray(g.GetIndexData(), g.GetIndexDataSize());
          g.delete();
        }
      });
      a.CloseModel(id);
      return n;
    };
    if (mode === 'raw-warm') {
      // raw-warm: the same calls once before the clock (on another IfcAPI, as a twin session has its own), so the
      // timed run finds web-ifc's wasm compiled and tiered up: web-ifc's work without V8's compile of it.
      const warm = await createIfcApi();
      rawRun(warm);
      warm.Dispose();
      const fresh = await createIfcApi();
      const w0 = process.cpuUsage();
      const t1 = performance.now();
      const meshes = rawRun(fresh);
      const cw = process.cpuUsage(w0);
      process.stdout.write(
        JSON.stringify({
          ms: performance.now() - t1,
          cpuMs: (cw.user + cw.system) / 1000,
          peakMb: peakRssMb(),
          meshes,
        }) + '\n',
      );
      return;
    }
    extra = { meshes: rawRun(api) };
  } else if (mode === 'frag' || mode === 'frag-dflt') {
    let bytes: number;
    if (mode === 'frag') bytes = (await ifcToFragments(readFileSync(file))).byteLength;
    else {
      const { IfcImporter } = await import('@thatopen/fragments');
      const { WEB_IFC_DIR } = await import('../server/ifc/pipeline/webIfc.js');
      const imp = new IfcImporter();
      imp.wasm = { absolute: true, path: WEB_IFC_DIR };
      bytes = (await imp.process({ bytes: readFileSync(file) })).byteLength;
    }
    extra = { bytes };
  } else if (mode === 'split') {
    // The two jobs of one TwinSession in this process, CPU each: where the whole twin's time goes (BENCH_TWIN).
    const { TwinSession } = await import('../server/ifc/pipeline/twinSession.js');
    await import('@thatopen/fragments');
    const bytes = readFileSync(file);
    const cpu = () => ((u) => (u.user + u.system) / 1000)(process.cpuUsage(c0));
    const s = await TwinSession.open(bytes);
    const open = cpu();
    const out = mkdtempSync(join(tmpdir(), 'bench-ifc-split-'));
    await convertIfc({ ifcPath: file, outDir: out, skipFragments: true, session: s }, { progress() {}, elements() {} });
    const map = cpu();
    await ifcToFragments(bytes, undefined, {}, s);
    const frag = cpu();
    s.close();
    rmSync(out, { recursive: true, force: true });
    extra = { openCpuMs: open, mapCpuMs: map - open, fragCpuMs: frag - map, replayed: s.meshes.stats.replayed };
  } else if (mode === 'pool') {
    return poolRun(file);
  } else if (mode === 'map-db') {
    // The store is opened (a copy of the migrated template) and the model row made before the clock starts: the
    // server has them before the job does.
    const { preparePgliteTemplate, copyTemplate } = await import('../tests/helpers/pgliteTemplate.js');
    const { openStore } = await import('../server/store/Store.js');
    const { rectangleAround } = await import('../models/geo.js');
    const { EnterpriseCreate } = await import('../models/Enterprise.js');
    const { ProjectCreate } = await import('../models/Project.js');
    const tmp = mkdtempSync(join(tmpdir(), 'bench-ifc-db-'));
    copyTemplate(await preparePgliteTemplate(), join(tmp, 'pg'));
    const store = await openStore({ dataDir: join(tmp, 'pg') });
    const ent = await store.enterprises.create(EnterpriseCreate.parse({ name: 'Bench' }));
    const proj = await store.projects.create(
      ProjectCreate.parse({
        name: 'Bench',
        enterpriseId: ent.id,
        regionCode: '370202',
        location: { lon: 120.4, lat: 36.07, height: 0 },
        footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60),
      }),
    );
    const modelId = randomUUID();
    await store.models.create({
      id: modelId,
      projectId: proj.id,
      fileName: basename(file),
      fileBytes: statSync(file).size,
      sourceKind: 'ifc',
    });
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const { EMBEDDED_INSERT_ROWS: step } = await import('../server/ifc/ModelService.js');
    let dbMs = 0;
    const r = await convertIfc(
      { ifcPath: file, outDir: join(tmp, 'out'), api, skipFragments: true },
      {
        progress() {},
        // As ModelService's first write with the embedded store: EMBEDDED_INSERT_ROWS-row writes with a turn of the loop between
        // them, the conversion waiting for each batch (no IPC, no batches in flight: see the pool column for those).
        async elements(batch) {
          const d0 = performance.now();
          for (let i = 0; i < batch.length; i += step) {
            if (i > 0) await new Promise<void>((res) => setImmediate(res));
            await store.elements.insertBatch(modelId, batch.slice(i, i + step));
          }
          dbMs += performance.now() - d0;
        },
      },
    );
    const ms = performance.now() - t1;
    const cu = process.cpuUsage(c1);
    await store.close();
    rmSync(tmp, { recursive: true, force: true });
    process.stdout.write(
      JSON.stringify({
        ms,
        cpuMs: (cu.user + cu.system) / 1000,
        peakMb: peakRssMb(),
        baseMb: base,
        dbMs,
        elements: r.report.elementCount,
      }) + '\n',
    );
    return;
  } else {
    const out = mkdtempSync(join(tmpdir(), 'bench-ifc-'));
    let rows = 0;
    const r = await convertIfc(
      { ifcPath: file, outDir: out, api, skipFragments: true },
      { progress() {}, elements: (b) => void (rows += b.length) },
    );
    rmSync(out, { recursive: true, force: true });
    extra = {
      elements: r.report.elementCount,
      rows,
      tiles: r.report.tileCount,
      ...Object.fromEntries(Object.entries(r.report.stagesMs).map(([k, v]) => [`ms_${k}`, v])),
    };
  }
  const ms = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  process.stdout.write(
    JSON.stringify({ ms, cpuMs: (cu.user + cu.system) / 1000, peakMb: peakRssMb(), baseMb: base, ...extra }) + '\n',
  );
}

/** CPU time (user + system, ms) and peak RSS (MB) of another process, from /proc. */
function procStats(pid: number): { cpuMs: number; peakMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuMs: (Number(f[11]) + Number(f[12])) * tick, peakMb: m ? Number(m[1]) / 1024 : 0 };
}

/**
 * The real path: the server's ModelService (its ConversionPool, one worker process) on a real store, the file
 * accepted as an upload, timed until the model is ready (every element row committed: the service makes it ready on
 * the worker's `done`, which the worker sends after the last batch's ack). The worker is started and warmed up first
 * (a small generated building through the same service, its Fragments job included), as a long-lived worker is.
 * CPU time is the server process's plus the worker process's over the timed job.
 */
async function poolRun(file: string): Promise<void> {
  const { copyFileSync, mkdirSync } = await import('node:fs');
  const { openStore } = await import('../server/store/Store.js');
  const { ModelService } = await import('../server/ifc/ModelService.js');
  const { createLogger } = await import('../server/log.js');
  const { rectangleAround } = await import('../models/geo.js');
  const { EnterpriseCreate } = await import('../models/Enterprise.js');
  const { ProjectCreate } = await import('../models/Project.js');
  const tmp = mkdtempSync(join(tmpdir(), 'bench-ifc-pool-'));
  const url = process.env.BENCH_DATABASE_URL;
  let scratch: { url: string; drop(): Promise<void> } | null = null;
  let store;
  if (url) {
    const { createTestDatabase } = await import('../tests/helpers/childServer.js');
    scratch = await createTestDatabase(url);
    store = await openStore({ databaseUrl: scratch.url });
  } else {
    const { preparePgliteTemplate, copyTemplate } = await import('../tests/helpers/pgliteTemplate.js');
    copyTemplate(await preparePgliteTemplate(), join(tmp, 'pg'));
    store = await openStore({ dataDir: join(tmp, 'pg') });
  }
  const ent = await store.enterprises.create(EnterpriseCreate.parse({ name: 'Bench' }));
  const proj = await store.projects.create(
    ProjectCreate.parse({
      name: 'Bench',
      enterpriseId: ent.id,
      regionCode: '370202',
      location: { lon: 120.4, lat: 36.07, height: 0 },
      footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60),
    }),
  );
  const waiters: Array<(m: { type: string; model?: { id: string; status: string; fragments?: unknown } }) => void> = [];
  const live = { publishModel: (m: never) => waiters.forEach((w) => w(m)) };
  const until = (pred: (m: { type: string; model?: { id: string; status: string; fragments?: unknown } }) => boolean) =>
    new Promise<void>((resolve) => waiters.push((m) => pred(m) && resolve()));
  const svc = new ModelService(store, live as any, createLogger('warn'), {
    dataDir: join(tmp, 'data'),
    workers: 1,
    jobTimeoutMs: 3_600_000,
    // As the server's IFC_WORKER_EAGER_WASM (default 1): IFC_WORKER_EAGER_WASM=0 runs the workers with V8's lazy tiering.
    eagerWasm: process.env.IFC_WORKER_EAGER_WASM !== '0',
  });
  // As the server does at start (the embedded store's element write path; nothing on PostgreSQL). BENCH_NO_STORE_WARMUP=1
  // leaves it out: the first model after a start without it.
  if (process.env.BENCH_NO_STORE_WARMUP !== '1') await svc.warmUp();
  const warm = await svc.acceptGenerated(proj.id, 'warm-up.ifc', {
    name: 'Warm',
    lon: 120.4,
    lat: 36.07,
    storeys: 2,
    widthM: 20,
    depthM: 20,
  });
  await until((m) => m.type === 'model.updated' && m.model?.id === warm.id && m.model.fragments === 'ready');
  mkdirSync(svc.incomingDir, { recursive: true });
  const incoming = join(svc.incomingDir, 'bench.ifc');
  // BENCH_POOL_REPEAT=n: the file is converted n - 1 times first (untimed), so the timed run finds the server's store
  // path warm (PGlite's wasm tiered up, the elements table and its indexes already grown), as in a long-lived server.
  for (let k = 1; k < (Number(process.env.BENCH_POOL_REPEAT) || 1); k++) {
    copyFileSync(file, incoming);
    let pre = '';
    const done = until((m) => m.type === 'model.updated' && m.model?.id === pre && m.model.fragments === 'ready');
    pre = (await svc.accept(proj.id, { path: incoming, fileName: basename(file), bytes: statSync(file).size }, 'ifc'))
      .id;
    await done;
  }
  copyFileSync(file, incoming);
  const children = readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const workerPid = children.at(-1)!;
  const w0 = procStats(workerPid);
  const prof = process.env.BENCH_PROF ? new (await import('node:inspector')).Session() : null;
  if (prof) {
    prof.connect();
    await new Promise((r) => prof.post('Profiler.enable', () => prof.post('Profiler.start', r)));
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let id = '';
  const ready = until(
    (m) =>
      m.type === 'model.updated' && m.model?.id === id && (m.model.status === 'ready' || m.model.status === 'failed'),
  );
  const twin = until(
    (m) =>
      m.type === 'model.updated' &&
      m.model?.id === id &&
      (m.model.fragments === 'ready' || m.model.fragments === 'failed' || m.model.status === 'failed'),
  );
  const model = await svc.accept(
    proj.id,
    { path: incoming, fileName: basename(file), bytes: statSync(file).size },
    'ifc',
  );
  id = model.id;
  await ready;
  const ms = performance.now() - t0;
  // The whole twin: until the workspace's Fragments file is there too (its job follows the map job in the worker).
  await twin;
  const twinMs = performance.now() - t0;
  if (prof)
    await new Promise<void>((r) =>
      prof.post(
        'Profiler.stop',
        (_e, res) => (writeFileSync(process.env.BENCH_PROF!, JSON.stringify(res.profile)), r()),
      ),
    );
  const cu = process.cpuUsage(c0);
  const w1 = procStats(workerPid);
  const m = (await store.models.get(id))!;
  const rows = await store.elements.count(id);
  await svc.close();
  await store.close();
  await scratch?.drop();
  rmSync(tmp, { recursive: true, force: true });
  if (m.status !== 'ready') throw new Error(`model ${m.status}: ${JSON.stringify(m.error)}`);
  if (m.fragments !== 'ready') throw new Error(`fragments ${m.fragments}: ${JSON.stringify(m.fragmentsError)}`);
  process.stdout.write(
    JSON.stringify({
      ms,
      twinMs,
      cpuMs: (cu.user + cu.system) / 1000 + (w1.cpuMs - w0.cpuMs),
      serverCpuMs: (cu.user + cu.system) / 1000,
      workerCpuMs: w1.cpuMs - w0.cpuMs,
      peakMb: peakRssMb(),
      workerPeakMb: w1.peakMb,
      rows,
      store: url ? 1 : 0,
      jobMs: m.report?.durationMs ?? NaN,
      stages: m.report?.stagesMs ?? {},
    }) + '\n',
  );
}

function run(
  mode: string,
  file: string,
  env: Record<string, string> = {},
): { ms: number; cpuMs: number; peakMb: number; [k: string]: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'ifc.ts'), '--one', mode, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, ...env },
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--one') return one(args[1]!, args[2]!);
  // `demo` among the files: the generated tower (as with no files).
  const wantDemo = args.length === 0 || args.includes('demo');
  let files = args.filter((a) => a !== 'demo');
  let tmp: string | null = null;
  if (args.length === 0) {
    const list = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? list(join(dir, f)) : [join(dir, f)]));
    files = existsSync(SHARED) ? list(SHARED).filter((f) => f.endsWith('.ifc') && statSync(f).size > 100_000) : [];
  }
  if (wantDemo) {
    // A generated building of a few tens of MB, so there is one larger file than the samples.
    const { generateDemoBuilding } = await import('../server/ifc/pipeline/demoBuilding.js');
    tmp = mkdtempSync(join(tmpdir(), 'bench-demo-'));
    const demo = join(tmp, 'demo-tower.ifc');
    writeFileSync(
      demo,
      generateDemoBuilding({ name: 'Bench tower', lon: 120.4, lat: 36.07, storeys: 40, widthM: 60, depthM: 40 }),
    );
    files.push(demo);
  }
  if (process.env.BENCH_TWIN === '1') {
    twinTable(files);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    return;
  }
  const f0 = (n: number, w: number) => n.toFixed(0).padStart(w);
  const r2 = (n: number, w: number) => n.toFixed(2).padStart(w);
  const head =
    'file'.padEnd(36) +
    'MB'.padStart(6) +
    ' | raw ms  cpu    MB | map ms  cpu    MB | frag ms  cpu | dflt ms  cpu | map/raw wall cpu | +db/raw wall cpu | pool/raw wall cpu | all/raw wall cpu | frag/dflt cpu';
  const dbUrl = process.env.BENCH_DATABASE_URL;
  console.log(
    `pool column: ModelService + worker process on ${dbUrl ? `PostgreSQL (${dbUrl.replace(/\/\/[^@]*@/, '//')}, scratch database)` : 'the embedded store (PGlite + PostGIS)'}; IFC_ELEMENTS_IN_FLIGHT=${process.env.IFC_ELEMENTS_IN_FLIGHT ?? '(default)'}`,
  );
  console.log(head);
  console.log('-'.repeat(head.length));
  for (const f of files) {
    const mb = statSync(f).size / 1048576;
    // raw and pool decide the verdict: each runs BENCH_RUNS times (default 3), alternating, and the run with the median
    // wall time is used (a single raw run of a small file was seen to vary 2x between runs).
    const runs = Math.max(1, Number(process.env.BENCH_RUNS) || 3);
    const raws: ReturnType<typeof run>[] = [];
    const pools: ReturnType<typeof run>[] = [];
    for (let k = 0; k < runs; k++) {
      raws.push(run('raw', f));
      pools.push(run('pool', f));
    }
    const median = (xs: ReturnType<typeof run>[]) => [...xs].sort((a, b) => a.ms - b.ms)[(xs.length - 1) >> 1]!;
    const spread = (xs: ReturnType<typeof run>[]) => xs.map((x) => x.ms.toFixed(0)).join('/');
    const raw = median(raws);
    const map = run('map', f);
    const skipFrag = process.env.BENCH_SKIP_FRAG === '1';
    const none = { ms: NaN, cpuMs: NaN, peakMb: NaN, bytes: NaN };
    const frag = skipFrag ? none : run('frag', f);
    const dflt = skipFrag ? none : run('frag-dflt', f);
    const mdb = run('map-db', f);
    const pool = median(pools);
    const allMs = map.ms + frag.ms;
    const allCpu = map.cpuMs + frag.cpuMs;
    const verdict = mb > 1 ? (pool.ms / raw.ms <= 3 ? '  pool <= 3: ok' : '  pool > 3: over target') : '';
    console.log(
      basename(f).slice(0, 35).padEnd(36) +
        mb.toFixed(2).padStart(6) +
        ` | ${f0(raw.ms, 6)} ${f0(raw.cpuMs, 4)} ${f0(raw.peakMb, 5)} | ${f0(map.ms, 6)} ${f0(map.cpuMs, 4)} ${f0(map.peakMb, 5)} | ${f0(frag.ms, 7)} ${f0(frag.cpuMs, 4)} | ${f0(dflt.ms, 7)} ${f0(dflt.cpuMs, 4)} |` +
        `      ${r2(map.ms / raw.ms, 5)} ${r2(map.cpuMs / raw.cpuMs, 4)} |      ${r2(mdb.ms / raw.ms, 5)} ${r2(mdb.cpuMs / raw.cpuMs, 4)} |       ${r2(pool.ms / raw.ms, 5)} ${r2(pool.cpuMs / raw.cpuMs, 4)} |      ${r2(allMs / raw.ms, 5)} ${r2(allCpu / raw.cpuMs, 4)} |     ${r2(frag.cpuMs / dflt.cpuMs, 5)}` +
        verdict,
    );
    console.log(
      `    map stages (ms): ${Object.entries(map)
        .filter(([k]) => k.startsWith('ms_'))
        .map(([k, v]) => `${k.slice(3)} ${v}`)
        .join(
          ', ',
        )}; elements ${map.elements}, tiles ${map.tiles}; map+db ${f0(mdb.ms, 0)} ms (inserts ${f0(mdb.dbMs!, 0)} ms); raw runs ${spread(raws)} ms, pool runs ${spread(pools)} ms; pool ${f0(pool.ms, 0)} ms, cpu server ${f0(pool.serverCpuMs!, 0)} + worker ${f0(pool.workerCpuMs!, 0)} ms, peak RSS server ${f0(pool.peakMb, 0)} MB + worker ${f0(pool.workerPeakMb!, 0)} MB, ${pool.rows} rows; .frag ${(frag.bytes! / 1024).toFixed(0)} kB (default settings ${(dflt.bytes! / 1024).toFixed(0)} kB)`,
    );
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

/**
 * BENCH_TWIN=1: the whole twin only (issue 18). Per file, raw web-ifc and the pool three ways, alternating, BENCH_RUNS
 * times each; medians:
 *   twin    one parse, one geometry pass (the map job's meshes kept for the Fragments importer: MeshCache), the
 *           importer writing the Fragments geometry (IFC_FRAGMENTS_WRITER=importer)
 *   own     as twin, the Fragments geometry written by our own writer from the kept meshes (fragWriter.ts, the default)
 *   lazy    as own, the worker without IFC_WORKER_EAGER_WASM (V8 compiles web-ifc's wasm as it runs: the state before)
 *   2pass   one parse, the importer meshing the file again (IFC_TWIN_KEEP_MB=0: the state before MeshCache)
 *   old     three parses (IFC_SHARED_PARSE=0: the importer parses the file twice more)
 * twin = upload accepted until the model is ready and its Fragments file too. CPU = server + worker process over that
 * time, against the raw run's process (steadier than wall time on a loaded machine). Peak RSS: the worker process's
 * (it holds web-ifc; the warm-up conversion included) against the raw run's process.
 */
function twinTable(files: string[]): void {
  const runs = Math.max(1, Number(process.env.BENCH_RUNS) || 3);
  const only = process.env.BENCH_TWIN_WAYS?.split(',');
  const ways = (
    [
      ['twin', { IFC_FRAGMENTS_WRITER: 'importer' }],
      ['own', {}],
      ['lazy', { IFC_WORKER_EAGER_WASM: '0' }],
      ['2pass', { IFC_TWIN_KEEP_MB: '0', IFC_FRAGMENTS_WRITER: 'importer' }],
      ['old', { IFC_SHARED_PARSE: '0' }],
    ] as [string, Record<string, string>][]
  ).filter(([w]) => !only || only.includes(w));
  type Run = ReturnType<typeof run>;
  const by = (k: string) => (a: Run, b: Run) => a[k]! - b[k]!;
  const median = (xs: Run[], k: string) => [...xs].sort(by(k))[(xs.length - 1) >> 1]!;
  const f0 = (n: number) => n.toFixed(0);
  const r2 = (n: number) => n.toFixed(2);
  for (const f of files) {
    const mb = statSync(f).size / 1048576;
    const raws: Run[] = [];
    const got = new Map<string, Run[]>(ways.map(([w]) => [w, []]));
    for (let k = 0; k < runs; k++) {
      raws.push(run('raw', f));
      for (const [w, env] of ways) got.get(w)!.push(run('pool', f, env));
    }
    const raw = median(raws, 'ms');
    const rawCpu = median(raws, 'cpuMs').cpuMs;
    // raw's CPU in a fresh process is mostly V8 compiling and tiering up web-ifc's wasm (measured 2026-12-07: duplex
    // ~630-690 ms cold, ~250-310 ms with --liftoff-only, ~200 ms on a second run in the process): printed beside it.
    const rawWarm = median(
      Array.from({ length: runs }, () => run('raw-warm', f)),
      'cpuMs',
    ).cpuMs;
    console.log(
      `${basename(f)} (${mb.toFixed(2)} MB): raw ${f0(raw.ms)} ms wall, ${f0(rawCpu)} ms cpu, ${f0(raw.peakMb)} MB; ` +
        `raw warm (web-ifc compiled before the clock) ${f0(rawWarm)} ms cpu`,
    );
    for (const [w] of ways) {
      const xs = got.get(w)!;
      const t = median(xs, 'twinMs');
      const cpu = median(xs, 'cpuMs').cpuMs;
      const rss = median(xs, 'workerPeakMb').workerPeakMb!;
      const map = median(xs, 'ms').ms;
      console.log(
        `  ${w.padEnd(6)} twin ${f0(t.twinMs!).padStart(6)} ms = ${r2(t.twinMs! / raw.ms)}x raw wall | cpu ${f0(cpu).padStart(6)} ms = ${r2(cpu / rawCpu)}x raw cpu | ` +
          `worker peak ${f0(rss)} MB = ${r2(rss / raw.peakMb)}x raw | map ready ${f0(map)} ms = ${r2(map / raw.ms)}x` +
          ((w === 'twin' || w === 'own' || w === 'lazy') && mb > 1
            ? t.twinMs! / raw.ms <= 2
              ? '  twin <= 2: ok'
              : '  twin > 2: over target'
            : ''),
      );
    }
    // In one process, CPU of each job: the session's open, the map job, the Fragments job, with and without the kept
    // meshes (the Fragments job is where one geometry pass saves).
    // (lazy's jobs in one process are own's: the worker's Node options do not apply here.)
    for (const [w, env] of ways.filter(([w]) => w !== 'old' && w !== 'lazy')) {
      const x = run('split', f, env);
      console.log(
        `  ${w.padEnd(6)} cpu in one process: open ${f0(x.openCpuMs!)} + map ${f0(x.mapCpuMs!)} + Fragments ${f0(x.fragCpuMs!)} ms` +
          ` (${x.replayed} meshes replayed); Fragments = ${r2(x.fragCpuMs! / rawCpu)}x raw cpu`,
      );
    }
    console.log(
      `    runs (wall ms): raw ${raws.map((x) => f0(x.ms)).join('/')}; ` +
        ways
          .map(
            ([w]) =>
              `${w} ${got
                .get(w)!
                .map((x) => f0(x.twinMs!))
                .join('/')}`,
          )
          .join('; '),
    );
  }
}

await main();
