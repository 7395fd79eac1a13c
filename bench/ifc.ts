/**
 * IFC pipeline benchmark: for each file, our pipeline against raw web-ifc on the same file in the same run (OpenModel +
 * StreamAllMeshes, reading each geometry's buffers as any consumer must). Each measurement runs in its own fresh
 * process, so peak RSS (VmHWM) is that run's alone; wasm start-up is excluded from every time. Wall and CPU time
 * (user + system) are both printed: CPU time is steadier on a shared, loaded machine.
 *
 *   map-ready   the map job as the worker runs it (element index rows, 3D Tiles), rows handed to a sink that only
 *               counts them: the worker's own time
 *   map+db      map-ready with the element rows inserted into the embedded store (PGlite + PostGIS, as ModelService
 *               inserts them: 25-row statements, the job waiting for each batch), in one process: the worker's time
 *               plus the server's inserts, without the IPC between them
 *   frag        the Fragments job as the worker runs it (our importer settings)
 *   frag-dflt   the same file through IfcImporter with its default settings (what the pipeline did before)
 *   everything  map-ready + frag: the two jobs run one after the other in the pool
 *
 * Target: map-ready / raw <= 3 on files over 1 MB (map+db / raw is printed next to it).
 *
 *   npx tsx bench/ifc.ts [files...]      (default: the shared sample files over 100 kB + a generated demo building)
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
  const { createIfcApi, openModel } = await import('../server/ifc/webIfc.js');
  // Modules are loaded before the clock starts, as a conversion worker loads them once when it starts, not per job
  // (the raw baseline's web-ifc module is loaded outside its clock too). Before 2026-11-22 the map column counted
  // ~0.4 s of loading convert.ts and everything it imports.
  const { convertIfc } = await import('../server/ifc/convert.js');
  const { ifcToFragments } = await import('../server/ifc/fragments.js');
  const api = await createIfcApi();
  const base = peakRssMb();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let extra: Record<string, number> = {};
  if (mode === 'raw') {
    const id = openModel(api, readFileSync(file));
    let meshes = 0;
    api.StreamAllMeshes(id, (mesh) => {
      meshes++;
      for (let i = 0; i < mesh.geometries.size(); i++) {
        const g = api.GetGeometry(id, mesh.geometries.get(i).geometryExpressID);
        api.GetVertexArray(g.GetVertexData(), g.GetVertexDataSize());
        api.GetIndexArray(g.GetIndexData(), g.GetIndexDataSize());
        g.delete();
      }
    });
    api.CloseModel(id);
    extra = { meshes };
  } else if (mode === 'frag' || mode === 'frag-dflt') {
    let bytes: number;
    if (mode === 'frag') bytes = (await ifcToFragments(readFileSync(file))).byteLength;
    else {
      const { IfcImporter } = await import('@thatopen/fragments');
      const { WEB_IFC_DIR } = await import('../server/ifc/webIfc.js');
      const imp = new IfcImporter();
      imp.wasm = { absolute: true, path: WEB_IFC_DIR };
      bytes = (await imp.process({ bytes: readFileSync(file) })).byteLength;
    }
    extra = { bytes };
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
      ProjectCreate.parse({ name: 'Bench', enterpriseId: ent.id, regionCode: '370202', location: { lon: 120.4, lat: 36.07, height: 0 }, footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60) }),
    );
    const modelId = randomUUID();
    await store.models.create({ id: modelId, projectId: proj.id, fileName: basename(file), fileBytes: statSync(file).size, sourceKind: 'ifc' });
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    let dbMs = 0;
    const r = await convertIfc({ ifcPath: file, outDir: join(tmp, 'out'), api, skipFragments: true }, {
      progress() {},
      // As ModelService does with the embedded store: 25-row INSERTs with a turn of the loop between them, and the
      // conversion waits for each batch (the worker waits for the server's ack).
      async elements(batch) {
        const d0 = performance.now();
        for (let i = 0; i < batch.length; i += 25) {
          if (i > 0) await new Promise<void>((res) => setImmediate(res));
          await store.elements.insertBatch(modelId, batch.slice(i, i + 25));
        }
        dbMs += performance.now() - d0;
      },
    });
    const ms = performance.now() - t1;
    const cu = process.cpuUsage(c1);
    await store.close();
    rmSync(tmp, { recursive: true, force: true });
    process.stdout.write(JSON.stringify({ ms, cpuMs: (cu.user + cu.system) / 1000, peakMb: peakRssMb(), baseMb: base, dbMs, elements: r.report.elementCount }) + '\n');
    return;
  } else {
    const out = mkdtempSync(join(tmpdir(), 'bench-ifc-'));
    let rows = 0;
    const r = await convertIfc({ ifcPath: file, outDir: out, api, skipFragments: true }, { progress() {}, elements: (b) => void (rows += b.length) });
    rmSync(out, { recursive: true, force: true });
    extra = { elements: r.report.elementCount, rows, tiles: r.report.tileCount, ...Object.fromEntries(Object.entries(r.report.stagesMs).map(([k, v]) => [`ms_${k}`, v])) };
  }
  const ms = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ ms, cpuMs: (cu.user + cu.system) / 1000, peakMb: peakRssMb(), baseMb: base, ...extra }) + '\n');
}

function run(mode: string, file: string): { ms: number; cpuMs: number; peakMb: number; [k: string]: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'ifc.ts'), '--one', mode, file], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--one') return one(args[1]!, args[2]!);
  let files = args;
  let tmp: string | null = null;
  if (files.length === 0) {
    const list = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? list(join(dir, f)) : [join(dir, f)]));
    files = existsSync(SHARED) ? list(SHARED).filter((f) => f.endsWith('.ifc') && statSync(f).size > 100_000) : [];
    // A generated building of a few tens of MB, so there is one larger file than the samples.
    const { generateDemoBuilding } = await import('../server/ifc/demoBuilding.js');
    tmp = mkdtempSync(join(tmpdir(), 'bench-demo-'));
    const demo = join(tmp, 'demo-tower.ifc');
    writeFileSync(demo, generateDemoBuilding({ name: 'Bench tower', lon: 120.4, lat: 36.07, storeys: 40, widthM: 60, depthM: 40 }));
    files.push(demo);
  }
  const f0 = (n: number, w: number) => n.toFixed(0).padStart(w);
  const r2 = (n: number, w: number) => n.toFixed(2).padStart(w);
  const head =
    'file'.padEnd(36) + 'MB'.padStart(6) + ' | raw ms  cpu    MB | map ms  cpu    MB | frag ms  cpu | dflt ms  cpu | map/raw wall cpu | +db/raw wall cpu | all/raw wall cpu | frag/dflt cpu';
  console.log(head);
  console.log('-'.repeat(head.length));
  for (const f of files) {
    const mb = statSync(f).size / 1048576;
    const raw = run('raw', f);
    const map = run('map', f);
    const frag = run('frag', f);
    const dflt = run('frag-dflt', f);
    const mdb = run('map-db', f);
    const allMs = map.ms + frag.ms;
    const allCpu = map.cpuMs + frag.cpuMs;
    const verdict = mb > 1 ? (map.ms / raw.ms <= 3 ? '  map-ready <= 3: ok' : '  map-ready > 3: over target') : '';
    console.log(
      basename(f).slice(0, 35).padEnd(36) + mb.toFixed(2).padStart(6) +
        ` | ${f0(raw.ms, 6)} ${f0(raw.cpuMs, 4)} ${f0(raw.peakMb, 5)} | ${f0(map.ms, 6)} ${f0(map.cpuMs, 4)} ${f0(map.peakMb, 5)} | ${f0(frag.ms, 7)} ${f0(frag.cpuMs, 4)} | ${f0(dflt.ms, 7)} ${f0(dflt.cpuMs, 4)} |` +
        `      ${r2(map.ms / raw.ms, 5)} ${r2(map.cpuMs / raw.cpuMs, 4)} |      ${r2(mdb.ms / raw.ms, 5)} ${r2(mdb.cpuMs / raw.cpuMs, 4)} |      ${r2(allMs / raw.ms, 5)} ${r2(allCpu / raw.cpuMs, 4)} |     ${r2(frag.cpuMs / dflt.cpuMs, 5)}` + verdict,
    );
    console.log(
      `    map stages (ms): ${Object.entries(map).filter(([k]) => k.startsWith('ms_')).map(([k, v]) => `${k.slice(3)} ${v}`).join(', ')}; elements ${map.elements}, tiles ${map.tiles}; map+db ${f0(mdb.ms, 0)} ms (inserts ${f0(mdb.dbMs!, 0)} ms); .frag ${(frag.bytes! / 1024).toFixed(0)} kB (default settings ${(dflt.bytes! / 1024).toFixed(0)} kB)`,
    );
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

await main();
