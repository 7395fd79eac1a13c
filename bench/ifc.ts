/**
 * IFC pipeline benchmark: for each file, our whole conversion (element index rows, 3D Tiles, Fragments) against raw
 * web-ifc on the same file in the same run (OpenModel + StreamAllMeshes, reading each geometry's buffers as any
 * consumer must). Each measurement runs in its own fresh process, so peak RSS (VmHWM) is that run's alone; wasm start-up
 * is excluded from both times. Prints time, peak memory and the ratios; target: time ratio <= 3 on files over 1 MB.
 *
 *   npx tsx bench/ifc.ts [files...]      (default: the shared sample files over 100 kB + a generated demo building)
 */
import { execFileSync } from 'node:child_process';
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
  const api = await createIfcApi();
  const base = peakRssMb();
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
  } else {
    const { convertIfc } = await import('../server/ifc/convert.js');
    const out = mkdtempSync(join(tmpdir(), 'bench-ifc-'));
    let rows = 0;
    const r = await convertIfc({ ifcPath: file, outDir: out, api, skipFragments: mode === 'ours-nofrag' }, { progress() {}, elements: (b) => void (rows += b.length) });
    rmSync(out, { recursive: true, force: true });
    extra = { elements: r.report.elementCount, rows, tiles: r.report.tileCount, ...Object.fromEntries(Object.entries(r.report.stagesMs).map(([k, v]) => [`ms_${k}`, v])) };
  }
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, peakMb: peakRssMb(), baseMb: base, ...extra }) + '\n');
}

function run(mode: string, file: string): { ms: number; peakMb: number; [k: string]: number } {
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
  const rows: string[] = [];
  const head = 'file'.padEnd(44) + 'MB'.padStart(7) + ' | raw ms   raw MB | ours ms  ours MB | ratio t  ratio m | no-frag ms  ratio t';
  console.log(head);
  console.log('-'.repeat(head.length));
  for (const f of files) {
    const mb = statSync(f).size / 1048576;
    const raw = run('raw', f);
    const ours = run('ours', f);
    const nofrag = run('ours-nofrag', f);
    const line =
      basename(f).slice(0, 43).padEnd(44) +
      mb.toFixed(2).padStart(7) +
      ` | ${raw.ms.toFixed(0).padStart(6)} ${raw.peakMb.toFixed(0).padStart(8)} | ${ours.ms.toFixed(0).padStart(7)} ${ours.peakMb.toFixed(0).padStart(8)} | ` +
      `${(ours.ms / raw.ms).toFixed(2).padStart(7)} ${(ours.peakMb / raw.peakMb).toFixed(2).padStart(8)} | ${nofrag.ms.toFixed(0).padStart(10)} ${(nofrag.ms / raw.ms).toFixed(2).padStart(8)}` +
      (mb > 1 ? (ours.ms / raw.ms <= 3 ? '  (<= 3: ok)' : '  (> 3: over target)') : '');
    console.log(line);
    rows.push(line);
    console.log(`    stages (ms): ${Object.entries(ours).filter(([k]) => k.startsWith('ms_')).map(([k, v]) => `${k.slice(3)} ${v}`).join(', ')}; elements ${ours.elements}, tiles ${ours.tiles}`);
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

await main();
