/**
 * A CPU profile of the whole twin's worker side, as a long-lived conversion worker runs it: web-ifc started and a
 * small generated building converted first (map and Fragments, untimed), then the file's session, map job and
 * Fragments job profiled. Prints CPU per part and writes the profile (open it in Chrome DevTools, or summarise it with
 * bench/profileSummary.ts).
 *
 *   npx tsx bench/twinProfile.ts <file.ifc> [out.cpuprofile]   (no profile file: CPU per part only; BENCH_NO_WARMUP=1:
 *                                                               a fresh process's first job)
 */
import { Session } from 'node:inspector';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertIfc } from '../server/ifc/pipeline/convert.js';
import { generateDemoBuilding } from '../server/ifc/pipeline/demoBuilding.js';
import { ifcToFragments } from '../server/ifc/pipeline/fragments.js';
import { TwinSession } from '../server/ifc/pipeline/twinSession.js';

const [file, outFile] = process.argv.slice(2);
if (!file) throw new Error('usage: twinProfile.ts <file.ifc> [out.cpuprofile]');

/** BENCH_PROF_PART=open|map|frag: the profile covers that part only (default: all three). */
const part = process.env.BENCH_PROF_PART;
let on: (p: string) => Promise<void> = async () => {};
let off: (p: string) => Promise<void> = async () => {};

async function twin(bytes: Uint8Array, path: string) {
  const cpu = () => ((u) => (u.user + u.system) / 1000)(process.cpuUsage());
  await on('open');
  const c0 = cpu();
  const s = await TwinSession.open(bytes);
  const c1 = cpu();
  await off('open');
  const out = mkdtempSync(join(tmpdir(), 'twin-prof-'));
  await on('map');
  const c1b = cpu();
  await convertIfc({ ifcPath: path, outDir: out, skipFragments: true, session: s }, { progress() {}, elements() {} });
  const c2 = cpu();
  await off('map');
  await on('frag');
  const c2b = cpu();
  await ifcToFragments(bytes, undefined, {}, s);
  const c3 = cpu();
  await off('frag');
  s.close();
  rmSync(out, { recursive: true, force: true });
  return { open: c1 - c0, map: c2 - c1b, frag: c3 - c2b };
}

TwinSession.prepare();
if (process.env.BENCH_NO_WARMUP !== '1') {
  const tmp = mkdtempSync(join(tmpdir(), 'twin-prof-warm-'));
  const warm = join(tmp, 'warm.ifc');
  // BENCH_WARM_FILE: warm up on that IFC instead of the generated building.
  const bytes = process.env.BENCH_WARM_FILE
    ? readFileSync(process.env.BENCH_WARM_FILE)
    : generateDemoBuilding({ name: 'Warm', lon: 120.4, lat: 36.07, storeys: 2, widthM: 20, depthM: 20 });
  writeFileSync(warm, bytes);
  await twin(bytes, warm);
  rmSync(tmp, { recursive: true, force: true });
  TwinSession.prepare();
  await new Promise((r) => setTimeout(r, 300));
}
const bytes = readFileSync(file);
const session = new Session();
session.connect();
const post = (m: string, p?: object) =>
  new Promise<any>((res, rej) => session.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
if (outFile) {
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  on = async (p) => {
    if (!part || p === part) await post('Profiler.start');
  };
  off = async (p) => {
    if (!part || p === part) writeFileSync(outFile, JSON.stringify((await post('Profiler.stop')).profile));
  };
}
const t = await twin(bytes, file);
const all = t.open + t.map + t.frag;
console.log(
  `cpu ms: open ${t.open.toFixed(0)}, map ${t.map.toFixed(0)}, Fragments ${t.frag.toFixed(0)}, all ${all.toFixed(0)}` +
    (outFile ? `; profile ${outFile}` : ''),
);
